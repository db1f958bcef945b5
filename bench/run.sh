#!/usr/bin/env bash
# Serves the same files with nginx and with the Pier edge on loopback and
# runs wrk against both in one run: a small file, a random one of 1,000
# small files, and a 1 MiB file. Prints requests/s and the Pier/nginx ratio.
#
#   bash bench/run.sh                 # best of 2 alternating 5 s runs each
#   DURATION=10s ROUNDS=3 bash bench/run.sh
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
chmod 755 "$TMP" # nginx workers run as an unprivileged user
cleanup() {
  [ -n "${PIER_PID:-}" ] && kill "$PIER_PID" 2>/dev/null || true
  [ -f "$TMP/nginx/nginx.pid" ] && kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# The site: one small page, 1,000 small files, one 1 MiB file.
SITE=$TMP/site
make_site "$SITE"

# Pier: serve, create an app and branch, deploy the site.
go build -o "$TMP/pier" ./cmd/pier
API=$(port); EDGE=$(port)
export PIER_ACCESS_KEY_ID=AKIABENCH0000000000 PIER_SECRET_ACCESS_KEY=bench-secret
export AWS_ACCESS_KEY_ID=$PIER_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$PIER_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
"$TMP/pier" serve --data-dir "$TMP/data" --api-addr "127.0.0.1:$API" --edge-addr "127.0.0.1:$EDGE" --log-level error >"$TMP/pier.log" 2>&1 &
PIER_PID=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$API/_pier/info" >/dev/null && break; sleep 0.1; done
E="--endpoint-url http://127.0.0.1:$API"
APP=$(aws amplify create-app --name bench $E --query app.appId --output text)
aws amplify create-branch --app-id "$APP" --branch-name main $E >/dev/null
"$TMP/pier" deploy "$SITE" --app "$APP" --branch main --endpoint "http://127.0.0.1:$API" >/dev/null
HOST="main.$APP.localhost"

# nginx: sendfile, no access log, one worker per core.
NGINX=$(port)
mkdir -p "$TMP/nginx/logs"
cat > "$TMP/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX; root $SITE; }
}
CONF
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx"
sleep 0.3

# rps URL [wrk args…] prints the requests/s wrk measured.
rps() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}
check() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $1" "$2")" = 200 ] || { echo "bench: $2 is not served"; exit 1; }; }
check "$HOST" "http://127.0.0.1:$EDGE/index.html"; check "$HOST" "http://127.0.0.1:$EDGE/big.bin"
check localhost "http://127.0.0.1:$NGINX/index.html"

printf '%-28s %12s %12s %8s\n' scenario "nginx req/s" "pier req/s" ratio
# row measures nginx and Pier alternately, ROUNDS times each, and keeps each
# one's best: load from other processes then penalizes neither side.
row() {
  local name=$1 path=$2; shift 2
  local n=0 p=0 v
  for _ in $(seq "$ROUNDS"); do
    v=$(rps "http://127.0.0.1:$NGINX$path" "$@"); n=$(python3 -c "print(max($n, $v))")
    v=$(rps "http://127.0.0.1:$EDGE$path" -H "Host: $HOST" "$@"); p=$(python3 -c "print(max($p, $v))")
  done
  printf '%-28s %12.0f %12.0f %7.2fx\n' "$name" "$n" "$p" "$(python3 -c "print($p/$n)")"
}
row "small file (2 KB)" /index.html
row "random of 1,000 small files" / -s "$SITE.lua"
row "1 MiB file" /big.bin

# The same site with the SPA rewrite rule and 10 custom header rules
# (nginx still serves it without rules).
python3 - "$TMP/rules.json" "$TMP/headers.yml" <<'PY'
import json, sys
spa = r"</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>"
json.dump([{"source": spa, "target": "/index.html", "status": "200"}], open(sys.argv[1], "w"))
lines = ["customHeaders:"]
patterns = ["**", "*.html", "/small/**", "*.css", "*.js", "/api/**", "*.png", "/img/*", "*.json", "/docs/**"]
for i, p in enumerate(patterns):
    lines += ["  - pattern: '%s'" % p, "    headers:", "      - key: X-Rule-%d" % i, "        value: 'v%d'" % i]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
aws amplify update-app --app-id "$APP" $E --custom-rules "file://$TMP/rules.json" --custom-headers "file://$TMP/headers.yml" >/dev/null
sleep 1.5 # the edge re-reads the app within its 1 s site TTL
check "$HOST" "http://127.0.0.1:$EDGE/index.html"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$EDGE/no/such/route")" = 200 ] || { echo "bench: the SPA rule is not applied"; exit 1; }
row "small file, SPA + 10 headers" /index.html
row "random of 1,000, SPA + 10 hdr" / -s "$SITE.lua"
