#!/usr/bin/env bash
# Benchmark `keyward auth token` as a whole process (exec to exit), side by
# side with `gh auth token --hostname <host>`: median / mean / min wall time
# (hyperfine, no shell in between) and peak memory (max RSS, GNU time).
#
#   bench/auth-token.sh [--json] [RUNS]     RUNS timed runs per command (default 300)
#
# Environment:
#   KEYWARD_BIN   keyward binary to time (default: the release build of
#                 scripts/build-release, statically linked on Linux)
#   RSS_RUNS      runs per command for the max-RSS measurement (default 20)
#   BASELINE_BIN  another keyward binary (an older build) timed in the same
#                 run, as rows "baseline (file)" and "baseline (keychain)"
#
# Everything runs in a throw-away directory with a scrubbed environment
# (env -i): keyward reads a file store, gh reads its own hosts.yml, and
# neither touches the network or your real config, keychain or tokens.
# A secondary row times keyward's keychain store against a private
# gnome-keyring on a private D-Bus session bus, when those are installed.
# This is a benchmark for people to run; it is not part of the test suite.
# shellcheck disable=SC2034  # the *_ENV / *_CMD arrays are read through namerefs
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;/shellcheck/d;s/^# \{0,1\}//;p}' "$0"; }

RUNS=300
JSON=0
for arg in "$@"; do
  case "$arg" in
    --json) JSON=1 ;;
    -h | --help) usage; exit 0 ;;
    *[!0-9]* | '') echo "usage: bench/auth-token.sh [--json] [RUNS]" >&2; exit 2 ;;
    *) RUNS=$((10#$arg)) ;;
  esac
done
if ((RUNS < 2)); then
  echo "RUNS must be at least 2" >&2
  exit 2
fi
RSS_RUNS=${RSS_RUNS:-20}
[[ $RSS_RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RSS_RUNS must be a positive integer" >&2; exit 2; }
WARMUP=20

CALLER_PWD=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { echo "$*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------

command -v gh >/dev/null 2>&1 || { echo "gh is not installed: apt-get install -y gh" >&2; exit 1; }
command -v hyperfine >/dev/null 2>&1 || { echo "hyperfine is not installed: apt-get install -y hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed: apt-get install -y time" >&2; exit 1; }
if command -v python3 >/dev/null 2>&1; then
  PARSER=python3
elif command -v jq >/dev/null 2>&1; then
  PARSER=jq
else
  echo "python3 (or jq) is not installed: apt-get install -y python3" >&2
  exit 1
fi
GH=$(command -v gh)
HYPERFINE=$(command -v hyperfine)
TRUE_BIN=$(command -v true)
case "$TRUE_BIN" in /*) ;; *) TRUE_BIN=/bin/true ;; esac

if [ -n "${KEYWARD_BIN:-}" ]; then
  case "$KEYWARD_BIN" in
    /*) KW=$KEYWARD_BIN ;;
    */*) KW=$CALLER_PWD/$KEYWARD_BIN ;; # relative to where the script was run from
    *) KW=$(command -v "$KEYWARD_BIN" || true) ;;
  esac
  [ -x "$KW" ] || die "KEYWARD_BIN=$KEYWARD_BIN is not an executable file"
else
  command -v cargo >/dev/null 2>&1 || die "cargo is not installed (or set KEYWARD_BIN to a keyward binary)"
  KW=$(./scripts/build-release --quiet)
  [ -x "$KW" ] || die "$KW was not built"
fi

# --- sandbox -------------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyward-bench.XXXXXX")
BUS_PID=""
KEYRING_PID=""
cleanup() {
  # Only what this script started: the keyring daemon, then its bus.
  if [ -n "$KEYRING_PID" ]; then kill "$KEYRING_PID" 2>/dev/null || true; fi
  if [ -n "$BUS_PID" ]; then kill "$BUS_PID" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/home" "$tmp/data" "$tmp/run" "$tmp/out"
chmod 700 "$tmp/run"

API_URL=https://api.example.test
KW_TOKEN=kwd_bench_0123456789abcdef
GH_HOST=github.example.test
GH_TOKEN_VALUE=gho_bench0123456789
# The record as this keyward keeps it (version 2, under "<api_url>#<account>",
# with the login index naming it active, as after a login), and as builds
# from before accounts kept it (version 1, under the API URL), for
# BASELINE_BIN. The new build reads only its own key: it never moves the old
# record while the baseline still needs it.
KEY="$API_URL#bench@example.test"
RECORD='{"version":2,"api_url":"https://api.example.test","kind":"token","access_token":"kwd_bench_0123456789abcdef","token_type":"Bearer","user":{"name":"Bench","email":"bench@example.test"},"created_at":1700000000}'
OLD_RECORD='{"version":1,"api_url":"https://api.example.test","kind":"token","access_token":"kwd_bench_0123456789abcdef","token_type":"Bearer","user":{"name":"Bench","email":"bench@example.test"},"created_at":1700000000}'
index() { # store
  printf '{"version":2,"complete":false,"logins":{"%s":{"store":"%s","account":"Bench (bench@example.test)"}},"active":{"%s":"%s"}}' \
    "$KEY" "$1" "$API_URL" "$KEY"
}

write_private() { # path content
  (umask 077 && printf '%s\n' "$2" >"$1")
  chmod 600 "$1"
}

# keyward, file store
install -d -m 700 "$tmp/kw"
write_private "$tmp/kw/config.toml" "api_url = \"$API_URL\""
write_private "$tmp/kw/credentials.json" "{\"$KEY\": $RECORD}"
write_private "$tmp/kw/logins.json" "$(index file)"
# the baseline's own config dir, in the layout it reads
install -d -m 700 "$tmp/kwb"
write_private "$tmp/kwb/config.toml" "api_url = \"$API_URL\""
write_private "$tmp/kwb/credentials.json" "{\"$API_URL\": $OLD_RECORD}"

# gh
install -d -m 700 "$tmp/gh"
write_private "$tmp/gh/hosts.yml" "$GH_HOST:
    oauth_token: $GH_TOKEN_VALUE
    user: bench
    git_protocol: https"

# Every measured process starts from env -i plus these: no GH_TOKEN,
# KEYWARD_TOKEN, user config or session bus leaks in.
BASE_ENV=(
  PATH=/usr/local/bin:/usr/bin:/bin
  HOME="$tmp/home"
  XDG_CONFIG_HOME="$tmp/home/.config"
  XDG_CACHE_HOME="$tmp/home/.cache"
  XDG_STATE_HOME="$tmp/home/.local/state"
  XDG_DATA_HOME="$tmp/data"
  XDG_RUNTIME_DIR="$tmp/run"
  DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
)
KW_FILE_ENV=(
  KEYWARD_CONFIG_DIR="$tmp/kw"
  KEYWARD_CREDENTIAL_STORE=file
)
BASE_FILE_ENV=(
  KEYWARD_CONFIG_DIR="$tmp/kwb"
  KEYWARD_CREDENTIAL_STORE=file
)
# GH_NO_UPDATE_NOTIFIER: no release check. gh 2.23 has no telemetry and
# `auth token` only reads hosts.yml (checked with strace: no socket).
GH_ENV=(
  GH_CONFIG_DIR="$tmp/gh"
  GH_NO_UPDATE_NOTIFIER=1
  GH_PROMPT_DISABLED=1
  GH_SPINNER_DISABLED=1
)
KW_KEYCHAIN_ENV=()   # filled in when the private keyring is up
BASE_KEYCHAIN_ENV=() # the same, with the baseline's own config dir

in_env() { # ENV_ARRAY_NAME cmd...
  local -n extra=$1
  shift
  env -i "${BASE_ENV[@]}" "${extra[@]}" "$@"
}

verify() { # label expected ENV_ARRAY_NAME cmd...
  local label=$1 expected=$2 envname=$3 out err rc=0
  shift 3
  out=$(in_env "$envname" "$@" 2>"$tmp/out/err") || rc=$?
  err=$(cat "$tmp/out/err")
  if [ "$rc" -ne 0 ] || [ "$out" != "$expected" ]; then
    echo "error: $label did not print the expected token" >&2
    echo "  command:  $*" >&2
    echo "  exit:     $rc" >&2
    echo "  expected: $expected" >&2
    echo "  stdout:   $out" >&2
    echo "  stderr:   $err" >&2
    exit 1
  fi
  if [ -n "$err" ]; then
    say "warning: $label wrote to stderr (still timed): $err"
  fi
}

# --- keychain row (optional) -----------------------------------------------------

setup_keychain() {
  local missing=() t out addr i
  for t in dbus-daemon:dbus-daemon dbus-send:dbus-bin gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools; do
    command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t##*:}")
  done
  if ((${#missing[@]})); then
    say "notice: skipping the keychain row (apt-get install -y ${missing[*]})"
    return 1
  fi
  out=$(dbus-daemon --session --fork --address="unix:path=$tmp/bus" --print-address=1 --print-pid=1) || {
    say "notice: skipping the keychain row: dbus-daemon did not start"
    return 1
  }
  addr=$(sed -n 1p <<<"$out")
  BUS_PID=$(sed -n 2p <<<"$out")
  [[ $BUS_PID =~ ^[0-9]+$ ]] || { BUS_PID=""; say "notice: skipping the keychain row: no bus pid"; return 1; }
  local -a kr_env=(DBUS_SESSION_BUS_ADDRESS="$addr")
  printf '%s' bench-pw | in_env kr_env gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || {
    say "notice: skipping the keychain row: gnome-keyring-daemon did not start"
    return 1
  }
  for ((i = 0; i < 200; i++)); do
    if in_env kr_env dbus-send --session --dest=org.freedesktop.DBus --print-reply / \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      break
    fi
    sleep 0.05
  done
  if ((i == 200)); then
    say "notice: skipping the keychain row: gnome-keyring did not register on the bus within 10s"
    return 1
  fi
  KEYRING_PID=$(in_env kr_env dbus-send --session --dest=org.freedesktop.DBus --print-reply / \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
    awk '/uint32/ {print $2}') || KEYRING_PID=""
  [[ $KEYRING_PID =~ ^[0-9]+$ ]] || KEYRING_PID=""
  { printf '%s' "$RECORD" | in_env kr_env secret-tool store --label=bench service keyward username "$KEY" &&
    printf '%s' "$OLD_RECORD" | in_env kr_env secret-tool store --label=bench service keyward username "$API_URL"; } || {
    say "notice: skipping the keychain row: secret-tool store failed"
    return 1
  }
  # A config dir without credentials.json: the token can only come from the keychain.
  install -d -m 700 "$tmp/kwk"
  write_private "$tmp/kwk/config.toml" "api_url = \"$API_URL\""
  write_private "$tmp/kwk/logins.json" "$(index keychain)"
  install -d -m 700 "$tmp/kwkb"
  write_private "$tmp/kwkb/config.toml" "api_url = \"$API_URL\""
  BASE_KEYCHAIN_ENV=(
    DBUS_SESSION_BUS_ADDRESS="$addr"
    KEYWARD_CONFIG_DIR="$tmp/kwkb"
    KEYWARD_CREDENTIAL_STORE=keychain
  )
  KW_KEYCHAIN_ENV=(
    DBUS_SESSION_BUS_ADDRESS="$addr"
    KEYWARD_CONFIG_DIR="$tmp/kwk"
    KEYWARD_CREDENTIAL_STORE=keychain
  )
}

# --- measurement ------------------------------------------------------------------

NONE_ENV=()
KW_CMD=("$KW" auth token)
CAT_CMD=(cat "$tmp/kw/credentials.json")
BASE_CMD=()
if [ -n "${BASELINE_BIN:-}" ]; then
  [ -x "$BASELINE_BIN" ] || die "BASELINE_BIN=$BASELINE_BIN is not an executable file"
  BASE_CMD=("$BASELINE_BIN" auth token)
fi
GH_CMD=("$GH" auth token --hostname "$GH_HOST")
TRUE_CMD=("$TRUE_BIN")
# Each row: label, name of its env array, name of its command array.
ROWS=()
add_row() { ROWS+=("$1"$'\t'"$2"$'\t'"$3"); }

verify "keyward auth token (file store)" "$KW_TOKEN" KW_FILE_ENV "${KW_CMD[@]}"
verify "gh auth token" "$GH_TOKEN_VALUE" GH_ENV "${GH_CMD[@]}"
add_row "keyward (file)" KW_FILE_ENV KW_CMD
if ((${#BASE_CMD[@]})); then
  verify "baseline auth token (file store)" "$KW_TOKEN" BASE_FILE_ENV "${BASE_CMD[@]}"
  add_row "baseline (file)" BASE_FILE_ENV BASE_CMD
fi
# The floor for the file store: reading the same file and printing it.
add_row "floor: cat store" NONE_ENV CAT_CMD
add_row "gh" GH_ENV GH_CMD
if setup_keychain; then
  verify "keyward auth token (keychain store)" "$KW_TOKEN" KW_KEYCHAIN_ENV "${KW_CMD[@]}"
  add_row "keyward (keychain)" KW_KEYCHAIN_ENV KW_CMD
  if ((${#BASE_CMD[@]})); then
    add_row "baseline (keychain)" BASE_KEYCHAIN_ENV BASE_CMD
  fi
  # The floor for the keychain: libsecret's own lookup of the same item.
  SECRET_TOOL_CMD=("$(command -v secret-tool)" lookup service keyward username "$KEY")
  add_row "floor: secret-tool" KW_KEYCHAIN_ENV SECRET_TOOL_CMD
fi
# The cost of exec itself on this machine: no program can start faster.
add_row "floor: exec true" NONE_ENV TRUE_CMD

stats() { # hyperfine.json -> "median mean stddev min max" in ms
  if [ "$PARSER" = python3 ]; then
    python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(" ".join("%.4f" % (1000 * (r[k] or 0)) for k in ("median", "mean", "stddev", "min", "max")))
EOF
  else
    jq -r '.results[0] | [.median, .mean, (.stddev // 0), .min, .max] | map(. * 10000000 | round / 10000 | tostring) | join(" ")' "$1"
  fi
}

max_rss_kib() { # ENV_ARRAY_NAME cmd... -> max of %M (KiB) over RSS_RUNS runs
  local envname=$1 max=0 v i
  shift
  for ((i = 0; i < RSS_RUNS; i++)); do
    in_env "$envname" /usr/bin/time -f %M -o "$tmp/out/rss" "$@" >/dev/null 2>&1 ||
      die "$* failed under /usr/bin/time"
    v=$(tail -n 1 "$tmp/out/rss")
    [[ $v =~ ^[0-9]+$ ]] || die "unexpected /usr/bin/time output: $v"
    if ((v > max)); then max=$v; fi
  done
  echo "$max"
}

RESULTS="$tmp/out/results.tsv"
: >"$RESULTS"
n=0
for row in "${ROWS[@]}"; do
  IFS=$'\t' read -r name envname cmdname <<<"$row"
  declare -n words=$cmdname
  # hyperfine -N splits its command line into words itself (POSIX quoting).
  cmd=$(printf '%q ' "${words[@]}")
  cmd=${cmd% }
  n=$((n + 1))
  say "==> [$n/${#ROWS[@]}] $name: $RUNS runs (+$WARMUP warmup)"
  json="$tmp/out/$n.json"
  in_env "$envname" "$HYPERFINE" -N --warmup "$WARMUP" --runs "$RUNS" \
    --export-json "$json" --style basic "$cmd" >&2
  rss=$(max_rss_kib "$envname" "${words[@]}")
  unset -n words
  echo "$name"$'\t'"$(stats "$json" | tr ' ' '\t')"$'\t'"$rss"$'\t'"$cmd" >>"$RESULTS"
done

# --- report -----------------------------------------------------------------------

KW_VERSION=$("$KW" --version 2>/dev/null | head -n 1 || echo unknown)
GH_VERSION=$("$GH" --version 2>/dev/null | head -n 1 || echo unknown)
HF_VERSION=$("$HYPERFINE" --version 2>/dev/null | head -n 1 || echo unknown)
NPROC=$(nproc)
ARCH=$(uname -m)
KERNEL=$(uname -sr)
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)

median_of() { awk -F'\t' -v n="$1" '$1 == n {print $2}' "$RESULTS"; }
kw_med=$(median_of "keyward (file)")
gh_med=$(median_of "gh")
RATIO=$(awk -v a="$gh_med" -v b="$kw_med" 'BEGIN {printf "%.1f", a / b}')
if awk -v a="$gh_med" -v b="$kw_med" 'BEGIN {exit !(a >= b)}'; then
  VERDICT="keyward auth token is ${RATIO}x faster than gh auth token (median)"
else
  VERDICT="keyward auth token is $(awk -v a="$gh_med" -v b="$kw_med" 'BEGIN {printf "%.1f", b / a}')x slower than gh auth token (median)"
fi

if ((JSON)); then
  export KW_VERSION GH_VERSION HF_VERSION NPROC ARCH KERNEL CPU DATE RUNS WARMUP RSS_RUNS RATIO VERDICT
  if [ "$PARSER" = python3 ]; then
    python3 - "$RESULTS" <<'EOF'
import json, os, sys
e = os.environ
rows = []
for line in open(sys.argv[1]):
    name, med, mean, sd, mn, mx, rss, cmd = line.rstrip("\n").split("\t")
    rows.append({"name": name, "command": cmd, "median_ms": float(med), "mean_ms": float(mean),
                 "stddev_ms": float(sd), "min_ms": float(mn), "max_ms": float(mx),
                 "max_rss_mib": round(int(rss) / 1024, 2)})
print(json.dumps({
    "date": e["DATE"],
    "machine": {"nproc": int(e["NPROC"]), "arch": e["ARCH"], "kernel": e["KERNEL"], "cpu": e["CPU"]},
    "versions": {"keyward": e["KW_VERSION"], "gh": e["GH_VERSION"], "hyperfine": e["HF_VERSION"]},
    "runs": int(e["RUNS"]), "warmup": int(e["WARMUP"]), "rss_runs": int(e["RSS_RUNS"]),
    "results": rows,
    "speedup_median": float(e["RATIO"]),
    "summary": e["VERDICT"],
}, indent=2))
EOF
  else
    jq -R -s '
      split("\n") | map(select(length > 0) | split("\t") | {
        name: .[0], command: .[7], median_ms: (.[1] | tonumber), mean_ms: (.[2] | tonumber),
        stddev_ms: (.[3] | tonumber), min_ms: (.[4] | tonumber), max_ms: (.[5] | tonumber),
        max_rss_mib: ((.[6] | tonumber) / 1024 * 100 | round / 100)}) as $rows
      | {date: env.DATE,
         machine: {nproc: (env.NPROC | tonumber), arch: env.ARCH, kernel: env.KERNEL, cpu: env.CPU},
         versions: {keyward: env.KW_VERSION, gh: env.GH_VERSION, hyperfine: env.HF_VERSION},
         runs: (env.RUNS | tonumber), warmup: (env.WARMUP | tonumber), rss_runs: (env.RSS_RUNS | tonumber),
         results: $rows, speedup_median: (env.RATIO | tonumber), summary: env.VERDICT}' "$RESULTS"
  fi
  exit 0
fi

echo
echo "machine:   $NPROC cores, $ARCH${CPU:+, $CPU}, $KERNEL"
echo "versions:  $KW_VERSION | $GH_VERSION | $HF_VERSION"
echo "runs:      $RUNS per command after $WARMUP warmup (hyperfine -N); max RSS over $RSS_RUNS runs (/usr/bin/time -f %M)"
echo
awk -F'\t' '
  BEGIN { printf "%-20s %10s %s %9s %12s\n", "tool", "median ms", "      mean ± σ ms", "min ms", "max RSS MiB" }
  { printf "%-20s %10.2f %13.2f ± %5.2f %9.2f %12.1f\n", $1, $2, $3, $4, $5, $7 / 1024 }' "$RESULTS"
echo
echo "$VERDICT"
cat_med=$(median_of "floor: cat store")
echo "keyward auth token (file store) takes $(awk -v a="$kw_med" -v b="$cat_med" 'BEGIN {printf "%.2f", a / b}')x the time of cat of the store file (median)"
kc_med=$(median_of "keyward (keychain)")
if [ -n "$kc_med" ]; then
  echo "keyward auth token with the keychain store is $(awk -v a="$gh_med" -v b="$kc_med" 'BEGIN {printf "%.1f", a / b}')x faster than gh auth token (median)"
  st_med=$(median_of "floor: secret-tool")
  echo "keyward auth token with the keychain store takes $(awk -v a="$kc_med" -v b="$st_med" 'BEGIN {printf "%.2f", a / b}')x the time of secret-tool lookup (median)"
fi
base_med=$(median_of "baseline (file)")
if [ -n "$base_med" ]; then
  echo "this build vs BASELINE_BIN (file store): $(awk -v a="$kw_med" -v b="$base_med" 'BEGIN {printf "%.2f", a / b}')x (median)"
fi
