#!/usr/bin/env bash
# Time whole logins against the local OpenID provider (tests/peers: oidc-provider
# on 127.0.0.1), as a user runs them:
#   - browser: `keyward auth login` with headless Chromium as $BROWSER
#     (sign-in and consent on the provider's pages, the loopback callback,
#     the code exchange, the profile, the store);
#   - token:   `keyward auth login --token-stdin` with the provider's opaque
#     access token (discovery, the profile, the store: keyward's own path).
#
#   bench/login.sh [RUNS]        RUNS logins of each kind (default 10)
#
# Environment:
#   KEYWARD_BIN   the keyward binary (default: the build of scripts/build-release)
#   BASELINE_BIN  another keyward binary timed in the same run, side by side
#
# Needs node, chromium and `npm ci --prefix tests/peers` (./scripts/test installs them).
# Each login gets a fresh config dir and the file store; nothing touches your own.
set -euo pipefail
RUNS=${1:-10}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/login.sh [RUNS]" >&2; exit 2; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
say() { echo "$*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed: apt-get install -y nodejs npm"
[ -x /usr/bin/chromium ] || die "chromium is not installed: apt-get install -y chromium"
[ -d tests/peers/node_modules/oidc-provider ] || die "the test peers are not installed: npm ci --prefix tests/peers"

if [ -z "${KEYWARD_BIN:-}" ]; then
  KEYWARD_BIN=$(./scripts/build-release --quiet)
fi
BINS=("this build:$KEYWARD_BIN")
if [ -n "${BASELINE_BIN:-}" ]; then
  [ -x "$BASELINE_BIN" ] || die "BASELINE_BIN=$BASELINE_BIN is not executable"
  BINS+=("baseline:$BASELINE_BIN")
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyward-login-bench.XXXXXX")
PROVIDER_PID=""
cleanup() {
  if [ -n "$PROVIDER_PID" ]; then kill "$PROVIDER_PID" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The provider prints one JSON line when it is ready.
mkfifo "$tmp/ready"
(cd tests/peers && exec node provider.mjs >"$tmp/ready" 2>/dev/null) &
PROVIDER_PID=$!
read -r line <"$tmp/ready"
ISSUER=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["issuer"])' "$line")
PAT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pat"])' "$line")
CLIENT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("client_id","keyward-cli"))' "$line")
BROWSER_CMD="node $ROOT/tests/peers/browser.mjs"

now_ms() { date +%s%3N; }

one() { # bin kind -> prints ms
  local bin=$1 kind=$2 dir start end
  dir=$(mktemp -d "$tmp/run.XXXXXX")
  start=$(now_ms)
  if [ "$kind" = browser ]; then
    env -i PATH="$PATH" HOME="$dir" KEYWARD_CONFIG_DIR="$dir/c" KEYWARD_CREDENTIAL_STORE=file \
      KEYWARD_CLIENT_ID="$CLIENT" BROWSER="$BROWSER_CMD" KEYWARD_TEST_LOGIN=alice \
      DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
      "$bin" auth login --api-url "$ISSUER" --timeout 90 </dev/null >/dev/null 2>"$dir/err" ||
      { cat "$dir/err" >&2; die "$bin: browser login failed"; }
  else
    printf '%s\n' "$PAT" | env -i PATH="$PATH" HOME="$dir" KEYWARD_CONFIG_DIR="$dir/c" \
      KEYWARD_CREDENTIAL_STORE=file DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
      "$bin" auth login --token-stdin --api-url "$ISSUER" >/dev/null 2>"$dir/err" ||
      { cat "$dir/err" >&2; die "$bin: token login failed"; }
  fi
  end=$(now_ms)
  echo $((end - start))
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-12s %-8s %10s %10s %10s\n' build login "median ms" "min ms" "max ms"
for kind in token browser; do
  for entry in "${BINS[@]}"; do
    label=${entry%%:*}
    bin=${entry#*:}
    say "==> $label, $kind login: $RUNS runs"
    : >"$tmp/times"
    for ((i = 0; i < RUNS; i++)); do one "$bin" "$kind" >>"$tmp/times"; done
    med=$(median <"$tmp/times")
    min=$(sort -n "$tmp/times" | head -n1)
    max=$(sort -n "$tmp/times" | tail -n1)
    printf '%-12s %-8s %10s %10s %10s\n' "$label" "$kind" "$med" "$min" "$max"
  done
done
