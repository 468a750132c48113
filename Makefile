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
  imagemagick age keyutils strace time openssl debootstrap xdotool poppler-utils \
  gdb iproute2 e2fsprogs bubblewrap

.PHONY: run test setup ui bench bench-full fmt lint check

setup: .setup-stamp-$(shell echo $(APT_PACKAGES) | md5sum | cut -c1-8)

.setup-stamp-%:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -q -o DPkg::Lock::Timeout=900 && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=900 $$missing; \
	fi
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked
	@command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked
	@rm -f .setup-stamp-* && touch $@

# Every test: unit, integration (with crash points compiled in), doc tests.
test: setup ui
	cd ui && npm run typecheck && npm test
	$(CARGO) fetch --locked
	$(CARGO) build --locked --features fault-injection --all-targets
	$(CARGO) nextest run --locked --features fault-injection --no-fail-fast
	$(CARGO) nextest run --locked -p amana-desktop --no-fail-fast
	$(CARGO) nextest run --locked -p amana-sqlite-heap --no-fail-fast
	$(CARGO) test --locked --doc
	$(MAKE) deny
	$(MAKE) fuzz-smoke
	$(MAKE) e2e
	$(MAKE) package-test

# The desktop app, serving the built UI from the binary (no dev server, no network).
run: setup ui
	$(CARGO) build --locked --release -p amana-desktop --features custom-protocol
	$(CARGO_TARGET_DIR)/release/amana-desktop

# The frontend: installed from package-lock.json, built into ui/dist.
ui: ui/dist/index.html

ui/dist/index.html: $(shell find ui/src ui/index.html ui/package.json ui/package-lock.json -type f 2>/dev/null)
	cd ui && npm ci --no-audit --no-fund && npm run build

# Benchmarks side by side with age, tar, openssl and plain SQLite
# (benches/amana_bench.rs): prints a table, writes BENCHMARKS.md and the plots
# in docs/bench/. `make bench` is the quick mode (a few minutes); `make
# bench-full` goes to 1,000,000 testimonies and 4 GiB of evidence (about an
# hour or more, and ~30 GiB free in the temp folder; AMANA_BENCH_DIR chooses
# another).
bench: setup
	$(CARGO) build --locked --release --bin amana
	AMANA_BENCH=quick $(CARGO) bench --locked --bench amana_bench

bench-full: setup
	$(CARGO) build --locked --release --bin amana
	AMANA_BENCH=full $(CARGO) bench --locked --bench amana_bench

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --all-targets --features fault-injection -- -D warnings
	$(CARGO) clippy -p amana-desktop --all-targets -- -D warnings

# The fast inner loop (a few minutes warm): formatting, lints, the core's
# and the app's unit tests, the source checks (one owner per capability,
# the dependency policy), the UI's types and Vitest. `make test` is still
# the full suite CI runs.
check: ui/node_modules/.package-lock.json
	$(CARGO) fmt --all -- --check
	$(MAKE) lint
	$(CARGO) nextest run --locked --features fault-injection --lib --test one_owner --test dependency_policy
	$(CARGO) nextest run --locked -p amana-desktop
	cd ui && npm run typecheck && npm test

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

# The fuzz targets (fuzz/, cargo-fuzz: bundle reader, manifest, key file, record JSON), FUZZ_SECONDS each,
# starting from the seeds in fuzz/seeds/. cargo-fuzz needs nightly-only flags
# (-Zsanitizer=address): RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# Its own target folder, so the instrumented build never mixes with the normal one.
FUZZ_TARGET_DIR ?= $(HOME)/.cache/amana-fuzz-target
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := bundle_reader manifest key_file record_json

.PHONY: fuzz-smoke
fuzz-smoke:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  CARGO_TARGET_DIR=$(FUZZ_TARGET_DIR) RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1; \
	done

# The real desktop app driven through WebDriver under Xvfb (tests/e2e/run.mjs):
# a researcher's session, screenshots into docs/screenshots/, then a leak scan,
# a memory dump of the locked app scanned for canaries and the vault key
# (tests/e2e/memory.mjs), all in a network namespace with only loopback and
# under strace: any connect() to a non-loopback address fails the run
# (tests/e2e/no_network.sh).
.PHONY: e2e
e2e: setup ui
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked
	$(CARGO) build --locked -p amana-desktop --features custom-protocol
	$(CARGO) build --locked --bin amana
	$(CARGO) build --locked --example vault_key_for_tests
	tests/e2e/no_network.sh node tests/e2e/run.mjs $(CARGO_TARGET_DIR)/debug/amana-desktop $(CARGO_TARGET_DIR)/debug/amana
	tests/e2e/no_network.sh node tests/e2e/open_bundle.mjs $(CARGO_TARGET_DIR)/debug/amana-desktop $(CARGO_TARGET_DIR)/debug/amana

# The Linux package (packaging/): a .deb with the desktop app, the `amana` CLI,
# the desktop entry and the .amana file type; its sha256 is written beside it.
# (No AppImage: Tauri's AppImage bundler downloads linuxdeploy and AppRun from
# GitHub at build time, which this build must not need; see README.)
.PHONY: package package-test
package: setup ui
	cd packaging && npm ci --no-audit --no-fund
	packaging/build-deb.sh

# The .deb installed on a clean Debian 12 (debootstrap root cached in
# ~/.cache/amana-package-test, dpkg -i + apt-get -f install from the Debian
# mirror), then the installed CLI and app started; see packaging/package-test.sh.
package-test: package
	packaging/package-test.sh $(CARGO_TARGET_DIR)/release/bundle/deb/Amana_$$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json | head -1)_$$(dpkg --print-architecture).deb

# The dependency policy (deny.toml): no HTTP client or TLS stack, licences,
# sources. Offline: the advisories check needs the RustSec database from
# GitHub, so it is left to `cargo deny check advisories` where that is reachable.
.PHONY: deny
deny:
	$(CARGO) deny --offline check bans licenses sources
