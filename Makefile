# Briefing: `make demo` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A throwaway key for the local demo only; production sets its own SECRET_KEY.
DEMO_ENV := DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1,localhost \
	SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')

.PHONY: install demo serve test test-postgres lint format migrations-check browser clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

# Keep `make .venv` working as an alias of `make install`.
.venv: $(VENV)/.installed

demo: install
	export $(DEMO_ENV) && \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) loaddata demo && \
	$(MANAGE) ensure_demo_accounts && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	echo "Serving http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/); Ctrl-C stops." && \
	$(MANAGE) runserver 127.0.0.1:8000

# The production set-up on loopback: gunicorn with WEB_CONCURRENCY workers (default 2), DEBUG off,
# whitenoise serving the collected static files. Plain http here, hence HTTPS=false. The workers
# share a file cache so an edit clears every worker's cached pages (production: CACHE_URL=redis://).
# A SECRET_KEY from the environment is used; without one, a throwaway key for this run.
serve: install
	@[ -n "$$SECRET_KEY" ] || echo "SECRET_KEY is not set: using a throwaway key for this run only."
	export DEBUG=false HTTPS=$${HTTPS:-false} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
		SECRET_KEY=$${SECRET_KEY:-$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
		CACHE_URL=$${CACHE_URL:-filecache://$${TMPDIR:-/tmp}/briefing-page-cache} \
		WEB_CONCURRENCY=$${WEB_CONCURRENCY:-2} && \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	echo "Serving http://127.0.0.1:8000/ with $$WEB_CONCURRENCY gunicorn workers; Ctrl-C stops." && \
	exec $(BIN)/gunicorn briefing.wsgi --bind 127.0.0.1:8000 --access-logfile -

# Browser tests drive Debian's Chromium; install it when it is missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium is missing: run 'sudo apt-get install chromium'"; exit 1; fi; }

test: install browser
	$(BIN)/pytest

test-postgres: install browser
	.ci/with-postgres $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	SECRET_KEY=migrations-check $(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles test-artifacts
