"""A directive's document and the files posted with its updates reach exactly those who may
see them (issue 12 §6): a commune never opens its sibling's report files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

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
from chihuy.directives import services
from chihuy.directives.models import Task, TaskAttachment, TaskUpdate
from chihuy.directives.tests.conftest import NOW, assignment_of

pytestmark = pytest.mark.django_db

DOCUMENT = "Công văn 123-UBND.pdf"
PHOTO = "ảnh hiện trường.png"


@pytest.fixture
def task(world, clock):
    """A district directive with its document, to both communes; the commune has reported
    progress with a photo."""
    task = services.task_create(
        actor=world.user("district", "commander"),
        centre=world.district,
        title="Rà soát người về từ vùng dịch",
        source_kind="document",
        document_file=pdf(DOCUMENT),
        assignee_centres=[world.commune, world.sibling],
        deadline=NOW + dt.timedelta(days=1),
    )
    services.assignment_update(
        actor=world.user("commune", "member"),
        assignment=assignment_of(task, world.commune),
        kind="progress",
        note="Đã rà 20 hộ",
        attachments=[upload(PHOTO, PNG, "image/png")],
    )
    return task


@pytest.fixture
def photo(task):
    return TaskAttachment.objects.get()


def _doc_url(task):
    return reverse("directives:document", args=[task.pk])


def _att_url(photo):
    return reverse("directives:attachment", args=[photo.update.task_id, photo.pk])


def test_files_are_stored_under_random_names(task, photo):
    assert task.document_name == DOCUMENT and task.document_file.name.startswith("directives/documents/")
    assert photo.name == PHOTO and photo.file.name.endswith(".png") and "nh" not in photo.file.name[-36:]
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("centre", "role"), [("commune", "member"), ("sibling", "member"), ("district", "commander")]
)
def test_document_for_everyone_who_sees_the_task(world, login, task, centre, role):
    response = login(world.user(centre, role)).get(_doc_url(task))
    assert_served(response, data=PDF, content_type="application/pdf", filename=DOCUMENT)


def test_document_of_a_task_the_user_cannot_see_is_404(world, login, clock):
    own = services.task_create(
        actor=world.user("commune", "commander"),
        centre=world.commune,
        title="Việc của phường",
        document_file=pdf(DOCUMENT),
        assignee_member=world.commune.members.get(role="member"),
        deadline=NOW + dt.timedelta(days=1),
    )
    assert login(world.user("commune", "member")).get(_doc_url(own)).status_code == 200
    assert login(world.user("sibling", "commander")).get(_doc_url(own)).status_code == 404


def test_task_without_a_document_is_404(world, login, clock):
    bare = services.task_create(
        actor=world.user("district", "commander"),
        centre=world.district,
        title="Không có văn bản",
        assignee_centres=[world.commune],
        deadline=NOW + dt.timedelta(days=1),
    )
    assert login(world.user("district", "commander")).get(_doc_url(bare)).status_code == 404


@pytest.mark.parametrize(
    ("centre", "role"), [("commune", "member"), ("commune", "commander"), ("district", "standing")]
)
def test_update_file_for_who_may_read_the_update(world, login, photo, centre, role):
    response = login(world.user(centre, role)).get(_att_url(photo))
    assert_served(response, data=PNG, content_type="image/png", filename=PHOTO, inline=True)


def test_sibling_commune_sees_the_task_but_not_the_communes_file(world, login, task, photo):
    client = login(world.user("sibling", "commander"))
    assert client.get(reverse("directives:detail", args=[task.pk])).status_code == 200
    assert client.get(_att_url(photo)).status_code == 404


def test_anonymous_is_sent_to_login(client, task, photo):
    for url in (_doc_url(task), _att_url(photo)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_behind_nginx(world, login, task, photo, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    client = login(world.user("commune", "member"))
    assert_accel(
        client.get(_doc_url(task)),
        stored_name=task.document_file.name,
        content_type="application/pdf",
        filename=DOCUMENT,
    )
    assert_accel(
        client.get(_att_url(photo)), stored_name=photo.file.name, content_type="image/png", filename=PHOTO
    )


def test_detail_page_links_the_download_views(world, login, task, photo):
    html = (
        login(world.user("commune", "member"))
        .get(reverse("directives:detail", args=[task.pk]))
        .content.decode()
    )
    assert f'href="{_doc_url(task)}"' in html and f'href="{_att_url(photo)}"' in html
    assert DOCUMENT in html and PHOTO in html and "/media/" not in html


def test_exe_renamed_pdf_is_refused_on_the_report_form(world, login, task):
    mine = assignment_of(task, world.commune)
    before = TaskUpdate.objects.count()
    files = stored_files()
    p = f"a{mine.pk}-"
    response = login(world.user("commune", "member")).post(
        reverse("directives:report", args=[mine.pk]),
        {p + "kind": "progress", p + "note": "Kèm báo cáo", p + "attachments": virus_pdf()},
        follow=True,
    )
    assert "Tệp “virus.pdf” không được chấp nhận: nội dung thật của tệp là chương trình Windows (.exe)" in (
        response.content.decode()
    )
    assert TaskUpdate.objects.count() == before and TaskAttachment.objects.count() == 1
    assert stored_files() == files


def test_exe_renamed_pdf_is_refused_as_a_directive_document(world, login, clock):
    client = login(world.user("district", "commander"))
    data = {
        "title": "Tăng cường chốt kiểm soát",
        "source_kind": "document",
        "document_file": virus_pdf(),
        "assignee_kind": "centres",
        "assignee_centres": [world.commune.pk],
        "deadline_date": "23/11/2026",
        "deadline_time": "17:00",
        "priority": "high",
    }
    response = client.post(reverse("directives:create"), data)
    assert response.status_code == 200
    assert "nội dung thật của tệp là chương trình Windows (.exe)" in response.content.decode()
    assert not Task.objects.exists() and stored_files() == []


def test_service_checks_every_file_before_storing_any(world, task):
    from django.core.exceptions import ValidationError

    files = stored_files()
    with pytest.raises(ValidationError) as exc:
        services.assignment_update(
            actor=world.user("commune", "member"),
            assignment=assignment_of(task, world.commune),
            kind="progress",
            note="Hai tệp",
            attachments=[pdf("ok.pdf"), virus_pdf()],
        )
    assert "chương trình Windows (.exe)" in exc.value.message_dict["attachments"][0]
    assert stored_files() == files and TaskAttachment.objects.count() == 1


# --- API -------------------------------------------------------------------------------------


def _api_doc(task):
    return reverse("api:task-document", args=[task.pk])


def _api_att(photo):
    return reverse("api:task-attachment", args=[photo.update.task_id, photo.pk])


def test_api_task_gives_download_addresses(world, api, task, photo):
    response = api(world.user("commune", "member")).get(reverse("api:task", args=[task.pk]))
    data = response.json()
    assert data["document"] == {"name": DOCUMENT, "url": _api_doc(task)}
    files = [f for u in data["updates"] for f in u["attachments"]]
    assert files == [{"id": photo.pk, "name": PHOTO, "url": _api_att(photo)}]
    assert "/media/" not in response.content.decode()
    # The sibling reads the task, without the commune's update or its file.
    sibling = api(world.user("sibling", "member")).get(reverse("api:task", args=[task.pk])).json()
    assert sibling["document"]["url"] == _api_doc(task)
    assert not [f for u in sibling["updates"] for f in u["attachments"]]


def test_api_downloads(world, api, task, photo):
    client = api(world.user("district", "commander"))
    assert_served(client.get(_api_doc(task)), data=PDF, content_type="application/pdf", filename=DOCUMENT)
    assert_served(
        client.get(_api_att(photo)), data=PNG, content_type="image/png", filename=PHOTO, inline=True
    )


def test_api_downloads_denied(world, api, anon, task, photo):
    assert_problem(api(world.user("sibling", "member")).get(_api_att(photo)), 404)
    assert_problem(anon.get(_api_doc(task)), 401)
    assert_problem(anon.get(_api_att(photo)), 401)


def test_api_downloads_behind_nginx(world, api, task, photo, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    client = api(world.user("commune", "member"))
    assert_accel(
        client.get(_api_doc(task)),
        stored_name=task.document_file.name,
        content_type="application/pdf",
        filename=DOCUMENT,
    )
    assert_accel(
        client.get(_api_att(photo)), stored_name=photo.file.name, content_type="image/png", filename=PHOTO
    )


def test_api_refuses_a_forged_file_by_field_and_stores_nothing(world, api, task):
    mine = assignment_of(task, world.commune)
    files = stored_files()
    response = api(world.user("commune", "member")).post(
        reverse("api:assignment-updates", args=[mine.pk]),
        {"kind": "progress", "note": "Kèm báo cáo", "attachments": [virus_pdf()]},
        format="multipart",
    )
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["attachments"]
    assert "nội dung thật của tệp là chương trình Windows (.exe)" in body["errors"]["attachments"][0]
    assert TaskAttachment.objects.count() == 1 and stored_files() == files
