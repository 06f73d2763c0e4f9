# `make run` and `make test` work on a fresh machine: they create .venv and install first.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
DB ?= sqlite:///$(CURDIR)/instance/approvals.sqlite3

.PHONY: install run test test-year-ahead faketime-deps lint bench bench-1m browser-deps print-deps test-servers-deps clean

# The first install takes about two minutes: each stage says so and pip shows every package,
# so a newcomer sees it working rather than a silent terminal.
$(STAMP): pyproject.toml
	@echo "==> [1/3] creating the virtual environment $(VENV) (first run only)"
	test -x $(PY) || python3 -m venv $(VENV)
	@echo "==> [2/3] upgrading pip"
	$(PY) -m pip install --upgrade pip
	@echo "==> [3/3] installing approvals and its dependencies (about two minutes the first time)"
	$(PY) -m pip install -e '.[test,postgres,serve,bench]'
	touch $(STAMP)
	@echo "==> installed; later runs skip this until pyproject.toml changes"

install: $(STAMP)

# Chromium and a CJK font for the browser tests; installed only when missing and running as root.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-wqy-microhei >/dev/null)) \
	     && echo "installed chromium and fonts-wqy-microhei"; \
	  else echo "chromium or fonts-wqy-microhei missing and not root: browser tests will be skipped"; fi; \
	fi

# WeasyPrint's system libraries (pango, harfbuzz) and a CJK font for the PDF 审批单, and
# poppler-utils (pdftoppm, pdftotext) with which the tests read the PDF back. Installed only when
# missing and running as root; without them the PDF tests are skipped, saying why.
PRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei poppler-utils
print-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! command -v pdftoppm >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q $(PRINT_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(PRINT_PACKAGES) >/dev/null)) \
	     && echo "installed $(PRINT_PACKAGES)"; \
	  else echo "pango, poppler-utils or fonts-wqy-microhei missing and not root: PDF tests will be skipped"; fi; \
	fi

# The identity servers the sign-in tests start on 127.0.0.1 (docs/sign-in.md): node with the npm
# package oidc-provider (tests/servers/oidc/, installed into its node_modules once), and Debian's
# slapd with ldap-utils. System packages only when missing and running as root; without them
# those tests are skipped, saying why.
IDENTITY_PACKAGES := nodejs npm slapd ldap-utils
test-servers-deps:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null || [ ! -x /usr/sbin/slapd ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    (apt-get install -y -q $(IDENTITY_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(IDENTITY_PACKAGES) >/dev/null)) \
	     && echo "installed $(IDENTITY_PACKAGES)"; \
	  else echo "node, npm or slapd missing and not root: the OIDC and LDAP sign-in tests will be skipped"; fi; \
	fi
	@if command -v npm >/dev/null && [ ! -d tests/servers/oidc/node_modules/oidc-provider ]; then \
	  cd tests/servers/oidc && npm install --no-audit --no-fund --silent && echo "installed oidc-provider"; fi

# The worker (scheduled jobs: notifications and reminders, audit checkpoints, access-log pruning) runs beside the server and
# stops with it. The demo key and checkpoints live under instance/; in production the key and
# the checkpoint directory are kept off the database server (docs/security.md).
# 国密 (docs/security.md, "Switching a deployment to 国密"): `make run APPROVALS_CRYPTO_PROFILE=gm`
# (or the variable exported) makes an SM2 checkpoint key and an SM4 data key under instance/ when
# missing and runs with them: the chain switches to SM3 at the worker's next checkpoint.
APPROVALS_CRYPTO_PROFILE ?= standard
ifeq ($(APPROVALS_CRYPTO_PROFILE),gm)
CHECKPOINT_KEY ?= $(CURDIR)/instance/audit-key-sm2/checkpoint-key.pem
CHECKPOINT_DIR ?= $(CURDIR)/instance/checkpoints-sm2
DATA_KEY_FILE ?= $(CURDIR)/instance/data-keys
endif
CHECKPOINT_KEY ?= $(CURDIR)/instance/audit-key/checkpoint-key.pem
CHECKPOINT_DIR ?= $(CURDIR)/instance/checkpoints
# The demo lets administrators and inspectors in with the password alone, so the tour works
# without an authenticator app; a deployment keeps the default, `required` (docs/sign-in.md).
TWO_FACTOR ?= off
RUN_ENV = APPROVALS_DATABASE_URL=$(DB) APPROVALS_CRYPTO_PROFILE=$(APPROVALS_CRYPTO_PROFILE) \
  $(if $(DATA_KEY_FILE),APPROVALS_DATA_KEY_FILE=$(DATA_KEY_FILE))

run: $(STAMP)
	@echo "==> preparing the database in instance/ (the demo org chart on a new database only; a restart keeps everything)"
	mkdir -p instance
	$(if $(DATA_KEY_FILE),test -f $(DATA_KEY_FILE) || $(VENV)/bin/approvals crypto keygen --file $(DATA_KEY_FILE))
	test -f $(CHECKPOINT_KEY) || $(RUN_ENV) $(VENV)/bin/approvals audit keygen --out $(dir $(CHECKPOINT_KEY))
	$(RUN_ENV) $(VENV)/bin/approvals init-db --demo
	@echo "==> serving http://$(HOST):$(PORT)/ ($(APPROVALS_CRYPTO_PROFILE) cryptography) with the worker beside it; Ctrl-C stops both, the data stays in instance/"
	export $(RUN_ENV) APPROVALS_CHECKPOINT_KEY=$(CHECKPOINT_KEY) \
	  APPROVALS_CHECKPOINT_DIR=$(CHECKPOINT_DIR) APPROVALS_TWO_FACTOR=$(TWO_FACTOR); \
	$(VENV)/bin/approvals worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(VENV)/bin/approvals serve --host $(HOST) --port $(PORT)

test: $(STAMP) browser-deps print-deps test-servers-deps
	$(PY) -m pytest -q

# Proof that no test depends on today's date: the engine and web tests once more with the
# machine's clock a year ahead (libfaketime shifts this process and every subprocess it starts).
# Every engine in the tests runs on a FixedClock; a test that reads the real date fails here.
# SQLite only and no browser: the shift is about dates, not databases or pages.
FAKETIME_LIB := /usr/lib/$(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/faketime/libfaketime.so.1
faketime-deps:
	@if [ ! -f $(FAKETIME_LIB) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q faketime >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q faketime >/dev/null)) && echo "installed faketime"; \
	  else echo "libfaketime missing and not root: install Debian's faketime package"; exit 1; fi; \
	fi

test-year-ahead: $(STAMP) faketime-deps
	FAKETIME=+365d LD_PRELOAD=$(FAKETIME_LIB) APPROVALS_TEST_DATABASE_URL= \
	  $(PY) -m pytest -q -m "not browser" -p no:cacheprovider tests/engine tests/web

lint: $(STAMP)
	$(VENV)/bin/ruff check approvals web tests benchmarks
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m benchmarks

bench-1m: $(STAMP)
	$(PY) -m benchmarks --history 1000000

clean:
	rm -rf $(VENV) instance .pytest_cache
