#!/usr/bin/env bash
# Builds Amana's .deb (make package): the desktop app (release, UI served from
# the binary) and the `amana` CLI, with the desktop entry and the .amana file
# type from packaging/. Writes NAME.deb.sha256 beside it and prints both.
#
# Expects ui/dist built (make ui) and the Tauri CLI in packaging/node_modules
# (npm ci in packaging/). Run from anywhere; CARGO_TARGET_DIR is honoured.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
target=${CARGO_TARGET_DIR:-$repo/target}
tauri=packaging/node_modules/.bin/tauri
[ -x "$tauri" ] || { echo "missing $tauri: run npm ci in packaging/" >&2; exit 1; }
[ -f ui/dist/index.html ] || { echo "missing ui/dist: run make ui" >&2; exit 1; }

cargo build --locked --release --bin amana

# The CLI's path depends on CARGO_TARGET_DIR, so it is added here rather than
# in tauri.conf.json. The UI is already built (make ui), so no beforeBuildCommand.
config=$(printf '{"build":{"beforeBuildCommand":""},"bundle":{"linux":{"deb":{"files":{"/usr/bin/amana":"%s","/usr/share/mime/packages/amana.xml":"../packaging/amana-bundle.xml"}}}}}' \
  "$target/release/amana")
"$tauri" build --bundles deb --config "$config" -- --locked

version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json | head -1)
arch=$(dpkg --print-architecture)
deb=$target/release/bundle/deb/Amana_${version}_${arch}.deb
[ -f "$deb" ] || { echo "no package at $deb" >&2; exit 1; }

# The package must depend on every library its binaries link: dpkg-shlibdeps
# (what Debian's own packaging uses) on the binaries inside the .deb, checked
# against the Depends declared in tauri.conf.json.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
dpkg-deb -x "$deb" "$check/root"
mkdir "$check/debian"
printf 'Source: amana\n\nPackage: amana\nArchitecture: any\n' >"$check/debian/control"
needed=$(cd "$check" && dpkg-shlibdeps -O root/usr/bin/amana-desktop root/usr/bin/amana 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$needed" ] || { echo "dpkg-shlibdeps found no dependencies in $deb" >&2; exit 1; }
declared=$(dpkg-deb -f "$deb" Depends)
missing=()
IFS=',' read -ra wants <<<"$needed"
for want in "${wants[@]}"; do
  name=$(echo "$want" | awk '{print $1}')
  min=$(echo "$want" | sed -n 's/.*(>= *\([^)]*\)).*/\1/p')
  have=$(echo "$declared" | tr ',' '\n' | awk -v n="$name" '$1 == n' | head -1)
  have_min=$(echo "$have" | sed -n 's/.*(>= *\([^)]*\)).*/\1/p')
  if [ -z "$have" ] || { [ -n "$min" ] && { [ -z "$have_min" ] || ! dpkg --compare-versions "$have_min" ge "$min"; }; }; then
    missing+=("$(echo "$want" | xargs)")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "The .deb does not declare what its binaries link. Add to bundle.linux.deb.depends in src-tauri/tauri.conf.json:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "Depends covers every library the binaries link (dpkg-shlibdeps): $needed"

(cd "$(dirname "$deb")" && sha256sum "$(basename "$deb")" >"$(basename "$deb").sha256")
echo
echo "package: $deb"
echo "sha256:  $(cut -d' ' -f1 "$deb.sha256")  (also in $deb.sha256)"
dpkg-deb -f "$deb" Package Version Architecture Depends | sed 's/^/  /'
