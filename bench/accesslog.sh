#!/usr/bin/env bash
# The cost of access logging: the same site served by two Pier edge nodes
# sharing one database and blob directory, one with access logs on (the
# default) and one with --access-logs=false, measured alternately with wrk in
# one run. Prints requests/s of both and their ratio (target: on/off ≥ 0.95),
# the CPU time each node spent per request, then checks that the logging
# node's records reached the blob store. ON_LOGS=false turns logging off on
# both nodes: what the same measurement shows for two identical nodes.
#
#   bash bench/accesslog.sh
#   DURATION=10s ROUNDS=3 bash bench/accesslog.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}

. bench/lib.sh
need wrk wrk

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

SITE=$TMP/site
make_site "$SITE"

go build -o "$TMP/pier" ./cmd/pier
export PIER_ACCESS_KEY_ID=AKIABENCH0000000000 PIER_SECRET_ACCESS_KEY=bench-secret
export AWS_ACCESS_KEY_ID=$PIER_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$PIER_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
SHARED="--database sqlite:$TMP/pier.db --blob file:$TMP/blobs --log-level error"
API=$(port); ON=$(port); OFF=$(port); PPROF_ON=$(port); PPROF_OFF=$(port)
# The API and runner run in a node of their own, so that the two measured nodes differ in
# nothing but --access-logs.
"$TMP/pier" serve --data-dir "$TMP/api" --roles api,runner --api-addr "127.0.0.1:$API" $SHARED >"$TMP/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -s "http://127.0.0.1:$API/_pier/info" >/dev/null && break; sleep 0.1; done
"$TMP/pier" serve --data-dir "$TMP/node1" --roles edge --edge-addr "127.0.0.1:$ON" --access-logs=${ON_LOGS:-true} --pprof-addr "127.0.0.1:$PPROF_ON" $SHARED >"$TMP/on.log" 2>&1 &
PIDS+=($!); ONPID=$!
"$TMP/pier" serve --data-dir "$TMP/node2" --roles edge --edge-addr "127.0.0.1:$OFF" --access-logs=false --pprof-addr "127.0.0.1:$PPROF_OFF" $SHARED >"$TMP/off.log" 2>&1 &
PIDS+=($!); OFFPID=$!
E="--endpoint-url http://127.0.0.1:$API"
APP=$(aws amplify create-app --name bench $E --query app.appId --output text)
aws amplify create-branch --app-id "$APP" --branch-name main $E >/dev/null
"$TMP/pier" deploy "$SITE" --app "$APP" --branch main --endpoint "http://127.0.0.1:$API" >/dev/null
HOST="main.$APP.localhost"
sleep 1.5 # the second node learns of the deployment within its 1 s site TTL
for p in $ON $OFF; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$p/index.html")" = 200 ] || { echo "bench: port $p does not serve the site"; exit 1; }
done

rps() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}
# ticks prints the CPU time process $1 has used, in clock ticks.
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# measure PID URL WRK-ARGS... prints the requests/s of one wrk run against
# URL, the requests done and the CPU ticks node PID used meanwhile.
measure() {
  local pid=$1 url=$2; shift 2
  local c0 out
  c0=$(ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/requests in/ {print $1}') $(( $(ticks "$pid") - c0 ))"
}
printf '%-28s %14s %14s %8s %8s %18s\n' scenario "logs off req/s" "logs on req/s" "on/off" "median" "CPU us/req off/on"
# row measures both nodes alternately, ROUNDS times each. It prints each
# one's best requests/s and their ratio, the median of the ratios of the
# rounds (each round measures both nodes back to back, so a load that
# changes slowly cancels out), and the CPU time each node spent per request
# over all rounds: on a machine shared with other work that is the steadier
# measure of what logging costs.
row() {
  local name=$1 path=$2; shift 2
  local runs=""
  for _ in $(seq "$ROUNDS"); do
    runs="$runs $(measure "$OFFPID" "http://127.0.0.1:$OFF$path" -H "Host: $HOST" "$@")"
    runs="$runs $(measure "$ONPID" "http://127.0.0.1:$ON$path" -H "Host: $HOST" "$@")"
  done
  python3 - "$name" "$(getconf CLK_TCK)" $runs <<'PY'
import statistics, sys
name, hz, v = sys.argv[1], float(sys.argv[2]), [float(x) for x in sys.argv[3:]]
runs = [v[i:i + 3] for i in range(0, len(v), 3)]
off, on = runs[0::2], runs[1::2]
best_off, best_on = max(r[0] for r in off), max(r[0] for r in on)
median = statistics.median(b[0] / a[0] for a, b in zip(off, on))
cpu = lambda rs: sum(r[2] for r in rs) / hz / sum(r[1] for r in rs) * 1e6
print("%-28s %14.0f %14.0f %7.3fx %7.3fx %8.1f / %-8.1f" % (name, best_off, best_on, best_on / best_off, median, cpu(off), cpu(on)))
PY
}
row "small file (2 KB)" /index.html
row "random of 1,000 small files" / -s "$SITE.lua"
row "1 MiB file" /big.bin

# PROFILE=FILE also writes CPU profiles of both nodes serving the small
# file, FILE.on and FILE.off (go tool pprof -diff_base FILE.off FILE.bin
# FILE.on shows what logging adds).
if [ -n "${PROFILE:-}" ]; then
  secs=${DURATION%s}
  for n in on off; do
    if [ $n = on ]; then p=$ON; pp=$PPROF_ON; else p=$OFF; pp=$PPROF_OFF; fi
    curl -s -o "$PROFILE.$n" "http://127.0.0.1:$pp/debug/pprof/profile?seconds=$secs" &
    prof=$!
    rps "http://127.0.0.1:$p/index.html" -H "Host: $HOST" >/dev/null
    wait "$prof"
  done
  cp "$TMP/pier" "$PROFILE.bin"
  echo "profiles: go tool pprof -diff_base $PROFILE.off $PROFILE.bin $PROFILE.on"
fi

sleep 1.5 # the last flush
if [ -d "$TMP/blobs/access-logs/$APP" ]; then
  segments=$(find "$TMP/blobs/access-logs/$APP" -name '*.log' | wc -l)
  lines=$(find "$TMP/blobs/access-logs/$APP" -name '*.log' -exec cat {} + | wc -l)
  bytes=$(find "$TMP/blobs/access-logs/$APP" -name '*.log' -exec cat {} + | wc -c)
  echo "access log: $lines records ($bytes bytes) in $segments segments in the blob store"
fi
grep -i "dropped" "$TMP/on.log" || true
