# Leakscope. `make run` opens the app (no FILES: the built-in demo);
# `make test` runs every check that CI runs.
GO      ?= go
FILES   ?=
PREFIX  ?= $(HOME)/.local
DATADIR ?= $(PREFIX)/share
BINDIR   = $(abspath $(PREFIX))/bin
APPID   := io.github.leakscope
# bin/go is the toolchain scripts/setup.sh installs when Go is missing or
# older than go.mod asks.
export PATH := $(CURDIR)/bin/go/bin:$(PATH):/usr/local/go/bin
# Fyne's bundled colour-emoji font (4 MB) is parsed once per text style as
# the window starts; the window shows no emoji, and a glyph its fonts lack
# still comes from the system's fonts. Without it the window starts sooner
# and holds about 20 MB less. Every build, test and check here uses it.
export GOFLAGS := $(strip $(GOFLAGS) -tags=no_emoji)

.PHONY: run test build check setup-run setup-test dumps demo-service clean install uninstall

run: setup-run
	$(GO) run . $(FILES)

build:
	$(GO) build -o bin/leakscope .

# Tests whose reference tool or display is missing fail; with
# LEAKSCOPE_SKIP_REFERENCE=1 they skip instead, and this says so.
skipped = @if [ "$$LEAKSCOPE_SKIP_REFERENCE" = 1 ]; then \
	echo '!!! LEAKSCOPE_SKIP_REFERENCE=1: tests whose reference tool (jeprof, gcc, Xvfb, ...) is missing were SKIPPED, not passed; go test -v lists them'; fi

# The tests run in three tiers, each named with its time: unit (go test
# -short: no other program runs), reference (checked against go tool pprof,
# jeprof, gcc and cargo builds; each reference program is built once and
# shared between packages through LEAKSCOPE_REFCACHE), and e2e (the real
# binary under Xvfb).
# The unit tier runs the model, the command line and the session under the
# race detector; the window's packages run without it, for the race build
# of its cgo toolkit alone takes minutes on a fresh machine.
export LEAKSCOPE_REFCACHE ?= $(CURDIR)/bin/refcache
REFERENCE_PKGS = $$($(GO) list ./... | grep -v /app/e2e)
RACE_PKGS = $$($(GO) list ./... | grep -v -e /leakscope$$ -e /app$$ -e /app/widget -e /app/e2e)

test: setup-test check
	$(skipped)
	@scripts/tier.sh unit $(GO) test -short -race -count=1 $(RACE_PKGS)
	@scripts/tier.sh unit-window $(GO) test -short -count=1 ./app/ ./app/widget/
	@scripts/tier.sh reference $(GO) test -count=1 $(REFERENCE_PKGS)
	@scripts/tier.sh e2e $(GO) test -count=1 ./app/e2e/
	$(skipped)
	$(MAKE) build

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=386 $(GO) vet ./diff/... ./flame/...
	bin/staticcheck ./...

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

# Runs the leaky demo service with net/http/pprof on ADDR, for leakscope watch.
ADDR ?= 127.0.0.1:6060
demo-service: setup-run
	$(GO) run ./assets/demo/leakyd -serve $(ADDR)

# Regenerates the demo dumps from the leaky demo service.
dumps:
	GOEXPERIMENT=goroutineleakprofile $(GO) build -o bin/leakyd ./assets/demo/leakyd
	bin/leakyd -out assets/demo/dumps
	rm -f assets/demo/dumps/heap-*.txt assets/demo/dumps/goroutineleak-*

# Installs the app for the current user (no root): the binary, the desktop
# entry, the icon and the MIME types, then refreshes the MIME and desktop
# databases so that double-clicking a dump opens Leakscope.
install: setup-run build
	install -Dm755 bin/leakscope $(PREFIX)/bin/leakscope
	@# The entry names the binary by its absolute path: GIO hides entries
	@# whose program is not on PATH, and ~/.local/bin often is not. The
	@# path is quoted only when it holds a space: xdg-open's own launcher
	@# (outside GNOME and KDE) does not read quotes.
	install -d $(DATADIR)/applications
	exe='$(BINDIR)/leakscope'; case "$$exe" in *" "*) exe="\"$$exe\"";; esac; \
	sed -e "s|^Exec=leakscope |Exec=$$exe |" -e 's|^TryExec=leakscope$$|TryExec=$(BINDIR)/leakscope|' \
		assets/linux/$(APPID).desktop > $(DATADIR)/applications/$(APPID).desktop
	chmod 644 $(DATADIR)/applications/$(APPID).desktop
	install -Dm644 assets/linux/$(APPID).xml $(DATADIR)/mime/packages/$(APPID).xml
	install -Dm644 assets/icon.png $(DATADIR)/icons/hicolor/512x512/apps/$(APPID).png
	install -Dm644 assets/icon.svg $(DATADIR)/icons/hicolor/scalable/apps/$(APPID).svg
	-update-mime-database $(DATADIR)/mime
	-update-desktop-database $(DATADIR)/applications
	-gtk-update-icon-cache -q -t $(DATADIR)/icons/hicolor 2>/dev/null
	@echo "Installed $(BINDIR)/leakscope; double-clicking a dump opens it. Add $(BINDIR) to PATH to type leakscope in a terminal."

uninstall:
	rm -f $(PREFIX)/bin/leakscope
	rm -f $(DATADIR)/applications/$(APPID).desktop
	rm -f $(DATADIR)/mime/packages/$(APPID).xml
	rm -f $(DATADIR)/icons/hicolor/512x512/apps/$(APPID).png
	rm -f $(DATADIR)/icons/hicolor/scalable/apps/$(APPID).svg
	-update-mime-database $(DATADIR)/mime
	-update-desktop-database $(DATADIR)/applications

clean:
	rm -rf bin
