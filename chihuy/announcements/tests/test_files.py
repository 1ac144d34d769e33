"""A channel message's file reaches exactly those who may read the channel (issue 12 §6)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from chihuy.announcements import services
from chihuy.announcements.models import Message
from chihuy.announcements.tests.factories import MessageFactory
from chihuy.api.tests.conftest import assert_problem
from chihuy.core.testing.files import (
    ACCEL_PREFIX,
    PDF,
    assert_accel,
    assert_served,
    docx_bytes,
    pdf,
    stored_files,
    upload,
    virus_pdf,
)

pytestmark = pytest.mark.django_db

NAME = "Kế hoạch trực Tết.pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def message(world):
    return services.message_post(
        actor=world.user("commune", "member"), centre=world.commune, attachment=pdf(NAME)
    )


def _url(message):
    return reverse("announcements:attachment", args=[message.pk])


def _api_url(message):
    return reverse("api:announcement-attachment", args=[message.pk])


def test_stored_under_a_random_name(message):
    assert message.attachment_original_name == NAME == message.attachment_name
    assert message.attachment.name.startswith("announcements/") and message.attachment.name.endswith(".pdf")
    assert "Ke" not in message.attachment.name


@pytest.mark.parametrize(("centre", "role"), [("commune", "duty_officer"), ("district", "deputy")])
def test_channel_readers_get_the_file(world, login, message, centre, role):
    response = login(world.user(centre, role)).get(_url(message))
    assert_served(response, data=PDF, content_type="application/pdf", filename=NAME)


@pytest.mark.parametrize(("who", "code"), [(("sibling", "commander"), 404), (("district", "member"), 403)])
def test_others_are_refused(world, login, message, who, code):
    assert login(world.user(*who)).get(_url(message)).status_code == code


def test_message_without_a_file_is_404(world, login):
    plain = services.message_post(actor=world.user("commune", "member"), centre=world.commune, body="Chỉ chữ")
    assert login(world.user("commune", "member")).get(_url(plain)).status_code == 404


def test_anonymous_is_sent_to_login(client, message):
    response = client.get(_url(message))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_behind_nginx(world, login, message, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = login(world.user("commune", "member")).get(_url(message))
    assert_accel(response, stored_name=message.attachment.name, content_type="application/pdf", filename=NAME)


def test_file_stored_before_random_names_still_downloads(world, login):
    old = default_storage.save("announcements/2026/05/ke-hoach.docx", ContentFile(docx_bytes()))
    legacy = MessageFactory(centre=world.commune, author=world.user("commune", "member"), attachment=old)
    response = login(world.user("commune", "member")).get(_url(legacy))
    assert_served(response, data=docx_bytes_of(legacy), content_type=DOCX, filename="ke-hoach.docx")


def docx_bytes_of(message: Message) -> bytes:
    with message.attachment.open("rb") as handle:
        return handle.read()


def test_channel_links_the_download_view(world, login, message):
    html = (
        login(world.user("commune", "member"))
        .get(reverse("announcements:centre", args=[world.commune.pk]))
        .content.decode()
    )
    assert f'href="{_url(message)}"' in html and NAME in html and "/media/" not in html


def test_exe_renamed_pdf_is_refused_on_the_form(world, login):
    response = login(world.user("commune", "member")).post(
        reverse("announcements:post", args=[world.commune.pk]), {"body": "Kèm tệp", "attachment": virus_pdf()}
    )
    assert response.status_code == 400
    assert "Tệp “virus.pdf” không được chấp nhận: nội dung thật của tệp là chương trình Windows (.exe)" in (
        response.content.decode()
    )
    assert not Message.objects.exists() and stored_files() == []


# --- API -------------------------------------------------------------------------------------


def test_api_lists_the_download_address(world, api, message):
    rows = api(world.user("commune", "member")).get(
        reverse("api:announcements"), {"centre": world.commune.pk}
    )
    assert rows.json()["results"][0]["attachment"] == {"name": NAME, "url": _api_url(message)}
    assert "/media/" not in rows.content.decode()


def test_api_download(world, api, message):
    response = api(world.user("district", "standing")).get(_api_url(message))
    assert_served(response, data=PDF, content_type="application/pdf", filename=NAME)


def test_api_download_denied(world, api, anon, message):
    assert_problem(api(world.user("sibling", "commander")).get(_api_url(message)), 404)
    assert_problem(api(world.user("district", "member")).get(_api_url(message)), 403)
    assert_problem(anon.get(_api_url(message)), 401)


def test_api_download_behind_nginx(world, api, message, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = api(world.user("commune", "member")).get(_api_url(message))
    assert_accel(response, stored_name=message.attachment.name, content_type="application/pdf", filename=NAME)


def test_api_post_with_a_file_and_a_forged_one(world, api):
    client = api(world.user("commune", "member"))
    ok = client.post(
        reverse("api:announcements"),
        {"centre": world.commune.pk, "attachment": upload("Biên bản.docx", docx_bytes())},
        format="multipart",
    )
    assert ok.status_code == 201, ok.content
    posted = Message.objects.get()
    assert ok.json()["attachment"] == {"name": "Biên bản.docx", "url": _api_url(posted)}
    files = stored_files()
    bad = client.post(
        reverse("api:announcements"),
        {"centre": world.commune.pk, "body": "Kèm tệp", "attachment": virus_pdf()},
        format="multipart",
    )
    body = assert_problem(bad, 400)
    assert list(body["errors"]) == ["attachment"]
    assert "nội dung thật của tệp là chương trình Windows (.exe)" in body["errors"]["attachment"][0]
    assert Message.objects.count() == 1 and stored_files() == files
