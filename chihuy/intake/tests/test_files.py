"""Intake attachments reach exactly those who may see their record (issue 12 §6), on the
web and the API, streamed by the app or handed to nginx; a forged type stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from chihuy.api.tests.conftest import assert_problem
from chihuy.core.testing.files import (
    ACCEL_PREFIX,
    PDF,
    PNG,
    assert_accel,
    assert_served,
    pdf,
    stored_files,
    upload,
    virus_pdf,
)
from chihuy.intake.models import IntakeAttachment, IntakeRecord
from chihuy.intake.tests.factories import form_data, make_intake

pytestmark = pytest.mark.django_db

NAME = "Biên bản cuộc gọi.pdf"


@pytest.fixture
def attached(world):
    """A commune record with a PDF attached; returns the attachment."""
    record = make_intake(
        centre=world.commune,
        received_by=world.user("commune", "duty_officer"),
        attachments=[pdf(NAME)],
    )
    return record.attachments.get()


def _url(attachment):
    return reverse("intake:attachment", args=[attachment.record_id, attachment.pk])


def _api_url(attachment):
    return reverse("api:intake-attachment", args=[attachment.record_id, attachment.pk])


def test_stored_under_a_random_name_with_the_original_kept(attached):
    assert attached.name == NAME
    assert attached.file.name.startswith(f"intake/{timezone.now():%Y/%m}/")
    assert attached.file.name.endswith(".pdf") and "Bi" not in attached.file.name
    assert [p.read_bytes() for p in stored_files()] == [PDF]


@pytest.mark.parametrize(
    ("centre", "role"), [("commune", "duty_officer"), ("commune", "member"), ("district", "commander")]
)
def test_who_may_see_the_record_gets_the_file(world, login, attached, centre, role):
    response = login(world.user(centre, role)).get(_url(attached))
    assert_served(response, data=PDF, content_type="application/pdf", filename=NAME)


def test_detail_page_links_the_download_view(world, login, attached):
    page = login(world.user("commune", "duty_officer")).get(
        reverse("intake:detail", args=[attached.record_id])
    )
    html = page.content.decode()
    assert f'href="{_url(attached)}"' in html and NAME in html
    assert "/media/" not in html


def test_sibling_commune_gets_404(world, login, attached):
    assert login(world.user("sibling", "commander")).get(_url(attached)).status_code == 404


def test_an_attachment_of_another_record_is_not_reachable_through_a_visible_one(world, login, attached):
    own = make_intake(centre=world.sibling)
    url = reverse("intake:attachment", args=[own.pk, attached.pk])
    assert login(world.user("sibling", "commander")).get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, attached):
    response = client.get(_url(attached))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_behind_nginx_the_file_is_handed_over(world, login, attached, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = login(world.user("commune", "duty_officer")).get(_url(attached))
    assert_accel(response, stored_name=attached.file.name, content_type="application/pdf", filename=NAME)


def test_file_stored_before_random_names_still_downloads(world, login):
    record = make_intake(centre=world.commune)
    old = default_storage.save("intake/2026/05/anh hien truong.png", ContentFile(PNG))
    attachment = IntakeAttachment.objects.create(record=record, file=old, name="")
    response = login(world.user("commune", "duty_officer")).get(_url(attachment))
    assert_served(response, data=PNG, content_type="image/png", filename="anh hien truong.png", inline=True)


def test_forwarded_copy_serves_the_same_file(world, login, attached):
    from chihuy.intake.services import intake_forward

    copy = intake_forward(
        record=attached.record, to_centre=world.sibling, by=world.user("commune", "commander")
    )
    theirs = copy.attachments.get()
    response = login(world.user("sibling", "duty_officer")).get(_url(theirs))
    assert_served(response, data=PDF, content_type="application/pdf", filename=NAME)


def test_exe_renamed_pdf_is_refused_on_the_form_and_nothing_is_stored(world, login):
    client = login(world.user("commune", "duty_officer"))
    data = form_data(world, attachments=[pdf("ok.pdf"), virus_pdf()])
    response = client.post(reverse("intake:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Tệp “virus.pdf” không được chấp nhận: nội dung thật của tệp là chương trình Windows (.exe)" in html
    )
    assert not IntakeRecord.objects.exists() and not IntakeAttachment.objects.exists()
    assert stored_files() == []


def test_service_refuses_a_forged_file_after_a_good_one_and_stores_neither(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        make_intake(centre=world.commune, attachments=[upload("anh.png", PNG), virus_pdf()])
    assert "chương trình Windows (.exe)" in exc.value.message_dict["attachments"][0]
    assert not IntakeRecord.objects.exists()
    assert stored_files() == []


# --- API -------------------------------------------------------------------------------------


def test_api_detail_lists_attachments_with_their_download_address(world, api, attached):
    response = api(world.user("district", "standing")).get(reverse("api:intake", args=[attached.record_id]))
    assert response.status_code == 200
    assert response.json()["attachments"] == [{"id": attached.pk, "name": NAME, "url": _api_url(attached)}]
    assert "/media/" not in response.content.decode()


def test_api_download_for_who_may_see_the_record(world, api, attached):
    client = api(world.user("district", "commander"))
    # Whatever the client says it accepts, the file comes with its own type.
    response = client.get(_api_url(attached), HTTP_ACCEPT="application/pdf")
    assert_served(response, data=PDF, content_type="application/pdf", filename=NAME)


def test_api_download_sibling_404_anonymous_401(world, api, anon, attached):
    body = assert_problem(api(world.user("sibling", "commander")).get(_api_url(attached)), 404)
    assert NAME not in str(body)
    assert_problem(anon.get(_api_url(attached)), 401)


def test_api_download_behind_nginx(world, api, attached, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = api(world.user("commune", "member")).get(_api_url(attached))
    assert_accel(response, stored_name=attached.file.name, content_type="application/pdf", filename=NAME)
