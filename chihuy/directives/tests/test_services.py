from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chihuy.core.testing.factories import AgencyFactory
from chihuy.directives import selectors, services
from chihuy.directives.choices import AssigneeKind, SourceKind, TaskStatus, UpdateKind
from chihuy.directives.models import Assignment, Task, TaskUpdate
from chihuy.directives.tests.conftest import NOW, assignment_of
from chihuy.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_directive_to_all_communes_is_tracked_per_commune(
    world, directive, django_capture_on_commit_callbacks
):
    assert directive.assignee_kind == AssigneeKind.CENTRES
    assert directive.created_by == world.user("district", "commander")
    rows = list(directive.assignments.order_by("assignee_centre__short_code"))
    assert [a.assignee_centre for a in rows] == [world.sibling, world.commune]
    assert {a.status for a in rows} == {TaskStatus.ASSIGNED}
    assert directive.status == TaskStatus.ASSIGNED


def test_assignees_are_told_after_commit(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.task_create(
            actor=world.user("district", "standing"),
            centre=world.district,
            title="Kiểm tra chốt",
            assignee_centres=[world.commune],
            deadline=dt.date(2026, 11, 23),
        )
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"commune_commander", "commune_deputy", "commune_standing"}


def test_date_deadline_means_end_of_day_local(world, clock):
    task = services.task_create(
        actor=world.user("commune", "commander"),
        centre=world.commune,
        title="Phun khử khuẩn",
        assignee_member=world.commune.members.get(role="member"),
        deadline=dt.date(2026, 11, 22),
    )
    from django.utils import timezone

    assert timezone.localtime(task.deadline).strftime("%H:%M %d/%m/%Y") == "23:59 22/11/2026"


def test_deadline_before_assignment_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title="Báo cáo",
            assignee_centres=[world.commune],
            deadline=NOW - dt.timedelta(hours=3),
        )
    assert "không được trước thời điểm giao" in exc.value.message_dict["deadline"][0]
    assert not Task.objects.exists()


def test_assignment_to_a_centre_that_is_not_a_child_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=world.user("province", "commander"),
            centre=world.province,
            title="Báo cáo",
            assignee_centres=[world.district, world.commune],
            deadline=NOW + dt.timedelta(days=1),
        )
    assert "không phải trung tâm cấp dưới trực tiếp" in exc.value.message_dict["assignee_centres"][0]
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_exactly_one_kind_of_assignee(world, clock):
    member = world.district.members.get(role="member")
    for kwargs in ({}, {"assignee_member": member, "assignee_centres": [world.commune]}):
        with pytest.raises(ValidationError) as exc:
            services.task_create(
                actor=world.user("district", "commander"),
                centre=world.district,
                title="Báo cáo",
                deadline=NOW + dt.timedelta(days=1),
                **kwargs,
            )
        assert "đúng một loại người nhận" in exc.value.message_dict["assignee"][0]


def test_member_and_agency_must_belong_to_the_centre(world, clock):
    other_member = world.sibling.members.get(role="member")
    agency = AgencyFactory(centre=world.sibling)
    with pytest.raises(ValidationError):
        services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title="x",
            assignee_member=other_member,
            deadline=NOW + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title="x",
            assignee_agency=agency,
            deadline=NOW + dt.timedelta(days=1),
        )


def test_document_source_needs_number_or_file(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title="Văn bản",
            source_kind=SourceKind.DOCUMENT,
            assignee_centres=[world.commune],
            deadline=NOW + dt.timedelta(days=1),
        )
    assert "document_number" in exc.value.message_dict


def test_only_staff_give_tasks(world, clock):
    with pytest.raises(PermissionDenied):
        services.task_create(
            actor=world.user("district", "duty_officer"),
            centre=world.district,
            title="x",
            assignee_centres=[world.commune],
            deadline=NOW + dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        services.task_create(
            actor=world.user("province", "commander"),
            centre=world.district,
            title="x",
            assignee_centres=[world.commune],
            deadline=NOW + dt.timedelta(days=1),
        )


def test_source_object_is_linked(world, clock):
    from chihuy.intake.tests.factories import make_intake

    record = make_intake(centre=world.commune)
    task = services.task_create(
        actor=world.user("commune", "commander"),
        centre=world.commune,
        title="Xử lý phản ánh",
        source_kind="intake",
        source_object=record,
        assignee_member=world.commune.members.get(role="member"),
        deadline=NOW + dt.timedelta(hours=5),
    )
    assert task.source == record
    other = make_intake(centre=world.sibling)
    with pytest.raises(ValidationError):
        services.task_create(
            actor=world.user("commune", "commander"),
            centre=world.commune,
            title="x",
            source_kind="intake",
            source_object=other,
            assignee_member=world.commune.members.get(role="member"),
            deadline=NOW + dt.timedelta(hours=5),
        )


def test_tasks_overdue(world, directive, clock):
    assert list(selectors.tasks_overdue(centre=world.district)) == []
    clock.shift(dt.timedelta(days=2))
    assert list(selectors.tasks_overdue(centre=world.district)) == [directive]
    assert list(selectors.tasks_overdue(centre=world.commune)) == []
    for centre in (world.commune, world.sibling):
        services.assignment_update(
            actor=world.user("commune" if centre == world.commune else "sibling", "member"),
            assignment=assignment_of(directive, centre),
            kind=UpdateKind.DONE,
        )
    assert list(selectors.tasks_overdue(centre=world.district)) == []
    directive.refresh_from_db()
    assert directive.status == TaskStatus.DONE and directive.progress == 100


def test_commune_accepts_progresses_and_finishes(world, directive, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = world.user("commune", "member")
    mine = assignment_of(directive, world.commune)
    services.assignment_update(actor=officer, assignment=mine, kind=UpdateKind.ACCEPT)
    upd = services.assignment_update(
        actor=officer,
        assignment=mine,
        kind=UpdateKind.PROGRESS,
        note="Đã lập danh sách 40 hộ.",
        progress=40,
        attachments=[SimpleUploadedFile("danh-sach.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
    )
    assert upd.attachments.count() == 1
    mine.refresh_from_db()
    directive.refresh_from_db()
    assert (mine.status, mine.progress) == (TaskStatus.IN_PROGRESS, 40)
    assert (directive.status, directive.progress) == (TaskStatus.IN_PROGRESS, 20)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_update(actor=officer, assignment=mine, kind=UpdateKind.DONE, note="Xong.")
    assert Notification.objects.filter(user=world.user("district", "commander"), kind="directive").exists()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE and mine.closed_at is not None
    with pytest.raises(ValidationError) as exc:
        services.assignment_update(actor=officer, assignment=mine, kind=UpdateKind.PROGRESS, note="x")
    assert "đã kết thúc" in exc.value.message_dict["kind"][0]


def test_a_commune_cannot_update_another_communes_part(world, directive):
    theirs = assignment_of(directive, world.sibling)
    with pytest.raises(PermissionDenied) as exc:
        services.assignment_update(
            actor=world.user("commune", "commander"), assignment=theirs, kind=UpdateKind.ACCEPT
        )
    assert "Liên Bảo" in str(exc.value)
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.ASSIGNED


def test_cannot_be_done_needs_a_reason(world, directive):
    mine = assignment_of(directive, world.commune)
    with pytest.raises(ValidationError) as exc:
        services.assignment_update(
            actor=world.user("commune", "member"), assignment=mine, kind=UpdateKind.CANNOT
        )
    assert "lý do" in exc.value.message_dict["note"][0]
    services.assignment_update(
        actor=world.user("commune", "member"), assignment=mine, kind=UpdateKind.CANNOT, note="Thiếu nhân lực."
    )
    mine.refresh_from_db()
    assert mine.status == TaskStatus.CANNOT and mine.reason == "Thiếu nhân lực."


def test_beyond_authority_goes_up_to_the_parent(world, clock, django_capture_on_commit_callbacks):
    task = services.task_create(
        actor=world.user("commune", "commander"),
        centre=world.commune,
        title="Phong tỏa khu dân cư",
        assignee_member=world.commune.members.get(role="member"),
        deadline=NOW + dt.timedelta(days=1),
    )
    mine = task.assignments.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_update(
            actor=world.user("commune", "member"),
            assignment=mine,
            kind=UpdateKind.ESCALATE,
            note="Phong tỏa cần quyết định của cấp huyện.",
        )
    up = Task.objects.get(centre=world.district)
    assert up.escalated_from == mine and up.source == task
    assert up.assignee_kind == AssigneeKind.NONE and up.source_kind == SourceKind.ESCALATED
    assert "cấp huyện" in up.description
    assert Notification.objects.filter(
        user=world.user("district", "commander"), url__contains=f"/{up.pk}/"
    ).exists()
    mine.refresh_from_db()
    task.refresh_from_db()
    assert mine.status == TaskStatus.ESCALATED and task.status == TaskStatus.ESCALATED
    # Both centres keep the history.
    assert TaskUpdate.objects.filter(task=task, kind=UpdateKind.ESCALATE).exists()
    assert TaskUpdate.objects.filter(task=up, kind=UpdateKind.ESCALATE).exists()
    # The district assigns it onward.
    services.task_assign(actor=world.user("district", "commander"), task=up, assignee_centres=[world.sibling])
    up.refresh_from_db()
    assert up.assignee_kind == AssigneeKind.CENTRES and up.assignments.count() == 1


def test_reminders_and_overdue_notice_are_sent_once(
    world, directive, clock, django_capture_on_commit_callbacks
):
    mine = assignment_of(directive, world.commune)
    assert services.assignment_remind(assignment_id=mine.pk, lead="24h") is False  # not yet
    clock.shift(dt.timedelta(hours=9))  # 24 h before: 17:00 22/11 → due 17:00 23/11
    with django_capture_on_commit_callbacks(execute=True):
        assert services.directives_send_due() == 2  # both communes
        assert services.directives_send_due() == 0
    assert (
        Notification.objects.filter(
            user=world.user("commune", "commander"), subject__contains="Sắp đến hạn"
        ).count()
        == 1
    )
    clock.shift(dt.timedelta(hours=22, minutes=30))
    assert services.assignment_remind(assignment_id=mine.pk, lead="2h") is True
    assert services.assignment_remind(assignment_id=mine.pk, lead="2h") is False
    clock.shift(dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.assignment_overdue(assignment_id=mine.pk) is True
        assert services.assignment_overdue(assignment_id=mine.pk) is False
    mine.refresh_from_db()
    directive.refresh_from_db()
    assert mine.status == TaskStatus.OVERDUE and directive.status == TaskStatus.OVERDUE
    notices = Notification.objects.filter(
        user=world.user("district", "commander"), subject__contains="Quá hạn"
    )
    assert notices.count() == 1


def test_moving_the_deadline_clears_overdue_and_reminders(world, directive, clock):
    mine = assignment_of(directive, world.commune)
    clock.shift(dt.timedelta(days=2))
    services.assignment_overdue(assignment_id=mine.pk)
    services.task_update(
        actor=world.user("district", "commander"), task=directive, deadline=NOW + dt.timedelta(days=5)
    )
    mine.refresh_from_db()
    directive.refresh_from_db()
    assert mine.status == TaskStatus.ASSIGNED and mine.overdue_notified_at is None
    assert directive.status == TaskStatus.ASSIGNED
    with pytest.raises(ValidationError):
        services.task_update(
            actor=world.user("district", "commander"), task=directive, deadline=NOW - dt.timedelta(days=1)
        )


def test_reminders_are_stored_with_their_due_time(world, clock, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        task = services.task_create(
            actor=world.user("district", "commander"),
            centre=world.district,
            title="Báo cáo",
            assignee_centres=[world.commune],
            deadline=NOW + dt.timedelta(days=2),
        )
    rows = DBTaskResult.objects.filter(task_path__startswith="chihuy.directives.tasks")
    due = sorted(r.run_after for r in rows)
    deadline = task.deadline
    assert due == [
        deadline - dt.timedelta(hours=24),
        deadline - dt.timedelta(hours=2),
        deadline + dt.timedelta(seconds=1),
    ]


def test_sweep_task_rebooks_itself(world, clock, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    from django_tasks_db.models import DBTaskResult

    from chihuy.directives.tasks import SWEEP_EVERY, directives_sweep_task

    assert directives_sweep_task.call() == 0
    waiting = DBTaskResult.objects.get(task_path=directives_sweep_task.module_path, status="READY")
    assert waiting.run_after == NOW + SWEEP_EVERY
    directives_sweep_task.call()
    assert DBTaskResult.objects.filter(task_path=directives_sweep_task.module_path).count() == 1
