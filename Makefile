# The only entry points a newcomer needs: make run, make test (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: install run test lint format check-deploy services stop-embedded bench backup restore

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Resolve PostgreSQL and Redis once (environment, local, or embedded under var/),
# export them to every process, migrate, seed, and start web + worker + beat.
run: install
	@set -e; eval "$$($(BIN)/python -m config.services env)"; \
	$(BIN)/python manage.py migrate --noinput -v 0; \
	$(BIN)/python manage.py seed_demo; \
	$(BIN)/python manage.py compile_translations; \
	echo ""; \
	echo "  Kundenbuch CRM: http://127.0.0.1:$(PORT)/"; \
	echo "  Demo logins (password crm-demo-2026, demo only):"; \
	echo "    anna (Staff, Nord), ben (Staff, Süd), maria (Manager), dora (DPO), admin (Admin)"; \
	echo "  Then the second factor: the current code of the user's demo TOTP secret"; \
	echo "    (README, Demo logins): oathtool --totp -b SECRET, or any authenticator app;"; \
	echo "    passkeys only on http://localhost:$(PORT)/"; \
	echo ""; \
	CRM_WEB_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start -f Procfile -p $(PORT)

test: install
	./bin/system-deps
	@set -e; eval "$$($(BIN)/python -m config.services env)"; \
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py compile_translations; \
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(PYTEST_ARGS)

# Customer pages at 10k and 100k organizations, contracts at 200k and 2M, the
# SLA escalation scan and the case list at 10k and 100k cases
# (seeds crm_bench_* once; the first run takes long).
bench: install
	@set -e; eval "$$($(BIN)/python -m config.services env)"; \
	$(BIN)/python -m bench.customers; \
	$(BIN)/python -m bench.contracts; \
	$(BIN)/python -m bench.cases; \
	$(BIN)/python -m bench.report; \
	$(BIN)/python -m bench.freetext

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Django's deployment checks under production settings with throw-away secrets.
check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	FIELD_ENCRYPTION_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	ALLOWED_HOSTS=crm.example.com \
	DATABASE_URL=postgresql://crm:unused@db.invalid:5432/crm \
	REDIS_URL=redis://redis.invalid:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Database, MEDIA_ROOT and a manifest (counts, checksums, key fingerprints) into
# BACKUP_DIR; restore into an empty database (README: Backup and restore).
BACKUP_DIR ?= var/backups/$(shell date +%Y%m%d-%H%M%S)
backup: install
	@set -e; eval "$$($(BIN)/python -m config.services env)"; \
	$(BIN)/python manage.py backup "$(BACKUP_DIR)"

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<when>"; exit 2; }
	@set -e; eval "$$($(BIN)/python -m config.services env)"; \
	$(BIN)/python manage.py restore "$(BACKUP)"

services: install
	$(BIN)/python -m config.services up

stop-embedded: install
	$(BIN)/python -m config.services stop
