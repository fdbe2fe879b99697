#!/usr/bin/env bash
# The GPU check. A GPU machine here has CUDA and Python (PyTorch, scikit-learn) but no .NET, so the runner
# travels as a self-contained, untrimmed publish (trimming breaks ILGPU) packed as one tar.gz.
#
#   eng/gpu-check/gpu-check.sh publish             here: artifacts/gpu-check/specialize-gpu-check.tar.gz (< 64 MiB)
#   eng/gpu-check/gpu-check.sh run OUT [ARGS...]   on the GPU machine, in the repository root: unpack, run, and
#                                                  write OUT/gpu-check.md (the table for docs/benchmarks.md) and
#                                                  OUT/gpu-check.log; one command, under 10 minutes
#   eng/gpu-check/gpu-check.sh rehearse            here: publish, then the whole check on ILGPU's CPU accelerator
#                                                  at tiny sizes (artifacts/gpu-check/rehearsal/gpu-check.md)
#
# ARGS go to the runner: --device cuda|ilgpu-cpu, --grid-d 2,8,19,36, --grid-m 1,5,16,64,128,
# --grid-n 10000,150000,1000000, --headline-n 150000, --iterations 20, --budget 420 (seconds after which the
# grid starts no new problem), --cap-ms 2000 (a forced variant slower than this per iteration is stopped),
# --blb-mean-n 10000000, --blb-ls-n 1000000 (BLB's mean and least squares with d = 10), --blb-subsamples 25,
# --blb-bootstraps 100.
# With the device tool: carry artifacts/gpu-check, and run `bash eng/gpu-check/gpu-check.sh run $OUT`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifact="$root/artifacts/gpu-check"
archive="$artifact/specialize-gpu-check.tar.gz"
limit=$((64 * 1024 * 1024))

publish() {
  command -v dotnet >/dev/null 2>&1 || { echo "gpu-check: publishing needs the .NET SDK." >&2; exit 2; }
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  local stage="$artifact/stage"
  rm -rf "$stage" "$archive"
  mkdir -p "$stage"
  dotnet publish "$root/eng/gpu-check/Specialize.GpuCheck" -c Release -r linux-x64 --self-contained true \
    -p:PublishTrimmed=false -p:DebugType=none -o "$stage/runner" -nologo -v quiet
  mkdir -p "$stage/runner/fixtures" "$stage/runner/scripts"
  cp "$root"/tests/Specialize.Tests/Mixture/Fixtures/*.json "$stage/runner/fixtures/"
  cp "$root"/eng/gpu-check/scripts/*.py "$stage/runner/scripts/"
  tar -C "$stage" -czf "$archive" runner
  rm -rf "$stage"
  local size
  size=$(stat -c %s "$archive")
  echo "gpu-check: $archive, $((size / 1024 / 1024)) MiB"
  if [ "$size" -ge "$limit" ]; then
    echo "gpu-check: the archive is over 64 MiB; it cannot travel to the GPU machine." >&2
    exit 1
  fi
}

run() {
  local out="${1:?usage: gpu-check.sh run OUT [ARGS...]}"
  shift
  [ -f "$archive" ] || { echo "gpu-check: $archive is missing; run 'gpu-check.sh publish' first (and carry artifacts/gpu-check)." >&2; exit 2; }
  mkdir -p "$out"
  local unpacked
  unpacked="$(mktemp -d)"
  tar -xzf "$archive" -C "$unpacked"
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt" || true
  # The first Python that has numpy runs the peers' scripts (they say themselves when scikit-learn or PyTorch is missing).
  local python=python3 candidate
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import numpy' >/dev/null 2>&1; then python="$candidate"; break; fi
  done
  set +e
  DOTNET_gcServer=0 "$unpacked/runner/Specialize.GpuCheck" --out "$out" --python "$python" "$@" 2>&1 | tee "$out/gpu-check.log"
  local status=${PIPESTATUS[0]}
  set -e
  rm -rf "$unpacked"
  return "$status"
}

case "${1:-}" in
  publish) publish ;;
  run) shift; run "$@" ;;
  rehearse)
    publish
    SPECIALIZE_DEVICE=ilgpu-cpu run "$artifact/rehearsal" --device ilgpu-cpu --grid-d 2,8 --grid-m 1,5 --grid-n 2000 \
      --headline-n 3000 --iterations 4 --budget 600 --cap-ms 5000 --blb-mean-n 20000 --blb-ls-n 5000 --blb-bootstraps 20
    ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
