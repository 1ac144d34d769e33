"""A commune officer sees his commune and not the neighbouring one; a province commander sees the province."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chihuy.centres.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_officer_sees_only_his_commune(world, page, live_server, log_in):
    log_in(page, world.user("commune", Role.DUTY_OFFICER).username)
    assert world.commune.name in page.content()
    page.get_by_role("link", name="Trung tâm", exact=True).click()
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert world.commune.name in body
    assert world.sibling.name not in body
    assert world.district.name not in body
    response = page.goto(f"{live_server.url}/centres/{world.sibling.pk}/")
    assert response.status == 404
    assert world.sibling.name not in page.content()


def test_province_commander_sees_the_whole_province(world, page, live_server, log_in, tmp_path):
    log_in(page, world.user("province", Role.COMMANDER).username)
    assert world.province.name in page.content()
    page.goto(f"{live_server.url}/centres/")
    body = page.content()
    for centre in (world.province, world.district, world.commune, world.sibling):
        assert centre.name in body
    # The accent-insensitive filter narrows the list without a page reload.
    page.fill("input[name=q]", "lien bao")
    expect(page.locator("#results")).not_to_contain_text(world.commune.name)
    expect(page.locator("#results")).to_contain_text(world.sibling.name)
    page.goto(f"{live_server.url}/centres/{world.commune.pk}/")
    assert world.commune.name in page.content()


def test_phone_screen_shows_navigation_toggle(world, page, live_server, log_in):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, world.user("district", Role.COMMANDER).username)
    nav = page.locator("#mainnav")
    assert not nav.is_visible()
    page.click("[data-nav-toggle]")
    assert nav.is_visible()
