# ChiHuy: `make run` starts the app with demo data; `make test` runs the whole suite.
PORT ?= 8000
PY := .venv/bin/python
export PORT

.PHONY: run test lint typecheck bench-jurisdictions bench-intake bench-escalation bench-roster bench-rollup bench-load clean

.venv/.installed: requirements.lock requirements-dev.lock
	@scripts/bootstrap

run: .venv/.installed
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py ensure_demo
	@scripts/run-server

test: .venv/.installed
	@scripts/test $(PYTEST_ARGS)

lint: .venv/.installed
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: .venv/.installed
	.venv/bin/mypy chihuy

bench-jurisdictions: .venv/.installed
	@$(PY) bench/jurisdictions.py

bench-intake: .venv/.installed
	@$(PY) bench/intake_alert.py

bench-escalation: .venv/.installed
	@$(PY) bench/escalation.py

bench-roster: .venv/.installed
	@$(PY) bench/roster.py

bench-rollup: .venv/.installed
	@$(PY) bench/rollup.py

bench-load: .venv/.installed
	@$(PY) bench/load.py

clean:
	rm -rf .venv var
