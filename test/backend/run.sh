#!/usr/bin/env bash
# Black-box test of Pier's AmplifyBackend storage API with boto3: builds pier,
# starts versitygw (with --iam-dir, so Pier can create users) and "pier
# serve --backend-s3-endpoint" on free loopback ports with fresh data dirs,
# creates a second versitygw user that owns a bucket of its own, and runs
# test/backend/storage_test.py against them.
#
# Run from anywhere: bash test/backend/run.sh
# Needs: go, versitygw (in $(go env GOPATH)/bin or on PATH), python3 with boto3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

KEY_ID=AKIAPIERBACKENDTEST1
SECRET=pier-backend-test-secret-0123456789
S3_ROOT_KEY=versityroot
S3_ROOT_SECRET=versity-root-secret-0123456789
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_REGION
export AWS_DEFAULT_REGION=us-east-1
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

VERSITYGW=$(command -v versitygw || true)
if [[ -z $VERSITYGW ]]; then
	VERSITYGW="$(go env GOPATH)/bin/versitygw"
fi
if [[ ! -x $VERSITYGW ]]; then
	echo "Bail out! versitygw not found (go install github.com/versity/versitygw/cmd/versitygw@latest)" >&2
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pier-backend.XXXXXX")
PIER_PID="" VGW_PID=""
cleanup() {
	local rc=$?
	for pid in $PIER_PID $VGW_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ $rc -ne 0 ]]; then
		echo "--- pier log"; tail -n 50 "$TMP/pier.log" 2>/dev/null || true
		echo "--- versitygw log"; tail -n 20 "$TMP/versitygw.log" 2>/dev/null || true
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! go build -o "$TMP/pier" ./cmd/pier; then
	echo "Bail out! go build ./cmd/pier failed" >&2
	exit 1
fi

read -r PORT EDGE_PORT S3_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')
EP="http://127.0.0.1:$PORT"
S3="http://127.0.0.1:$S3_PORT"

# wait_port PID PORT NAME: wait until PORT accepts connections.
wait_port() {
	for _ in $(seq 200); do
		if ! kill -0 "$1" 2>/dev/null; then
			echo "Bail out! $3 exited" >&2
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "Bail out! $3 did not listen on $2" >&2
	return 1
}

mkdir -p "$TMP/s3/iam" "$TMP/s3/data"
ROOT_ACCESS_KEY=$S3_ROOT_KEY ROOT_SECRET_KEY=$S3_ROOT_SECRET \
	"$VERSITYGW" --port "127.0.0.1:$S3_PORT" --iam-dir "$TMP/s3/iam" posix "$TMP/s3/data" \
	>"$TMP/versitygw.log" 2>&1 &
VGW_PID=$!
wait_port "$VGW_PID" "$S3_PORT" versitygw

# Another account of the store, with a bucket Pier's credentials do not own.
OTHER_KEY=otheruser OTHER_SECRET=other-user-secret-0123456789 OTHER_BUCKET=other-users-bucket
admin() {
	"$VERSITYGW" admin -a "$S3_ROOT_KEY" -s "$S3_ROOT_SECRET" --er "$S3" "$@" >>"$TMP/versitygw.log" 2>&1
}
admin create-user -a "$OTHER_KEY" -s "$OTHER_SECRET" -r user
admin create-bucket --owner "$OTHER_KEY" --bucket "$OTHER_BUCKET"

env -u PIER_ACCOUNT_ID PIER_ACCESS_KEY_ID="$KEY_ID" PIER_SECRET_ACCESS_KEY="$SECRET" \
	PIER_BACKEND_S3_ACCESS_KEY="$S3_ROOT_KEY" PIER_BACKEND_S3_SECRET_KEY="$S3_ROOT_SECRET" \
	"$TMP/pier" serve --data-dir "$TMP/data" --api-addr "127.0.0.1:$PORT" \
	--edge-addr "127.0.0.1:$EDGE_PORT" --backend-s3-endpoint "$S3" --log-level info \
	>"$TMP/pier.log" 2>&1 &
PIER_PID=$!
wait_port "$PIER_PID" "$PORT" pier

PIER_ENDPOINT=$EP PIER_BIN="$TMP/pier" PIER_KEY_ID=$KEY_ID PIER_SECRET=$SECRET \
	S3_ENDPOINT=$S3 S3_ROOT_KEY=$S3_ROOT_KEY S3_ROOT_SECRET=$S3_ROOT_SECRET \
	OTHER_BUCKET=$OTHER_BUCKET \
	python3 "$ROOT/test/backend/storage_test.py" -v
