#!/usr/bin/env bash
# The test command. On a fresh Debian machine with the .NET SDK it installs what the tests need,
# restores, builds Release, runs every test project, and ends with one line:
#   N passed, N failed, N skipped
# summed over all projects. Exit status 0 only when every project ran and nothing failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '==> %s\n' "$*"; }

# ---- prerequisites ---------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  echo "eng/test.sh: the .NET SDK (dotnet) is required; see global.json for the version." >&2
  exit 2
fi

# Debian packages the tests use. Installed only when missing, and only where we may (root).
# Each pattern's issue adds its own line here (MPI, python3-sklearn for peer comparisons, ...).
apt_packages=()
# MPI: tests/Specialize.Cluster.Tests runs samples/Specialize.ClusterDemo under mpiexec.mpich -n 2 and -n 3 (the
# MPICH library libmpich.so.12 comes with it). Open MPI is not installed here: its tests run where it already is.
command -v mpiexec.mpich >/dev/null 2>&1 || apt_packages+=(mpich)
# Diarization: tests/Specialize.Diarization.Tests generates a meeting from espeak-ng voices joined with sox.
command -v espeak-ng >/dev/null 2>&1 || apt_packages+=(espeak-ng)
command -v sox >/dev/null 2>&1 || apt_packages+=(sox)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${apt_packages[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null \
      || echo "eng/test.sh: could not install ${apt_packages[*]}; tests that need them will say so." >&2
  else
    echo "eng/test.sh: missing ${apt_packages[*]} and not root; tests that need them will say so." >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---- restore and build -----------------------------------------------------------------------
log "restore"
dotnet restore Specialize.sln || { echo "0 passed, 1 failed"; exit 1; }
log "build (Release)"
dotnet build Specialize.sln -c Release --no-restore -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

# ---- test ------------------------------------------------------------------------------------
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

passed=0 failed=0 skipped=0 broken=0
for project in tests/*.Tests/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  log "test $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results/$name"
  status=$?
  trx="$results/$name/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "eng/test.sh: $name produced no results (exit $status)" >&2
    broken=$((broken + 1))
    continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  field() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p="$(field passed)"; f="$(field failed)"; e="$(field error)"; n="$(field notExecuted)"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${n:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" = "0" ] && [ "${e:-0}" = "0" ]; then
    echo "eng/test.sh: $name exited $status without a failed test" >&2
    broken=$((broken + 1))
  fi
done

failed=$((failed + broken))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
