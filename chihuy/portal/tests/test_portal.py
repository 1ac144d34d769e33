"""The public portal: centre list, report form (honeypot, rate limit), status look-up (issue 3 §9)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from chihuy.centres.choices import CentreStatus, Sector
from chihuy.intake.choices import Channel, IntakeStatus, Source
from chihuy.intake.models import IntakeRecord
from chihuy.intake.services import intake_forward, intake_set_status
from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public() -> Client:
    return Client(enforce_csrf_checks=True)


def _post(client: Client, url: str, data: dict, **extra):
    """POST as a browser does: fetch the page for the CSRF cookie, then send the token."""
    client.get(url)
    data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    return client.post(url, data, **extra)


def _report(world, **extra):
    data = {
        "reporter_name": "Lê Văn Cường",
        "reporter_phone": "0987 654 321",
        "jurisdiction": world.commune.jurisdiction.pk,
        "address": "Tổ 3",
        "category": Sector.FOOD,
        "content": "Khu cách ly thiếu nước uống",
        "website": "",
    }
    data.update(extra)
    return data


def test_index_lists_active_centres_with_hotlines_and_searches_without_accents(world, public):
    world.sibling.status = CentreStatus.PROPOSED
    world.sibling.save()
    response = public.get(reverse("portal:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.commune.name in text
    assert world.commune.hotline in text
    assert world.sibling.name not in text
    found = public.get(reverse("portal:index"), {"q": "tich son"}).content.decode()
    assert world.commune.name in found
    assert world.district.name not in found


def test_report_creates_a_record_and_shows_its_code(world, public):
    url = reverse("portal:report", args=[world.commune.pk])
    assert public.get(url).status_code == 200
    response = _post(public, url, _report(world))
    assert response.status_code == 200, response.content.decode()[:2000]
    record = IntakeRecord.objects.get()
    assert record.centre == world.commune
    assert record.source == Source.PUBLIC
    assert record.channel == Channel.WEB
    assert record.received_by is None
    assert record.reporter_phone == "0987654321"
    assert record.tracking_code in response.content.decode()


def test_report_field_errors(world, public):
    url = reverse("portal:report", args=[world.commune.pk])
    response = _post(
        public, url, _report(world, reporter_phone="123", content=" ", jurisdiction="", address="")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"reporter_phone", "content", "jurisdiction"} <= set(form.errors)
    assert not IntakeRecord.objects.exists()


def test_report_location_must_be_in_the_centres_area(world, public):
    url = reverse("portal:report", args=[world.commune.pk])
    response = _post(public, url, _report(world, jurisdiction=world.sibling.jurisdiction.pk))
    assert response.status_code == 400
    assert "jurisdiction" in response.context["form"].errors


def test_honeypot_discards_but_thanks(world, public):
    url = reverse("portal:report", args=[world.commune.pk])
    response = _post(public, url, _report(world, website="http://spam.example"))
    assert response.status_code == 200
    assert "data-tracking-code" in response.content.decode()
    assert not IntakeRecord.objects.exists()


def test_report_is_rate_limited_per_ip(world, public):
    url = reverse("portal:report", args=[world.commune.pk])
    for i in range(5):
        assert _post(public, url, _report(world, content=f"Phản ánh {i}")).status_code == 200
    response = _post(public, url, _report(world, content="Lần thứ sáu"))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "quá nhiều" in response.content.decode().lower()
    assert IntakeRecord.objects.count() == 5
    # Another address is not held back.
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.9")
    assert _post(other, url, _report(world, content="Từ máy khác")).status_code == 200


def test_report_needs_csrf(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:report", args=[world.commune.pk]), _report(world))
    assert response.status_code == 403
    assert not IntakeRecord.objects.exists()


def test_report_to_inactive_centre_is_404(world, public):
    world.commune.status = CentreStatus.DISSOLVED
    world.commune.save()
    assert public.get(reverse("portal:report", args=[world.commune.pk])).status_code == 404


def test_places_are_limited_to_the_centres_area(world, public):
    url = reverse("portal:places", args=[world.district.pk])
    html = public.get(url, {"q": "tich"}).content.decode()
    assert "Phường Tích Sơn" in html
    assert 'type="radio"' in html
    only_own = public.get(
        reverse("portal:places", args=[world.commune.pk]), {"q": "lien bao", "format": "json"}
    )
    assert only_own.json() == {"results": []}
    own = public.get(reverse("portal:places", args=[world.commune.pk]), {"q": "tich son", "format": "json"})
    assert [r["id"] for r in own.json()["results"]] == [world.commune.jurisdiction.pk]


def test_places_are_rate_limited(world, public):
    url = reverse("portal:places", args=[world.commune.pk])
    for _i in range(60):
        public.get(url, {"q": "tich"})
    assert public.get(url, {"q": "tich"}).status_code == 429


def test_status_lookup_needs_code_and_phone(world, public):
    record = make_intake(centre=world.commune, reporter_phone="0912000111")
    intake_set_status(
        record=record, status=IntakeStatus.RESOLVED, result="Đã xử lý", reporter_told="Đã cử tổ y tế"
    )
    url = reverse("portal:status")
    found = _post(public, url, {"code": record.tracking_code.lower(), "phone": "+84 912 000 111"})
    assert found.status_code == 200
    text = found.content.decode()
    assert "Đã cử tổ y tế" in text
    assert "Đã xử lý" in text
    assert record.content not in text
    for data in (
        {"code": record.tracking_code, "phone": "0912000999"},
        {"code": "ABCDEFGHJK", "phone": "0912000111"},
        {"code": record.tracking_code, "phone": ""},
    ):
        miss = _post(public, url, data)
        assert "Đã cử tổ y tế" not in miss.content.decode()
        assert "Không tìm thấy phản ánh" in miss.content.decode() or miss.context["form"].errors


def test_status_follows_a_forwarded_report(world, public):
    record = make_intake(centre=world.commune, reporter_phone="0912000222")
    intake_forward(record=record, to_centre=world.district, reason="Thuộc cấp huyện")
    response = _post(public, reverse("portal:status"), {"code": record.tracking_code, "phone": "0912000222"})
    assert world.district.name in response.content.decode()


def test_status_lookup_is_rate_limited(world, public):
    url = reverse("portal:status")
    for _i in range(10):
        _post(public, url, {"code": "AAAAAAAAAA", "phone": "0912000111"})
    assert _post(public, url, {"code": "AAAAAAAAAA", "phone": "0912000111"}).status_code == 429


def test_pages_carry_no_inline_script(world, public):
    for url in (
        reverse("portal:index"),
        reverse("portal:report", args=[world.commune.pk]),
        reverse("portal:status"),
    ):
        response = public.get(url)
        assert "Content-Security-Policy" in response
        html = response.content.decode()
        assert "<script>" not in html
        assert " on" + "click=" not in html
