# Amana: `make run` starts the app, `make test` runs every test.
# Both install what is missing first (Debian/Ubuntu, as root or with sudo).

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/amana-target
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Build dependencies of the core and the desktop shell, and the tools the tests drive.
APT_PACKAGES := build-essential pkg-config curl wget file libssl-dev libdbus-1-dev \
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev \
  xvfb xauth webkit2gtk-driver gnome-keyring dbus-daemon dbus-x11 libsecret-tools \
  imagemagick age keyutils strace time

.PHONY: run test setup ui bench fmt lint

setup: .setup-stamp-$(shell echo $(APT_PACKAGES) | md5sum | cut -c1-8)

.setup-stamp-%:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -q -o DPkg::Lock::Timeout=900 && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=900 $$missing; \
	fi
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked
	@rm -f .setup-stamp-* && touch $@

# Every test: unit, integration (with crash points compiled in), doc tests.
test: setup ui
	$(CARGO) fetch --locked
	$(CARGO) build --locked --features fault-injection --all-targets
	$(CARGO) nextest run --locked --features fault-injection --no-fail-fast
	$(CARGO) test --locked --doc

# The desktop app, serving the built UI from the binary (no dev server, no network).
run: setup ui
	$(CARGO) build --locked --release -p amana-desktop --features custom-protocol
	$(CARGO_TARGET_DIR)/release/amana-desktop

# The frontend: installed from package-lock.json, built into ui/dist.
ui: ui/dist/index.html

ui/dist/index.html: $(shell find ui/src ui/index.html ui/package.json ui/package-lock.json -type f 2>/dev/null)
	cd ui && npm ci --no-audit --no-fund && npm run build

bench: setup
	$(CARGO) run --locked --release --example cipher_memory_security

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --all-targets --features fault-injection -- -D warnings
