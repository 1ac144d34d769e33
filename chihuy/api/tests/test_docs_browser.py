"""The API docs render in a real Chromium under our Content-Security-Policy, without errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def chromium_page():
    # Playwright's sync API runs an event loop here; the ORM is not used meanwhile.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium (make test installs it with apt).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def test_swagger_ui_renders_without_csp_violations(chromium_page, live_server):
    page = chromium_page
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    page.wait_for_selector(".swagger-ui .information-container .title")
    page.wait_for_selector(".opblock-tag-section")
    assert "ChiHuy API" in page.inner_text(".swagger-ui .information-container .title")
    assert page.locator(".btn.authorize").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
    assert problems == []
