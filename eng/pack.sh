#!/usr/bin/env bash
# Packs Specialize under a version that no earlier build used, and optionally adds it to a project:
#
#   eng/pack.sh                          pack into artifacts/packages; print the version
#   eng/pack.sh path/to/App.csproj       then add that version to App.csproj, with artifacts/packages as the
#                                        package source "specialize-local" in a nuget.config beside App.csproj
#                                        (created with `dotnet new nugetconfig` when there is none)
#
# Why a new version each time: NuGet keeps every package it restores in its global cache (~/.nuget/packages), by id
# and version, and never asks a source again for a version it holds. A rebuilt package under the version of an
# earlier build would be ignored; 0.1.0-local.<UTC time of the build> is new on every build.
# SPECIALIZE_PACKAGE_OUTPUT sets another folder for the package.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${SPECIALIZE_PACKAGE_OUTPUT:-$root/artifacts/packages}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
suffix="local.$(date -u +%Y%m%d%H%M%S)"

dotnet pack "$root/src/Specialize" -c Release -nologo -o "$out" -p:VersionSuffix="$suffix" >&2
package="$(ls "$out"/Specialize.*-"$suffix".nupkg)"
version="$(basename "$package" .nupkg)"
version="${version#Specialize.}"
echo "packed $package" >&2

if [ $# -ge 1 ]; then
  project="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  dir="$(dirname "$project")"
  config="$(find "$dir" -maxdepth 1 -iname nuget.config | head -n 1)"
  if [ -z "$config" ]; then
    (cd "$dir" && dotnet new nugetconfig >/dev/null)
    config="$dir/nuget.config"
  fi
  # Replace the source rather than keep an old path (a moved clone, another output folder).
  dotnet nuget remove source specialize-local --configfile "$config" >/dev/null 2>&1 || true
  dotnet nuget add source "$out" --name specialize-local --configfile "$config" >&2
  dotnet add "$project" package Specialize --version "$version" >&2
  echo "added Specialize $version to $project (package source in $config)" >&2
fi

echo "$version"
