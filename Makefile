# The whole test suite: Go unit, conformance and end-to-end tests (race
# detector on), then the AWS CLI black-box script against a built binary.
.PHONY: test build vet bench

build:
	go build -o bin/pier ./cmd/pier

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	go vet ./...

test: vet
	go test -race -count=1 ./...
	bash test/cli/amplify.sh

bench:
	go test -run '^$$' -bench . -benchtime 2s ./...
