"""Every page of the foundation renders in a real browser without a console or CSP error.

Screenshots land in ``test-artifacts/pages/`` so a person can look at them.
"""

from __future__ import annotations

import pytest

from chihuy.centres.choices import Role

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages(world) -> list[tuple[str, str]]:
    province, commune = world.province.pk, world.commune.pk
    return [
        ("home", "/"),
        ("centre-list", "/centres/"),
        ("centre-detail-province", f"/centres/{province}/"),
        ("centre-detail-commune", f"/centres/{commune}/"),
        ("centre-edit", f"/centres/{province}/edit/"),
        ("centre-coverage", f"/centres/{province}/coverage/"),
        ("child-create", f"/centres/{province}/children/new/"),
        ("member-create", f"/centres/{province}/members/new/"),
        ("agency-create", f"/centres/{province}/agencies/new/"),
        ("audit", "/audit/"),
        ("profile", "/accounts/profile/"),
        ("password-change", "/accounts/password/change/"),
        ("intake-list", "/intake/"),
        ("intake-new", "/intake/new/"),
        ("intake-procedure", f"/intake/procedure/{province}/"),
        ("alerts-inbox", "/alerts/"),
        ("roster-index", "/roster/"),
        ("roster-centre", f"/roster/centres/{province}/"),
        ("roster-mine", "/roster/mine/"),
        ("notifications", "/notifications/"),
    ]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_pages_render_without_errors(world, page, live_server, log_in, width):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_viewport_size({"width": width, "height": 900})
    commander = world.user("province", Role.COMMANDER)
    from chihuy.notifications.services import notify_users

    notify_users(
        users=[commander], subject="Nhắc báo cáo ngày", body="Hạn nộp 17:00.", url="/", centre=world.province
    )
    log_in(page, commander.username)
    out = ARTIFACTS / "pages"
    out.mkdir(parents=True, exist_ok=True)
    for name, url in _pages(world):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, (name, response and response.status)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
    assert problems == []


def test_login_page_renders_for_anonymous(page, live_server):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    ARTIFACTS.joinpath("pages").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pages" / "login.png"), full_page=True)
    assert page.locator("input[name=username]").is_visible()
    assert problems == []
