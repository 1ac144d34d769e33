from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from chihuy.roster import services
from chihuy.roster.choices import DutyRole, RosterStatus, SwapStatus
from chihuy.roster.models import Assignment, CheckIn, SwapRequest
from chihuy.roster.tests.conftest import TZ

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=TZ)


def _future(roster, role=DutyRole.PRIMARY, kind="health"):
    return Assignment.objects.filter(roster=roster, role=role, agency__kind=kind, start__gt=at(26, 0)).first()


# Every page: (name, method, args builder, who may: "view" | "edit" | "own" | "approve")
PAGES = [
    ("roster:centre", "get", lambda r, a, s: [r.centre_id], "view"),
    ("roster:on_duty", "get", lambda r, a, s: [r.centre_id], "view"),
    ("roster:generate", "post", lambda r, a, s: [r.centre_id], "edit"),
    ("roster:centre_feed", "get", lambda r, a, s: [r.centre_id], "edit"),
    ("roster:detail", "get", lambda r, a, s: [r.pk], "view"),
    ("roster:publish", "post", lambda r, a, s: [r.pk], "edit"),
    ("roster:delete", "post", lambda r, a, s: [r.pk], "edit"),
    ("roster:pdf", "get", lambda r, a, s: [r.pk], "view"),
    ("roster:xlsx", "get", lambda r, a, s: [r.pk], "view"),
    ("roster:assignment_edit", "get", lambda r, a, s: [a.pk], "edit"),
    ("roster:checkin", "post", lambda r, a, s: [a.pk], "own"),
    ("roster:swap_create", "get", lambda r, a, s: [a.pk], "own"),
    ("roster:swap_decide", "post", lambda r, a, s: [s.pk, "approve"], "approve"),
    ("roster:swap_decide", "post", lambda r, a, s: [s.pk, "accept"], "own"),
]
IDS = [f"{n}-{m}-{w}" for n, m, _b, w in PAGES]


@pytest.fixture
def objs(published, staffed):
    a = _future(published)
    other = next(m for m in staffed.officers["health"] if m.user_id != a.user_id)
    swap = SwapRequest.objects.create(
        assignment=a, requester=a.member, counterpart=other, status=SwapStatus.ACCEPTED
    )
    return published, a, swap


@pytest.mark.parametrize(("name", "method", "args", "who"), PAGES, ids=IDS)
def test_anonymous_goes_to_login(client, objs, name, method, args, who):
    response = getattr(client, method)(reverse(name, args=args(*objs)))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "method", "args", "who"), PAGES, ids=IDS)
def test_sibling_centre_gets_404(login, world, objs, name, method, args, who):
    c = login(world.user("sibling", "commander"))
    assert getattr(c, method)(reverse(name, args=args(*objs))).status_code == 404


@pytest.mark.parametrize(
    ("name", "method", "args", "who"),
    [p for p in PAGES if p[3] != "view"],
    ids=[i for i, p in zip(IDS, PAGES, strict=True) if p[3] != "view"],
)
def test_role_not_allowed_gets_403(login, world, objs, name, method, args, who):
    # A plain member of the centre: may see, may not edit, approve, or act for someone else.
    c = login(world.user("commune", "member"))
    assert getattr(c, method)(reverse(name, args=args(*objs))).status_code == 403


def test_ical_unknown_token_404(client, world):
    assert client.get(reverse("roster:ical", args=["nope"])).status_code == 404


def test_parent_centre_may_read_child_roster(login, world, objs):
    roster = objs[0]
    c = login(world.user("district", "duty_officer"))
    assert c.get(reverse("roster:centre", args=[roster.centre_id])).status_code == 200
    assert c.get(reverse("roster:detail", args=[roster.pk])).status_code == 200


def test_generate_and_publish_through_pages(
    login, world, staffed, mailoutbox, django_capture_on_commit_callbacks
):
    c = login(world.user("commune", "commander"))
    response = c.post(
        reverse("roster:generate", args=[staffed.centre.pk]), {"start": "01/05/2026", "end": "31/05/2026"}
    )
    roster = staffed.centre.rosters.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:detail", args=[roster.pk])
    page = c.get(reverse("roster:detail", args=[roster.pk])).content.decode()
    assert "Ban hành lịch trực" in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("roster:publish", args=[roster.pk]))
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED and mailoutbox


def test_calendar_month_marks_holidays_and_is_query_bounded(
    login, world, published, django_assert_max_num_queries
):
    c = login(world.user("commune", "duty_officer"))
    url = reverse("roster:centre", args=[published.centre_id]) + "?view=month&date=2026-04-24"
    c.get(url)  # warm per-request caches
    with django_assert_max_num_queries(20):
        page = c.get(url).content.decode()
    assert "Ngày Chiến thắng" in page and "Ngày Quốc tế Lao động" in page
    assert "roster-holiday" in page
    partial = c.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="roster-calendar"') and "<html" not in partial


@pytest.mark.parametrize("mode", ["day", "week", "month"])
def test_person_calendar(login, world, published, mode):
    a = _future(published)
    c = login(a.user)
    page = c.get(reverse("roster:person", args=[a.member_id]) + f"?view={mode}&date=2026-04-27")
    assert page.status_code == 200


def test_my_shifts_checkin_and_swap(login, world, published, frozen, staffed):
    a = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="health", start=at(24, 13)
    )
    frozen.move_to(at(24, 12, 50))
    c = login(a.user)
    page = c.get(reverse("roster:mine")).content.decode()
    assert "Điểm danh" in page and "/roster/ical/" in page
    c.post(reverse("roster:checkin", args=[a.pk]))
    assert CheckIn.objects.filter(assignment=a).exists()
    b = _future(published)
    c = login(b.user)
    other = next(m for m in staffed.officers["health"] if m.user_id != b.user_id)
    c.post(reverse("roster:swap_create", args=[b.pk]), {"counterpart": other.pk, "reason": "Ốm"})
    swap = SwapRequest.objects.get(assignment=b)
    c = login(other.user)
    c.post(reverse("roster:swap_decide", args=[swap.pk, "accept"]))
    swap.refresh_from_db()
    assert swap.status in (SwapStatus.ACCEPTED, SwapStatus.APPROVED)


def test_take_over_button(login, world, published, frozen, staffed):
    frozen.move_to(at(24, 14))
    a = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="health", start=at(24, 13)
    )
    from chihuy.core.testing.factories import MemberFactory, UserFactory

    fresh = MemberFactory(
        centre=staffed.centre, role="duty_officer", agency=staffed.health, user=UserFactory()
    )
    c = login(fresh.user)
    response = c.post(reverse("roster:take_over", args=[a.pk]))
    assert response.status_code == 302
    assert Assignment.objects.filter(member=fresh, start=at(24, 14)).exists()


def test_edit_rest_breach_message(login, world, published):
    a = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="health", start=at(25, 7)
    )
    prev = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="health", start=at(25, 1)
    )
    c = login(world.user("commune", "standing"))
    data = {"member": prev.member_id, "start": "07:00 25/04/2026", "end": "13:00 25/04/2026"}
    page = c.post(reverse("roster:assignment_edit", args=[a.pk]), data).content.decode()
    assert "chưa nghỉ đủ 12 giờ" in page
    page = c.post(
        reverse("roster:assignment_edit", args=[a.pk]), {**data, "override_reason": "x"}
    ).content.decode()
    assert "Chỉ chỉ huy trưởng hoặc phó chỉ huy trưởng" in page
    c = login(world.user("commune", "commander"))
    assert (
        c.post(reverse("roster:assignment_edit", args=[a.pk]), {**data, "override_reason": "x"}).status_code
        == 302
    )


def test_on_duty_partial(login, world, published, frozen):
    c = login(world.user("commune", "member"))
    page = c.get(reverse("roster:on_duty", args=[published.centre_id])).content.decode()
    assert "Trực chỉ huy" in page and "Cán bộ health" in page


def test_excel_export_reads_back(login, world, published):
    from openpyxl import load_workbook

    c = login(world.user("commune", "member"))
    response = c.get(reverse("roster:xlsx", args=[published.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("LỊCH TRỰC")
    assert rows[2][:4] == ("Ngày", "Thứ", "Trực chỉ huy", "Trực trong ngày")
    by_date = {r[0]: r for r in rows[3:]}
    assert by_date["30/04/2026"][-1] == "Ngày Chiến thắng"
    assert "Cán bộ health" in (by_date["25/04/2026"][4] or "")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_export_reads_back(login, world, published, tmp_path):
    c = login(world.user("commune", "member"))
    response = c.get(reverse("roster:pdf", args=[published.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "r.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "LỊCH TRỰC" in text and "30/04/2026" in text and "Chiến" in text


def test_ical_feeds(login, world, published, client):
    from icalendar import Calendar

    a = _future(published)
    token = services.calendar_token_for(user=a.user)
    cal = Calendar.from_ical(client.get(reverse("roster:ical", args=[token])).content)
    events = [e for e in cal.walk("VEVENT")]
    assert events and all("Cán bộ health" in str(e["summary"]) for e in events)
    assert any(e["dtstart"].dt == a.start for e in events)
    c = login(world.user("commune", "commander"))
    page = c.get(reverse("roster:centre_feed", args=[published.centre_id])).content.decode()
    assert "/roster/ical/" in page
    ctoken = services.calendar_token_for(centre=published.centre)
    cal = Calendar.from_ical(client.get(reverse("roster:ical", args=[ctoken])).content)
    assert len(list(cal.walk("VEVENT"))) == Assignment.objects.filter(roster=published).count()
