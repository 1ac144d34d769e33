"""Centre pages as a person uses them: forms, clear Vietnamese errors, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chihuy.centres.choices import CentreStatus, Role
from chihuy.centres.models import Centre, Member
from chihuy.core.testing.factories import JurisdictionFactory
from chihuy.jurisdictions.choices import Kind, Level

pytestmark = pytest.mark.django_db


def _edit_data(centre, **overrides):
    data = {
        "name": centre.name,
        "short_code": centre.short_code,
        "hotline": centre.hotline,
        "hotline_fallback": "",
        "address": "UBND phường",
        "room_primary": "Phòng họp tầng 2",
        "room_primary_capacity": "20",
        "room_fallback": "Hội trường",
        "room_fallback_capacity": "80",
        "decision_number": "45/QĐ-UBND",
        "decision_date": "2021-08-21",
        "rules_issued_on": "",
    }
    data.update(overrides)
    return data


def test_home_shows_the_active_centre(world, login):
    client = login(world.user("district", Role.COMMANDER))
    body = client.get(reverse("centres:home")).content.decode()
    assert world.district.name in body
    assert "2/2" in body  # both wards of Vĩnh Yên have a centre with members


def test_user_without_role_is_told_whom_to_ask(login, db):
    from chihuy.core.testing.factories import UserFactory

    body = login(UserFactory()).get(reverse("centres:home")).content.decode()
    assert "chưa được phân công" in body


def test_edit_saves_and_is_audited(world, login):
    client = login(world.user("commune", Role.STANDING))
    response = client.post(reverse("centres:edit", args=[world.commune.pk]), _edit_data(world.commune))
    assert response.status_code == 302
    world.commune.refresh_from_db()
    assert world.commune.room_fallback_capacity == 80
    from chihuy.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(object_id=str(world.commune.pk)).first()
    assert entry.actor == world.user("commune", Role.STANDING)


def test_bad_phone_is_a_field_error_in_vietnamese_and_nothing_saved(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:edit", args=[world.commune.pk]),
        _edit_data(world.commune, hotline="gọi tôi", address="X"),
    )
    assert response.status_code == 200
    assert "Số điện thoại không hợp lệ" in response.content.decode()
    world.commune.refresh_from_db()
    assert world.commune.hotline == "0211 3858 858"
    assert world.commune.address != "X"


def test_fallback_room_smaller_than_primary_is_refused(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:edit", args=[world.commune.pk]),
        _edit_data(world.commune, room_primary_capacity="50", room_fallback_capacity="10"),
    )
    assert "Phòng dự phòng phải rộng hơn" in response.content.decode()


def test_executable_upload_is_refused(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    data = _edit_data(world.commune)
    data["decision_file"] = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(reverse("centres:edit", args=[world.commune.pk]), data)
    assert response.status_code == 200
    assert "không được chấp nhận" in response.content.decode()
    world.commune.refresh_from_db()
    assert not world.commune.decision_file


def test_pdf_decision_is_stored(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    data = _edit_data(world.commune)
    data["decision_file"] = SimpleUploadedFile("qd.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(reverse("centres:edit", args=[world.commune.pk]), data).status_code == 302
    world.commune.refresh_from_db()
    assert world.commune.decision_file.name.endswith(".pdf")


def test_create_child_centre(world, login):
    ward = JurisdictionFactory(
        level=Level.COMMUNE, kind=Kind.PHUONG, name="Phường Hội Hợp", parent=world.district.jurisdiction
    )
    client = login(world.user("district", Role.STANDING))
    response = client.post(
        reverse("centres:child_create", args=[world.district.pk]),
        {"name": "TTCH phường Hội Hợp", "short_code": "HH", "level": "commune", "jurisdiction": ward.pk},
    )
    assert response.status_code == 302
    child = Centre.objects.get(short_code="HH")
    assert child.parent == world.district and child.status == CentreStatus.PROPOSED


def test_create_child_on_a_taken_locality_shows_why(world, login):
    client = login(world.user("district", Role.STANDING))
    response = client.post(
        reverse("centres:child_create", args=[world.district.pk]),
        {
            "name": "Trùng",
            "short_code": "TRG",
            "level": "commune",
            "jurisdiction": world.commune.jurisdiction_id,
        },
    )
    assert response.status_code == 200
    assert "đã có trung tâm chỉ huy" in response.content.decode()
    assert not Centre.objects.filter(short_code="TRG").exists()


def test_add_a_new_person_as_deputy_with_sectors(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:member_create", args=[world.commune.pk]),
        {
            "username": "pho.moi",
            "full_name": "Phó Mới",
            "email": "pho.moi@example.test",
            "role": "deputy",
            "sectors": ["cach_ly", "tiem_chung"],
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(user__username="pho.moi")
    assert sorted(member.sector_codes) == ["cach_ly", "tiem_chung"]
    assert not member.user.has_usable_password()


def test_second_commander_is_refused_with_a_message(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:member_create", args=[world.commune.pk]), {"username": "ct2", "role": "commander"}
    )
    assert response.status_code == 200
    assert "đã có chỉ huy trưởng" in response.content.decode()
    assert not Member.objects.filter(user__username="ct2").exists()


def test_status_change_needs_a_decision(world, login):
    world.commune.status = CentreStatus.PROPOSED
    world.commune.save()
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:status", args=[world.commune.pk]), {"status": "active"}, follow=True
    )
    assert "Cần nhập số và ngày quyết định" in response.content.decode()
    world.commune.refresh_from_db()
    assert world.commune.status == CentreStatus.PROPOSED


def test_switch_centre_only_to_own_centres(world, login):
    user = world.user("commune", Role.MEMBER)
    Member.objects.create(centre=world.sibling, user=user, role=Role.DUTY_OFFICER)
    client = login(user)
    assert client.post(reverse("centres:switch"), {"centre": world.sibling.pk}).status_code == 302
    assert world.sibling.name in client.get(reverse("centres:home")).content.decode()
    assert client.post(reverse("centres:switch"), {"centre": world.district.pk}).status_code == 400
    assert client.get(reverse("centres:switch")).status_code == 405


def test_list_and_detail_have_bounded_queries(world, login, django_assert_max_num_queries):
    client = login(world.user("province", Role.COMMANDER))
    with django_assert_max_num_queries(20):
        client.get(reverse("centres:list"))
    with django_assert_max_num_queries(30):
        client.get(reverse("centres:detail", args=[world.province.pk]))


def test_list_filter_is_accent_insensitive_and_htmx_returns_the_partial(world, login):
    client = login(world.user("province", Role.COMMANDER))
    response = client.get(reverse("centres:list"), {"q": "tich son"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert world.commune.name in body and world.sibling.name not in body
    assert "<html" not in body
