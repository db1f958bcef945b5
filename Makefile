# The whole test suite: Go unit, conformance and end-to-end tests (race
# detector on) against real peers — SQLite, PostgreSQL (started by the
# tests from the machine's binaries), versitygw (installed here) — then the
# AWS CLI black-box script against a built binary.
.PHONY: test build vet peers bench

GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

build:
	go build -o bin/pier ./cmd/pier

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	go vet ./...

# peers installs the S3-compatible server the tests start (cached after the
# first build) and, where it is missing and we may, bubblewrap, the build
# sandbox.
peers:
	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null; } || echo "bubblewrap is not installed: the build tests will be skipped"

test: vet peers
	go test -race -count=1 ./...
	bash test/cli/amplify.sh
	bash test/backend/run.sh

bench:
	go test -run '^$$' -bench . -benchtime 2s ./...
