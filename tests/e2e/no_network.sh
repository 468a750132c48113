#!/bin/bash
# Network silence: runs COMMAND in a new network namespace that has only a
# loopback interface (unshare -n as root, unshare -rn otherwise), under
#   strace -f -e trace=connect
# and fails if any process of the run attempted connect() to an AF_INET or
# AF_INET6 address other than loopback (the WebDriver plumbing talks over
# 127.0.0.1; X11 and D-Bus over Unix sockets). Attempts count even when the
# namespace makes them fail, so this catches code that tries to reach out,
# not only code that succeeds.
#
# Usage: tests/e2e/no_network.sh COMMAND [ARGS...]
# The strace log is kept in $NO_NETWORK_LOG if set.
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in unshare strace ip; do
  command -v "$tool" >/dev/null || { echo "no_network: $tool is missing (make setup installs it)" >&2; exit 2; }
done

log=${NO_NETWORK_LOG:-$(mktemp -t amana-connect.XXXXXX)}
[ -n "${NO_NETWORK_LOG:-}" ] || trap 'rm -f "$log"' EXIT
if [ "$(id -u)" = 0 ]; then ns=(unshare -n); else ns=(unshare -rn); fi

"${ns[@]}" sh -c 'ip link set lo up && exec "$@"' sh \
  strace -f -qq --seccomp-bpf -e trace=connect -e signal=none -o "$log" "$@"
status=$?

inet=$(grep -E 'connect\(.*sa_family=AF_INET6?' "$log" || true)
outside=$(printf '%s\n' "$inet" | grep -vE 'inet_addr\("127\.|inet_pton\(AF_INET6, "(::1|::ffff:127\.[0-9.]+)"' | grep -v '^$' || true)
loopback=$(printf '%s\n' "$inet" | grep -cE 'inet_addr\("127\.|"::1"' || true)
unix=$(grep -c 'sa_family=AF_UNIX' "$log" || true)
echo "no_network: $(grep -c 'connect(' "$log" || true) connect() calls: $loopback to loopback, $unix to Unix sockets, $(printf '%s' "$outside" | grep -c . || true) to anywhere else"
if [ -n "$outside" ]; then
  echo "no_network: FAIL: connect() to a non-loopback inet address:" >&2
  printf '%s\n' "$outside" | head -20 >&2
  exit 1
fi
exit $status
