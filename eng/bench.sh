#!/usr/bin/env bash
# The benchmark command. Builds the benchmarks in Release and runs them; each suite prints its table
# and rewrites its own section of docs/benchmarks.md (between <!-- SUITE:begin --> and <!-- SUITE:end -->).
#
#   eng/bench.sh                    every suite
#   eng/bench.sh futures            one suite
#   eng/bench.sh futures:quicksort  one workload (printed only; the document needs the whole suite)
#   eng/bench.sh futures --smoke    small sizes, to check that everything runs and agrees (printed only)
#
# Measure on an otherwise idle machine: the tables compare two runs of the same code, and other load
# on the cores distorts the parallel side most.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "eng/bench.sh: the .NET SDK (dotnet) is required; see global.json for the version." >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The baseline is taken by switching futures off inside the process; an inherited switch would make
# both sides sequential.
unset SPECIALIZE_FUTURES
# Variant selection is measured as a first use would do it: a fresh tuning file for every run, unless
# one is named.
if [ -z "${SPECIALIZE_TUNING_FILE:-}" ]; then
  tuning_dir="$(mktemp -d)"
  trap 'rm -rf "$tuning_dir"' EXIT
  export SPECIALIZE_TUNING_FILE="$tuning_dir/tuning.json"
fi

project=eng/bench/Specialize.Bench/Specialize.Bench.csproj
dotnet build "$project" -c Release -nologo -v quiet
dotnet run --project "$project" -c Release --no-build -- --docs "$root/docs/benchmarks.md" "$@"
