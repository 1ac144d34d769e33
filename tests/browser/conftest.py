"""Playwright driving Debian's Chromium against the live test server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# fixtures happen before and after page actions, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server's alert-stream thread notices a closed tab only when a write fails: with a
# heartbeat every half second it stops soon after the page closes (see ``page``).
os.environ.setdefault("CHIHUY_ALERTS_HEARTBEAT_SECONDS", "0.5")
STREAMS_GONE_SECONDS = 10.0

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium (make test installs it with apt).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(autouse=True)
def _streams_end_before_the_flush():
    """After every page and extra browser context of the test has closed (their fixtures are
    torn down first) and before the test's database is flushed: a stream thread still
    reading it can deadlock with the flush's TRUNCATE (seen on PostgreSQL)."""
    from chihuy.alerts.views import open_sync_streams

    yield
    deadline = time.monotonic() + STREAMS_GONE_SECONDS
    while open_sync_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not open_sync_streams(), "an alert stream of the live server outlived its page"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def log_in(live_server):
    from chihuy.core.testing.factories import TEST_PASSWORD

    def _log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state("networkidle")

    return _log_in
