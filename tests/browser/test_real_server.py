"""Issue 3's "done when", on the server production runs, not the test live server.

The other browser tests drive Django's threaded WSGI live server. Here the same launcher as
``make run`` (``python -m chihuy.core.serve``: uvicorn processes, sync views on worker
threads, the alert stream on Django's ASGI handler) and its two task workers serve a fresh
database with the demo data, on the test run's own database engine (on PostgreSQL the
stream is woken by NOTIFY). A duty officer logs an urgent call in the browser; the
commander on duty, whose page is already open, sees the alert without a reload and
acknowledges it; the officer downloads the day's logbook and finds the call in it.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "chihuy-demo-2026"
OFFICER = "vp.truc.yte1"  # duty officer of the demo province centre


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_url() -> str:
    """The PostgreSQL server of this test run, as its maintenance database."""
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"


def _database_url(tmp_path: Path) -> tuple[str, str | None]:
    """A fresh database on the engine this test run uses: (url, PostgreSQL database to drop)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'real-server.sqlite3'}", None
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = f"chihuy_real_server_{os.getpid()}"
    with psycopg.connect(_admin_url(), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("real-server")
    url, pg_name = _database_url(tmp_path)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CHIHUY_ENV": "development",
        "CHIHUY_SITE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py sets its own
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "ensure_demo")
    # Who is on command duty at the province right now (the roster's answer, else the commander).
    duty = _manage(
        env,
        "shell",
        "-c",
        "import json; from django.utils import timezone; from chihuy.alerts.services import duty_commanders;"
        " from chihuy.centres.models import Centre;"
        " c = Centre.objects.get(short_code='VP', parent__isnull=True);"
        " duty = duty_commanders(centre=c, category='cach_ly', at=timezone.now());"
        " print(json.dumps([u.username for u in duty]))",
    )
    procs = [
        # The two task workers of the launcher: urgent alerts on their own, the rest on another.
        *(
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", *queue_args, "--no-reload"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for queue_args in (
                ["--queue-name", "alerts", "--interval", "0.25", "--no-startup-delay"],
                ["--queue-name", "*", "--exclude-queues", "alerts"],
            )
        ),
        subprocess.Popen(
            [sys.executable, "-m", "chihuy.core.serve", "--workers", "2", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    try:
        yield {"url": base, "duty": json.loads(duty.strip().splitlines()[-1])}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if pg_name is not None:
            import psycopg

            with psycopg.connect(_admin_url(), autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def _context(browser):
    return browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)


def test_an_urgent_call_reaches_the_open_commander_page_on_the_production_server(real_server, browser):
    import openpyxl

    base = real_server["url"]
    assert real_server["duty"], "nobody is on command duty at the demo province"
    commander_ctx, officer_ctx = _context(browser), _context(browser)
    try:
        commander = commander_ctx.new_page()
        commander.set_default_timeout(20000)
        _log_in(commander, base, real_server["duty"][0])
        expect(commander.locator("#alert-live")).to_have_attribute("data-alert-stream", "open")
        url_before = commander.url

        officer = officer_ctx.new_page()
        officer.set_default_timeout(20000)
        _log_in(officer, base, OFFICER)
        officer.goto(f"{base}/intake/new/")
        # R22: the first time, the form sends the officer to the centre's procedure first.
        read = officer.get_by_role("button", name="Tôi đã đọc và nắm quy trình")
        if read.count():
            read.click()
            officer.goto(f"{base}/intake/new/")
        officer.fill("[name=reporter_phone]", "0912 345 678")
        officer.fill("[name=reporter_name]", "Phạm Văn Dũng")
        officer.fill("[name=content]", "Chùm ba ca sốt cao ở khu trọ số 5, chưa cách ly")
        officer.fill("[name=address]", "Khu trọ số 5, phường Tích Sơn")
        officer.select_option("[name=category]", "cach_ly")
        officer.check("[name=urgent]")
        officer.fill("[name=urgency_reason]", "Chùm ca bệnh chưa cách ly")
        officer.locator("[name=content]").press("Control+Enter")
        officer.wait_for_url(f"{base}/intake/")
        row = officer.locator("table.intake-table tbody tr", has_text="Chùm ba ca sốt cao")
        expect(row).to_have_count(1)
        number = row.locator("td").first.inner_text().strip()
        assert re.fullmatch(r"VP-\d{8}-\d{4}", number), number

        banner = commander.locator("[data-alert-banner]", has_text="Chùm ba ca sốt cao")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(number)
        assert commander.url == url_before  # no reload
        banner.get_by_role("button", name="Xác nhận").click()
        expect(banner).to_have_count(0)

        with officer.expect_download() as download:
            officer.evaluate(f"window.location.href = '{base}/intake/export.xlsx'")
        sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert any("Chùm ba ca sốt cao" in c for c in cells)
        assert any("0912345678" in c for c in cells)
    except Exception:
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        for name, ctx in (("commander", commander_ctx), ("officer", officer_ctx)):
            for i, p in enumerate(ctx.pages):
                p.screenshot(path=str(artifacts / f"real-server-{name}-{i}.png"), full_page=True)
        raise
    finally:
        commander_ctx.close()
        officer_ctx.close()
