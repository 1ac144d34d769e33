"""The centre's intake procedure (R22): who edits it, who reads it, and when it must be shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chihuy.audit.models import AuditEntry
from chihuy.centres.choices import Role
from chihuy.intake.models import IntakeProcedure
from chihuy.intake.selectors import procedure_must_show
from chihuy.intake.services import procedure_acknowledge, procedure_save

pytestmark = pytest.mark.django_db

TEXT = "1. Nghe và ghi đầy đủ.\n2. Việc khẩn cấp báo ngay chỉ huy trưởng."


@pytest.mark.parametrize("role", [Role.STANDING, Role.COMMANDER, Role.DEPUTY])
def test_staff_edit_the_procedure(world, login, role):
    client = login(world.user("commune", role))
    url = reverse("intake:procedure_edit", args=[world.commune.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": TEXT})
    assert response.status_code == 302
    procedure = IntakeProcedure.objects.get(centre=world.commune)
    assert procedure.body == TEXT
    assert procedure.updated_by == world.user("commune", role)
    assert AuditEntry.objects.filter(object_id=str(procedure.pk), object_repr__contains="Quy trình").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (("commune", Role.MEMBER), 403),
        (("commune", Role.DUTY_OFFICER), 403),
        (("district", Role.COMMANDER), 403),
        (("sibling", Role.COMMANDER), 404),
    ],
)
def test_others_may_not_edit(world, login, who, status):
    client = login(world.user(*who))
    url = reverse("intake:procedure_edit", args=[world.commune.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"body": "Sửa trái phép"}).status_code == status
    assert not IntakeProcedure.objects.exists()


def test_every_member_reads_it_and_anonymous_is_sent_to_login(world, login, client):
    procedure_save(centre=world.commune, body=TEXT, by=world.user("commune", Role.STANDING))
    url = reverse("intake:procedure", args=[world.commune.pk])
    assert client.get(url).status_code == 302
    for role in (Role.MEMBER, Role.DUTY_OFFICER):
        response = login(world.user("commune", role)).get(url)
        assert response.status_code == 200
        assert "Việc khẩn cấp báo ngay" in response.content.decode()
    assert login(world.user("sibling", Role.COMMANDER)).get(url).status_code == 404


def test_first_time_display_and_acknowledgement(world, login):
    officer = world.user("commune", Role.DUTY_OFFICER)
    assert procedure_must_show(user=officer, centre=world.commune) is False  # nothing written yet
    procedure_save(centre=world.commune, body=TEXT, by=world.user("commune", Role.STANDING))
    assert procedure_must_show(user=officer, centre=world.commune) is True

    client = login(officer)
    page = client.get(reverse("intake:procedure", args=[world.commune.pk]), {"next": "/intake/new/"})
    assert "Tôi đã đọc" in page.content.decode()
    response = client.post(
        reverse("intake:procedure_acknowledge", args=[world.commune.pk]), {"next": "/intake/new/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/intake/new/"
    assert procedure_must_show(user=officer, centre=world.commune) is False
    # Another officer still has to read it.
    assert procedure_must_show(user=world.user("commune", Role.COMMANDER), centre=world.commune) is True


def test_an_edit_makes_it_due_again(world, time_machine):
    officer = world.user("commune", Role.DUTY_OFFICER)
    standing = world.user("commune", Role.STANDING)
    time_machine.move_to(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC), tick=False)
    procedure_save(centre=world.commune, body=TEXT, by=standing)
    procedure_acknowledge(user=officer, centre=world.commune)
    time_machine.shift(dt.timedelta(minutes=5))
    procedure_save(centre=world.commune, body=TEXT + "\n", by=standing)  # same text: no new version
    assert procedure_must_show(user=officer, centre=world.commune) is False
    procedure_save(centre=world.commune, body=TEXT + "\n3. Ghi sổ ngay.", by=standing)
    assert procedure_must_show(user=officer, centre=world.commune) is True


def test_acknowledge_refuses_an_outside_next(world, login):
    procedure_save(centre=world.commune, body=TEXT, by=world.user("commune", Role.STANDING))
    client = login(world.user("commune", Role.DUTY_OFFICER))
    response = client.post(
        reverse("intake:procedure_acknowledge", args=[world.commune.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("intake:procedure", args=[world.commune.pk])


def test_acknowledge_needs_post_and_visibility(world, login):
    url = reverse("intake:procedure_acknowledge", args=[world.commune.pk])
    assert login(world.user("commune", Role.DUTY_OFFICER)).get(url).status_code == 405
    assert login(world.user("sibling", Role.DUTY_OFFICER)).post(url).status_code == 404


def test_first_visit_to_the_form_shows_the_procedure_then_the_form(world, client):
    from django.urls import reverse

    from chihuy.centres.choices import Role
    from chihuy.intake.services import procedure_save

    officer = world.user("commune", Role.DUTY_OFFICER)
    procedure_save(
        centre=world.commune, body="Bước 1: nghe.\nBước 2: ghi.", by=world.user("commune", Role.STANDING)
    )
    client.force_login(officer)
    session = client.session
    session["chihuy_active_centre"] = world.commune.pk
    session.save()
    first = client.get(reverse("intake:create"))
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("intake:procedure", kwargs={"centre_id": world.commune.pk}))
    assert "next=/intake/new/" in first["Location"]
    ack = client.post(
        reverse("intake:procedure_acknowledge", kwargs={"centre_id": world.commune.pk}),
        {"next": "/intake/new/"},
    )
    assert ack["Location"] == "/intake/new/"
    second = client.get(reverse("intake:create"))
    assert second.status_code == 200
    assert reverse("intake:procedure", kwargs={"centre_id": world.commune.pk}) in second.text
