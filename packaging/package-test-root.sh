#!/usr/bin/env bash
# The part of package-test.sh that runs inside its own mount and PID
# namespaces (unshare): mounts for the throwaway Debian 12 root, installing
# the .deb, and the checks. Environment: root, archives, display, shot, work, T0.
set -euo pipefail
checks=0
say() { printf "[package-test %4ds] %s\n" $(($(date +%s) - T0)) "$*"; }
ok() { checks=$((checks + 1)); echo "$checks" >"$work/checks"; say "ok: $*"; }
fail() { printf "FAIL %s\n" "$*"; exit 1; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
mount --bind "$archives" "$root/var/cache/apt/archives"

say "dpkg -i (may stop at missing dependencies)"
if in_root dpkg -i /tmp/amana.deb >"$work/dpkg.log" 2>&1; then
  say "dpkg -i: installed without further dependencies"
else
  grep -q "dependency problems" "$work/dpkg.log" || { cat "$work/dpkg.log"; fail "dpkg -i failed for another reason than dependencies"; }
fi
say "apt-get update"
in_root apt-get update -q >"$work/apt-update.log" 2>&1 || { tail -20 "$work/apt-update.log"; fail "apt-get update"; }
say "apt-get -f install --no-install-recommends"
in_root apt-get -f install -y -q --no-install-recommends >"$work/apt-install.log" 2>&1 ||
  { tail -30 "$work/apt-install.log"; fail "apt-get -f install"; }
grep -E "^[0-9]+ upgraded, [0-9]+ newly installed" "$work/apt-install.log" | sed "s/^/  /"

pkg=$(dpkg-deb -f "$root/tmp/amana.deb" Package)
status=$(in_root dpkg-query -W -f="\${Status} \${Version}" "$pkg")
case "$status" in "install ok installed"*) ;; *) fail "package state: $status" ;; esac
ok "installed with its dependencies: $pkg $status"

for bin in /usr/bin/amana-desktop /usr/bin/amana; do
  missing=$(in_root ldd "$bin" | grep "not found" || true)
  [ -z "$missing" ] || fail "$bin: libraries not found: $missing"
  ok "$bin: the loader finds every library"
done

icons=0
for size in 16 24 32 48 64 128 256 512; do
  [ -f "$root/usr/share/icons/hicolor/${size}x${size}/apps/amana-desktop.png" ] || fail "no ${size}x${size} icon"
  icons=$((icons + 1))
done
ok "icons at $icons sizes in the hicolor theme"

# What a desktop has besides the Depends: the Recommends of the package, and the
# tools a file manager and a user use to look up file types.
recommends=$(dpkg-deb -f "$root/tmp/amana.deb" Recommends | tr -d ",")
say "installing the Recommends ($recommends) and xdg-utils, libglib2.0-bin"
in_root apt-get install -y -q --no-install-recommends $recommends xdg-utils libglib2.0-bin >"$work/apt-extra.log" 2>&1 ||
  { tail -30 "$work/apt-extra.log"; fail "apt-get install of the Recommends and tools"; }

# The file type: compiled into the MIME database by the shared-mime-info
# trigger, and mapped to the desktop entry by the desktop-file-utils trigger.
grep -qx "50:application/x-amana-bundle:\*\.amana" "$root/usr/share/mime/globs2" ||
  fail "*.amana is not in /usr/share/mime/globs2"
ok "MIME database: *.amana is application/x-amana-bundle"
desktop=$(grep -l "^MimeType=.*application/x-amana-bundle" "$root"/usr/share/applications/*.desktop | head -1)
[ -n "$desktop" ] || fail "no desktop entry declares application/x-amana-bundle"
grep -qx "Exec=amana-desktop %f" "$desktop" || fail "$desktop: Exec is not \"amana-desktop %f\""
grep -q "^application/x-amana-bundle=.*$(basename "$desktop")" "$root/usr/share/applications/mimeinfo.cache" ||
  fail "mimeinfo.cache does not map application/x-amana-bundle to $(basename "$desktop")"
ok "desktop entry $(basename "$desktop"): Exec=amana-desktop %f, the default for application/x-amana-bundle"
default=$(in_root env XDG_DATA_DIRS=/usr/local/share:/usr/share HOME=/tmp xdg-mime query default application/x-amana-bundle)
[ "$default" = "$(basename "$desktop")" ] || fail "xdg-mime query default application/x-amana-bundle: \"$default\""
ok "xdg-mime: the default application for application/x-amana-bundle is $default"
in_root sh -c "HOME=/tmp gio info -a standard::content-type /tmp/from-researcher.amana" >"$work/gio.log" 2>&1 || true
grep -q "standard::content-type: application/x-amana-bundle" "$work/gio.log" ||
  { cat "$work/gio.log"; fail "GLib does not type a .amana file as application/x-amana-bundle"; }
ok "GLib (as file managers do) types from-researcher.amana as application/x-amana-bundle"

say "the installed CLI creates and checks a vault"
in_root mkdir -p /tmp/cli-home
cli() { in_root env HOME=/tmp/cli-home AMANA_VAULT=/tmp/cli-vault AMANA_PASSPHRASE="package test passphrase, fictional" /usr/bin/amana "$@"; }
cli init --json >"$work/cli-init.log" 2>&1 </dev/null || { cat "$work/cli-init.log"; fail "amana init"; }
cli check >"$work/cli-check.log" 2>&1 </dev/null || { cat "$work/cli-check.log"; fail "amana check"; }
[ -f "$root/tmp/cli-vault/vault.db" ] || fail "amana init made no vault.db"
ok "the installed CLI made a vault and checked it (SQLCipher with the system libcrypto)"

say "starting the installed app on $display"
in_root mkdir -p /tmp/app-home /tmp/app-tmp
chroot "$root" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$display" HOME=/tmp/app-home TMPDIR=/tmp/app-tmp \
  AMANA_VAULT=/tmp/app-vault DBUS_SESSION_BUS_ADDRESS=disabled: /usr/bin/amana-desktop >"$work/app.log" 2>&1 &
app=$!
window=
for _ in $(seq 1 600); do
  kill -0 "$app" 2>/dev/null || { cat "$work/app.log"; fail "the installed app exited"; }
  window=$(DISPLAY="$display" xdotool search --onlyvisible --name "^Amana\$" 2>/dev/null | head -1 || true)
  [ -n "$window" ] && break
  sleep 0.2
done
[ -n "$window" ] || { cat "$work/app.log"; fail "no visible window named Amana"; }
ok "window $window is shown: $(DISPLAY="$display" xdotool getwindowgeometry "$window" | tr -s " \n" " ")"
# WebKit paints after mapping: wait for the page (more than a few colours), then keep the picture.
colours=0
for _ in $(seq 1 300); do
  import -display "$display" -window root "$work/shot.png" 2>/dev/null || true
  colours=$(convert "$work/shot.png" -format %k info: 2>/dev/null || echo 0)
  [ "$colours" -gt 64 ] && break
  sleep 0.2
done
[ "$colours" -gt 64 ] || fail "the window stayed blank ($colours colours)"
kill -0 "$app" 2>/dev/null || { cat "$work/app.log"; fail "the installed app exited after showing its window"; }
mkdir -p "$(dirname "$shot")"
import -display "$display" -window "$window" "$shot"
ok "the app is still running and painted its page ($colours colours); screenshot: $shot"
kill "$app"
