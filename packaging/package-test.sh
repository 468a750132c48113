#!/usr/bin/env bash
# Proves that Amana's .deb installs on a clean Debian 12 and that the installed
# app starts (make package-test).
#
# 1. A minimal Debian 12 root (debootstrap --variant=minbase), made once and
#    kept in $AMANA_PACKAGE_TEST_CACHE (default ~/.cache/amana-package-test),
#    is copied to a throwaway root.
# 2. In that root (chroot in a private mount and PID namespace): `dpkg -i` the
#    .deb, which must fail only for missing dependencies, then `apt-get -f
#    install --no-install-recommends` from the Debian mirror (downloads are
#    cached between runs). The .deb's Depends alone must be enough.
# 3. Checks: the package is installed, the dynamic loader finds every library
#    of both binaries, the .amana glob is in the compiled MIME database and the
#    desktop entry is the default application for it, the installed CLI creates
#    and checks a vault, and the installed app, started under Xvfb, shows its
#    window and stays alive. A screenshot goes to docs/screenshots/installed-deb.png.
#
# Usage: packaging/package-test.sh path/to/Amana_X.Y.Z_amd64.deb
# Needs root (debootstrap, chroot, mounts), debootstrap, Xvfb, xdotool, ImageMagick.
set -euo pipefail

deb=$(realpath "${1:?usage: package-test.sh AMANA.deb}")
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${AMANA_PACKAGE_TEST_CACHE:-$HOME/.cache/amana-package-test}
mirror=${AMANA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${AMANA_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
shot=${AMANA_PACKAGE_TEST_SCREENSHOT:-$repo/docs/screenshots/installed-deb.png}
base=$cache/bookworm-minbase
archives=$cache/apt-archives
T0=$(date +%s)
checks=0

say() { printf '[package-test %4ds] %s\n' $(($(date +%s) - T0)) "$*"; }
fail() { printf 'FAIL %s\n' "$*"; printf 'package-test: %d passed, 1 failed\n' "$checks"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot and mounts); run it as root or with sudo"
for tool in debootstrap Xvfb xdotool import unshare chroot; do
  command -v "$tool" >/dev/null || fail "missing tool: $tool"
done

# The cached clean root: made once, renamed into place only when complete.
mkdir -p "$cache" "$archives/partial"
if [ ! -x "$base/usr/bin/apt-get" ]; then
  say "making a clean Debian 12 root (debootstrap, once; cached in $base)"
  rm -rf "$base.tmp"
  debootstrap --variant=minbase bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; fail "debootstrap"; }
  cat >"$base.tmp/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
  # No services start inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$base.tmp/usr/sbin/policy-rc.d"
  chmod 755 "$base.tmp/usr/sbin/policy-rc.d"
  mv "$base.tmp" "$base"
fi

work=$(mktemp -d "$cache/run.XXXXXX")
root=$work/root
xvfb_pid=
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  # The namespace below held every mount, so nothing is mounted under $work now.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

say "copying the clean root to $root"
cp -a "$base" "$root"
cp "$deb" "$root/tmp/amana.deb"
# A real bundle (a test vector), to see how the installed system types it.
cp "$repo/tests/testdata/bundles/valid_x25519.amana" "$root/tmp/from-researcher.amana"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# A display for the app, on the host; its socket is shared with the root.
mkdir -p /tmp/.X11-unix
exec 5>"$work/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 5>&-
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
display=":$(cat "$work/display")"
[ "$display" != ":" ] || fail "Xvfb did not start: $(cat "$work/xvfb.log")"

export root archives display shot work T0
# Everything below runs in its own mount and PID namespaces: the mounts vanish
# and every process started in the root is killed when it ends.
unshare --mount --pid --fork --propagation private bash "$(dirname "$0")/package-test-root.sh" \
  || { checks=$(cat "$work/checks" 2>/dev/null || echo 0); fail "in the Debian 12 root (see above)"; }
checks=$(cat "$work/checks" 2>/dev/null || echo 0)
say "the .deb installs on a clean Debian 12 and the installed app starts"
printf 'package-test: %d passed, 0 failed\n' "$checks"
