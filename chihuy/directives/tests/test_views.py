from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chihuy.directives import services
from chihuy.directives.choices import TaskStatus, UpdateKind
from chihuy.directives.models import Task
from chihuy.directives.tests.conftest import NOW, assignment_of
from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune_only(world, clock):
    return services.task_create(
        actor=world.user("district", "commander"),
        centre=world.district,
        title="Chỉ Tích Sơn",
        assignee_centres=[world.commune],
        deadline=NOW + dt.timedelta(days=1),
    )


@pytest.mark.parametrize(
    "name,args", [("directives:board", []), ("directives:mine", []), ("directives:create", [])]
)
def test_anonymous_is_sent_to_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_district_board_shows_per_commune_progress(world, directive, login, django_assert_max_num_queries):
    services.assignment_update(
        actor=world.user("commune", "member"),
        assignment=assignment_of(directive, world.commune),
        kind=UpdateKind.PROGRESS,
        progress=60,
        note="Đang rà soát",
    )
    client = login(world.user("district", "commander"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("directives:board"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rà soát người về từ vùng dịch" in html
    assert 'aria-label="Trung tâm chỉ huy phường Tích Sơn: 60%"' in html
    assert 'aria-label="Trung tâm chỉ huy phường Liên Bảo: 0%"' in html


def test_board_query_count_does_not_grow_with_tasks(world, clock, login, django_assert_max_num_queries):
    for i in range(8):
        services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title=f"Việc {i}",
            assignee_centres=[world.commune, world.sibling],
            deadline=NOW + dt.timedelta(days=1),
        )
    client = login(world.user("district", "commander"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("directives:board")).status_code == 200


def test_board_htmx_filter_returns_the_partial(world, directive, login):
    client = login(world.user("district", "commander"))
    response = client.get(reverse("directives:board"), {"status": "assigned"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board">') and "<html" not in html
    assert "Rà soát người về" in html
    response = client.get(reverse("directives:board"), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert "Rà soát người về" not in response.content.decode()


def test_commune_sees_its_received_part_only(world, directive, login):
    client = login(world.user("commune", "standing"))
    board = client.get(reverse("directives:board")).content.decode()
    assert "Rà soát người về từ vùng dịch" in board
    html = client.get(reverse("directives:detail", args=[directive.pk])).content.decode()
    assert "Tích Sơn" in html and "Liên Bảo" not in html


def test_sibling_cannot_open_another_communes_task(world, commune_only, login):
    client = login(world.user("sibling", "commander"))
    assert client.get(reverse("directives:detail", args=[commune_only.pk])).status_code == 404
    mine = commune_only.assignments.get()
    response = client.post(reverse("directives:report", args=[mine.pk]), {f"a{mine.pk}-kind": "accept"})
    assert response.status_code == 404


def test_parent_sees_but_may_not_report_for_the_commune(world, commune_only, login):
    mine = commune_only.assignments.get()
    client = login(world.user("district", "commander"))
    assert client.get(reverse("directives:detail", args=[commune_only.pk])).status_code == 200
    response = client.post(reverse("directives:report", args=[mine.pk]), {f"a{mine.pk}-kind": "accept"})
    assert response.status_code == 403
    province = login(world.user("province", "deputy"))
    assert province.get(reverse("directives:detail", args=[commune_only.pk])).status_code == 200
    assert province.get(reverse("directives:edit", args=[commune_only.pk])).status_code == 403


def test_commune_reports_progress_with_a_file_and_done(world, commune_only, login):
    mine = commune_only.assignments.get()
    client = login(world.user("commune", "member"))
    url = reverse("directives:report", args=[mine.pk])
    p = f"a{mine.pk}-"
    client.post(url, {p + "kind": "accept"})
    response = client.post(
        url,
        {
            p + "kind": "progress",
            p + "progress": "50",
            p + "note": "Một nửa",
            p + "attachments": SimpleUploadedFile("anh.png", b"\x89PNG\r\n", content_type="image/png"),
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == (TaskStatus.IN_PROGRESS, 50)
    html = client.get(reverse("directives:detail", args=[commune_only.pk])).content.decode()
    assert "anh.png" in html
    response = client.post(url, {p + "kind": "cannot"}, follow=True)
    assert "Ghi rõ lý do không thực hiện được" in response.content.decode()
    client.post(url, {p + "kind": "done", p + "note": "Xong"})
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE


def test_create_form_refuses_bad_input_and_saves_good(world, clock, login):
    client = login(world.user("district", "commander"))
    assert client.get(reverse("directives:create")).status_code == 200
    data = {
        "title": "Tăng cường chốt kiểm soát",
        "description": "",
        "source_kind": "other",
        "assignee_kind": "centres",
        "assignee_centres": [world.commune.pk, world.sibling.pk],
        "deadline_date": "21/11/2026",
        "deadline_time": "17:00",
        "priority": "high",
    }
    response = client.post(reverse("directives:create"), data)
    assert response.status_code == 200
    assert "không được trước thời điểm giao" in response.content.decode()
    assert not Task.objects.exists()
    data["deadline_date"] = "23/11/2026"
    response = client.post(reverse("directives:create"), data)
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "directives:detail", args=[task.pk]
    )
    assert task.assignments.count() == 2


def test_create_from_intake_record(world, clock, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("commune", "commander"))
    url = reverse("directives:create") + f"?source=intake:{record.pk}"
    assert record.number in client.get(url).content.decode()
    member = world.commune.members.get(role="member")
    client.post(
        url,
        {
            "title": "Xác minh",
            "source_kind": "other",
            "assignee_kind": "member",
            "assignee_member": member.pk,
            "deadline_date": "22/11/2026",
            "deadline_time": "20:00",
            "priority": "normal",
        },
    )
    task = Task.objects.get()
    assert task.source == record and task.source_kind == "intake"
    sibling_client = login(world.user("sibling", "commander"))
    assert sibling_client.get(reverse("directives:create") + f"?source=intake:{record.pk}").status_code == 404


def test_only_staff_may_open_the_create_form(world, login):
    assert login(world.user("district", "duty_officer")).get(reverse("directives:create")).status_code == 403


def test_edit_moves_the_deadline(world, commune_only, login):
    client = login(world.user("district", "standing"))
    response = client.post(
        reverse("directives:edit", args=[commune_only.pk]),
        {
            "title": commune_only.title,
            "description": "",
            "priority": "urgent",
            "document_number": "",
            "deadline_date": "25/11/2026",
            "deadline_time": "08:00",
        },
    )
    assert response.status_code == 302
    commune_only.refresh_from_db()
    assert commune_only.priority == "urgent"
    assert commune_only.deadline == dt.datetime(2026, 11, 25, 8, 0, tzinfo=NOW.tzinfo)


def test_escalated_task_is_assigned_by_the_parent(world, clock, login):
    task = services.task_create(
        actor=world.user("commune", "commander"),
        centre=world.commune,
        title="Cần xe cứu thương",
        assignee_member=world.commune.members.get(role="member"),
        deadline=NOW + dt.timedelta(days=1),
    )
    client = login(world.user("commune", "member"))
    a = task.assignments.get()
    client.post(
        reverse("directives:report", args=[a.pk]),
        {f"a{a.pk}-kind": "escalate", f"a{a.pk}-note": "Xã không có xe"},
    )
    up = Task.objects.get(centre=world.district)
    district = login(world.user("district", "commander"))
    html = district.get(reverse("directives:detail", args=[up.pk])).content.decode()
    assert "Xã không có xe" in html and "chưa giao cho ai" in html
    district.post(
        reverse("directives:assign", args=[up.pk]),
        {"assignee_kind": "centres", "assignee_centres": [world.sibling.pk]},
    )
    assert up.assignments.get().assignee_centre == world.sibling
    # The commune keeps its history.
    commune = login(world.user("commune", "commander"))
    assert "Xã không có xe" in commune.get(reverse("directives:detail", args=[task.pk])).content.decode()


def test_my_tasks(world, directive, login, django_assert_max_num_queries):
    client = login(world.user("commune", "deputy"))
    with django_assert_max_num_queries(12):
        html = client.get(reverse("directives:mine")).content.decode()
    assert "Rà soát người về từ vùng dịch" in html
    assert (
        "Rà soát người về"
        not in login(world.user("province", "commander")).get(reverse("directives:mine")).content.decode()
    )
