from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.centres.choices import Role
from chihuy.intake.models import RoutingRule

pytestmark = pytest.mark.django_db


def _data(**levels):
    from chihuy.centres.choices import Sector

    data = {}
    for code, _label in Sector.choices:
        data[f"level_{code}"] = levels.get(code, "")
        data[f"note_{code}"] = ""
    return data


def test_province_sets_rules_for_categories(world, client):
    client.force_login(world.user("province", Role.STANDING))
    url = reverse("intake:routing", args=[world.province.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Cấp xử lý" in page.text
    data = _data(dieu_tri="province", xet_nghiem="district")
    data["note_dieu_tri"] = "Bệnh viện tỉnh"
    assert client.post(url, data).status_code == 302
    rules = {r.category: (r.level, r.note) for r in RoutingRule.objects.filter(centre=world.province)}
    assert rules == {"dieu_tri": ("province", "Bệnh viện tỉnh"), "xet_nghiem": ("district", "")}
    client.post(url, _data(dieu_tri="province"))  # clearing a level removes its rule
    assert set(RoutingRule.objects.values_list("category", flat=True)) == {"dieu_tri"}


def test_unknown_level_is_a_field_error_and_nothing_changes(world, client):
    client.force_login(world.user("province", Role.COMMANDER))
    url = reverse("intake:routing", args=[world.province.pk])
    response = client.post(url, _data(dieu_tri="nation"))
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert not RoutingRule.objects.exists()


def test_routing_page_denied(world, client):
    url = reverse("intake:routing", args=[world.province.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.user("province", Role.DUTY_OFFICER))
    assert client.get(url).status_code == 403
    client.force_login(world.user("commune", Role.COMMANDER))
    assert client.get(url).status_code == 404  # a commune does not see its province
    client.force_login(world.user("district", Role.COMMANDER))
    assert client.get(reverse("intake:routing", args=[world.district.pk])).status_code == 404
