#!/usr/bin/env bash
# Edge scale-out: the same site served by one Pier edge node and by two,
# each time behind the same nginx load splitter (round robin, keep-alive
# upstreams) on loopback, measured with wrk in one run. Both nodes share one
# database and blob directory (node 2 runs only the edge role). Prints
# requests/s and the two-node/one-node ratio.
#
#   bash bench/edges.sh               # best of 2 alternating 5 s runs each
#   DURATION=10s ROUNDS=3 bash bench/edges.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}

. bench/lib.sh
need wrk wrk
need nginx nginx

TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$TMP"/lb*/nginx.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
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
API=$(port); EDGE1=$(port); EDGE2=$(port)
"$TMP/pier" serve --data-dir "$TMP/node1" --api-addr "127.0.0.1:$API" --edge-addr "127.0.0.1:$EDGE1" $SHARED >"$TMP/node1.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -s "http://127.0.0.1:$API/_pier/info" >/dev/null && break; sleep 0.1; done
"$TMP/pier" serve --data-dir "$TMP/node2" --roles edge --edge-addr "127.0.0.1:$EDGE2" $SHARED >"$TMP/node2.log" 2>&1 &
PIDS+=($!)
E="--endpoint-url http://127.0.0.1:$API"
APP=$(aws amplify create-app --name bench $E --query app.appId --output text)
aws amplify create-branch --app-id "$APP" --branch-name main $E >/dev/null
"$TMP/pier" deploy "$SITE" --app "$APP" --branch main --endpoint "http://127.0.0.1:$API" >/dev/null
HOST="main.$APP.localhost"

# lb NAME PORT UPSTREAM… starts an nginx that splits requests across the
# upstreams, keeping connections to them open.
lb() {
  local name=$1 listen=$2; shift 2
  local servers=""
  for u in "$@"; do servers+="server 127.0.0.1:$u; "; done
  mkdir -p "$TMP/$name/logs"
  cat > "$TMP/$name/nginx.conf" <<CONF
worker_processes auto;
pid $TMP/$name/nginx.pid;
error_log $TMP/$name/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream edges { $servers keepalive 128; }
  server {
    listen 127.0.0.1:$listen;
    location / {
      proxy_pass http://edges;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
  nginx -c "$TMP/$name/nginx.conf" -p "$TMP/$name"
}
LB1=$(port); LB2=$(port)
lb lb1 "$LB1" "$EDGE1"
lb lb2 "$LB2" "$EDGE1" "$EDGE2"
sleep 0.5
for p in "$EDGE1" "$EDGE2" "$LB1" "$LB2"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$p/index.html")" = 200 ] || { echo "bench: port $p does not serve the site"; exit 1; }
done

rps() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "Host: $HOST" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}
printf '%-28s %14s %14s %8s\n' scenario "1 edge req/s" "2 edges req/s" ratio
row() {
  local name=$1 path=$2; shift 2
  local one=0 two=0 v
  for _ in $(seq "$ROUNDS"); do
    v=$(rps "http://127.0.0.1:$LB1$path" "$@"); one=$(python3 -c "print(max($one, $v))")
    v=$(rps "http://127.0.0.1:$LB2$path" "$@"); two=$(python3 -c "print(max($two, $v))")
  done
  printf '%-28s %14.0f %14.0f %7.2fx\n' "$name" "$one" "$two" "$(python3 -c "print($two/$one)")"
}
row "small file (2 KB)" /index.html
row "random of 1,000 small files" / -s "$SITE.lua"
echo "cores: $(nproc) (wrk, nginx and both edges share them)"
