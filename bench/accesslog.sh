#!/usr/bin/env bash
# The cost of access logging: the same site served by two Pier edge nodes
# sharing one database and blob directory, one with access logs on (the
# default) and one with --access-logs=false, measured alternately with wrk in
# one run. Prints requests/s of both and their ratio (target: on/off ≥ 0.95),
# then checks that the logging node's records reached the blob store.
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
API=$(port); ON=$(port); OFF=$(port); PPROF=$(port)
# The API and runner run in a node of their own, so that the two measured nodes differ in
# nothing but --access-logs.
"$TMP/pier" serve --data-dir "$TMP/api" --roles api,runner --api-addr "127.0.0.1:$API" $SHARED >"$TMP/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -s "http://127.0.0.1:$API/_pier/info" >/dev/null && break; sleep 0.1; done
"$TMP/pier" serve --data-dir "$TMP/node1" --roles edge --edge-addr "127.0.0.1:$ON" --access-logs=${ON_LOGS:-true} --pprof-addr "127.0.0.1:$PPROF" $SHARED >"$TMP/on.log" 2>&1 &
PIDS+=($!)
"$TMP/pier" serve --data-dir "$TMP/node2" --roles edge --edge-addr "127.0.0.1:$OFF" --access-logs=false $SHARED >"$TMP/off.log" 2>&1 &
PIDS+=($!)
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
printf '%-28s %14s %14s %8s\n' scenario "logs off req/s" "logs on req/s" "on/off"
# row measures both nodes alternately, ROUNDS times each, and keeps each
# one's best.
row() {
  local name=$1 path=$2; shift 2
  local off=0 on=0 v
  for _ in $(seq "$ROUNDS"); do
    v=$(rps "http://127.0.0.1:$OFF$path" -H "Host: $HOST" "$@"); off=$(python3 -c "print(max($off, $v))")
    v=$(rps "http://127.0.0.1:$ON$path" -H "Host: $HOST" "$@"); on=$(python3 -c "print(max($on, $v))")
  done
  printf '%-28s %14.0f %14.0f %7.3fx\n' "$name" "$off" "$on" "$(python3 -c "print($on/$off)")"
}
row "small file (2 KB)" /index.html
row "random of 1,000 small files" / -s "$SITE.lua"
row "1 MiB file" /big.bin

# PROFILE=FILE also writes a CPU profile of the logging node serving the
# small file (go tool pprof FILE).
if [ -n "${PROFILE:-}" ]; then
  curl -s -o "$PROFILE" "http://127.0.0.1:$PPROF/debug/pprof/profile?seconds=5" &
  prof=$!
  rps "http://127.0.0.1:$ON/index.html" -H "Host: $HOST" >/dev/null
  wait "$prof"
  cp "$TMP/pier" "$PROFILE.bin"
  echo "profile of the logging node: go tool pprof $PROFILE.bin $PROFILE"
fi

sleep 1.5 # the last flush
segments=$(find "$TMP/blobs/access-logs/$APP" -name '*.log' | wc -l)
lines=$(find "$TMP/blobs/access-logs/$APP" -name '*.log' -exec cat {} + | wc -l)
echo "access log: $lines records in $segments segments in the blob store"
grep -i "dropped" "$TMP/on.log" || true
