# Leakscope. `make run` opens the app (no FILES: the built-in demo);
# `make test` runs every check that CI runs.
GO      ?= go
FILES   ?=
PREFIX  ?= $(HOME)/.local
export PATH := $(PATH):/usr/local/go/bin

.PHONY: run test build check setup-run setup-test dumps clean

run: setup-run
	$(GO) run . $(FILES)

build:
	$(GO) build -o bin/leakscope .

test: setup-test check
	$(GO) test -race -count=1 ./...
	$(MAKE) build

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	bin/staticcheck ./...

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

# Regenerates the demo dumps from the leaky demo service.
dumps:
	GOEXPERIMENT=goroutineleakprofile $(GO) build -o bin/leakyd ./assets/demo/leakyd
	bin/leakyd -out assets/demo/dumps
	rm -f assets/demo/dumps/heap-*.txt assets/demo/dumps/goroutineleak-*

clean:
	rm -rf bin
