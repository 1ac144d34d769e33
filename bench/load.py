"""Benchmark: a busy day on the production stack, with a province's year of records (issue 12).

The scene of the collapse reported in issue 12, replayed against the production launcher
(``python -m chihuy.core.serve --workers 2``, CHIHUY_ENV=production behind a TLS proxy header)
and a task worker (``manage.py db_worker``) on PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chihuy_bench_load; created and migrated here):

- the legacy Vĩnh Phúc province: its centre, the 9 district centres and 10 commune centres,
  with ~103,705 logbook records over the last 365 days (COPY, day numbers and
  ``IntakeDayCounter`` consistent, so new numbers follow on). Jurisdictions, centres and
  users are kept for the next run; the records are copied afresh each run (a few seconds),
  so "today" is always today and the previous run's calls and alerts are gone;
- 200 duty officers who log in through the login page (the real password hasher), then
  loop: logbook, a record, the new-call form, a POST of the form (CSRF token from the form),
  back to the logbook. BENCH_URGENT (18) of those calls are urgent, spread over the run;
- 20 commanders (one per centre) who keep the home page open (reloaded every ~30 s), each
  with one alert stream (``/alerts/stream``) held the whole run, and acknowledge each alert
  after reading it for a few seconds;
- 20 API lines posting ``/api/v1/intakes`` with their tokens at a steady rate.

Officers log in staggered over BENCH_RAMP_SECONDS (180) and start work as they do; the
measured window is BENCH_SECONDS (300) after that (``rps`` and ``p95_ms`` count it alone;
``ramp_p95_ms`` is the ramp's). A login costs one password hash of the production hasher
(PBKDF2, 1.5 M iterations, ``password_hash_ms``): 220 of them are about 100 s of CPU, which
is why the shift arrives over minutes, not at once. Think times: an officer reads the
logbook 5-15 s, a record 10-30 s and spends 60-150 s on a call (one submit every ~2.5 min,
so ~80 calls a minute from 200 officers); the API lines post every 10 s each; commanders
reload the home page every 20-40 s. An urgent call
should reach, on an open stream, the recipients of its alert's first step (the duty
commanders of its centre, R3; fired in the record's transaction), and at least its centre's
commander: ``alerts_missing`` counts (call, stream) pairs that never did (30 s of grace
after the end) plus urgent calls that failed. Think times scale with BENCH_THINK (1.0).

Prints exactly one JSON line (house style rule 18: benchmarks are not tests).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import string
import sys
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from _common import (
    PROXY_HEADERS,
    ROOT,
    free_port,
    pct,
    postgres_url,
    production_env,
    quiet_http_logs,
    start_stack,
    stop_stack,
    wait_ready,
)

sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chihuy_bench_load"
SECONDS = float(os.environ.get("BENCH_SECONDS", "300"))
RAMP_SECONDS = float(os.environ.get("BENCH_RAMP_SECONDS", "180"))
THINK = float(os.environ.get("BENCH_THINK", "1.0"))
URGENT = int(os.environ.get("BENCH_URGENT", "18"))
RECORDS = int(os.environ.get("BENCH_RECORDS", "103705"))
WORKERS = "2"
OFFICERS = 200
API_LINES = 20
API_INTERVAL_SECONDS = 10.0  # per line: 20 lines, 2 calls a second together
URGENT_HANDOFF_SECONDS = 10.0  # an urgent call no officer of its centre took by then goes to anyone
HOME_RELOAD_SECONDS = (20.0, 40.0)
GRACE_SECONDS = 30.0
TIMEOUT_SECONDS = 60.0
PASSWORD = "tai-khoan-thu-tai-2026"
PROVINCE_CODE = 26  # Vĩnh Phúc, legacy (pre-2025) structure
COMMUNE_CENTRES = 10
DAYS = 365
TAG = "".join(random.choices(string.ascii_uppercase, k=6))  # this run's urgent calls carry it
_URGENT_RE = re.compile(r"\[([A-Z]{6})-KHAN-(\d+)\]")
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_RECEIVED_RE = re.compile(r'name="received_at" value="([^"]*)"')
_RECORD_RE = re.compile(r'href="/intake/(\d+)/"')
_RECORD_PATH_RE = re.compile(r"^/intake/\d+/$")


def _log(msg: str) -> None:
    print(f"[bench-load] {msg}", file=sys.stderr, flush=True)


# --- seeding (synchronous Django, before the server starts) -------------------------------------


def _setup(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # As a deployment does: production serves hashed static files from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def _structure() -> None:
    """The province's centres and people, once; a later run finds them by the province's code."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from chihuy.alerts.models import AlertPolicy
    from chihuy.centres.choices import CentreLevel, CentreStatus, Role
    from chihuy.centres.models import Centre, Member
    from chihuy.jurisdictions.choices import Level, Structure
    from chihuy.jurisdictions.models import Jurisdiction
    from chihuy.jurisdictions.services import jurisdictions_load

    if Centre.objects.filter(short_code="VP").exists():
        return
    province = Jurisdiction.objects.filter(
        structure=Structure.LEGACY, level=Level.PROVINCE, code=PROVINCE_CODE
    ).first()
    if province is None:
        _log("loading the legacy jurisdictions…")
        jurisdictions_load(structure=Structure.LEGACY)
        province = Jurisdiction.objects.get(
            structure=Structure.LEGACY, level=Level.PROVINCE, code=PROVINCE_CODE
        )
    districts = list(Jurisdiction.objects.filter(parent=province).order_by("code"))
    communes = [Jurisdiction.objects.filter(parent=d).order_by("code").first() for d in districts]
    communes += list(Jurisdiction.objects.filter(parent=districts[0]).order_by("code")[1:])
    communes = [c for c in communes if c is not None][:COMMUNE_CENTRES]
    since = timezone.localdate() - dt.timedelta(days=DAYS + 30)
    user_model = get_user_model()
    password = make_password(PASSWORD)  # one hash for all: set_password 240 times costs minutes

    def centre(unit: Any, level: str, code: str, parent: Centre | None) -> Centre:
        c = Centre(
            name=f"Ban Chỉ đạo {unit.name}",
            short_code=code,
            level=level,
            jurisdiction=unit,
            parent=parent,
            status=CentreStatus.ACTIVE,
            activated_on=since,
            path="",
        )
        c.save()
        c.path = f"{parent.path if parent else '/'}{c.pk}/"
        Centre.objects.filter(pk=c.pk).update(path=c.path)
        AlertPolicy.objects.create(centre=c, email_enabled=False)  # no mail server on the bench
        return c

    with transaction.atomic():
        top = centre(province, CentreLevel.PROVINCE, "VP", None)
        by_unit = {province.pk: top}
        for d in districts:
            by_unit[d.pk] = centre(d, CentreLevel.DISTRICT, f"H{d.code}", top)
        for c in communes:
            by_unit[c.pk] = centre(c, CentreLevel.COMMUNE, f"X{c.code}", by_unit[c.parent_id])
        centres = list(by_unit.values())
        # Officers: 40 at the province, 10 per district, the rest shared by the communes.
        seats = [40] + [10] * len(districts)
        seats += [(OFFICERS - sum(seats)) // len(communes)] * len(communes)
        seats[-1] += OFFICERS - sum(seats)
        people: list[tuple[str, str, Centre]] = []
        for i, c in enumerate(centres):
            people.append((f"load.chihuy{i:02d}", Role.COMMANDER, c))
        n = 0
        for c, k in zip(centres, seats, strict=True):
            for _ in range(k):
                people.append((f"load.truc{n:03d}", Role.DUTY_OFFICER, c))
                n += 1
        for i in range(API_LINES):
            people.append((f"load.api{i:02d}", Role.DUTY_OFFICER, centres[i % len(centres)]))
        users = user_model.objects.bulk_create(
            [user_model(username=u, full_name=f"Cán bộ {u}", password=password) for u, _r, _c in people]
        )
        Member.objects.bulk_create(
            [
                Member(
                    centre=c, user=user, role=role, title="Chỉ huy trưởng" if role == Role.COMMANDER else ""
                )
                for (_u, role, c), user in zip(people, users, strict=True)
            ]
        )
    _log(f"{len(centres)} centres, {len(people)} users created")


def _people() -> dict[str, Any]:
    from django.db.models import Q

    from chihuy.api.models import ApiToken
    from chihuy.api.services import api_token_create
    from chihuy.centres.choices import Role
    from chihuy.centres.models import Centre, Member
    from chihuy.jurisdictions.choices import Level
    from chihuy.jurisdictions.models import Jurisdiction

    root = Centre.objects.get(short_code="VP")
    centres = list(Centre.objects.filter(path__startswith=root.path).order_by("path"))
    places: dict[int, list[tuple[int, str]]] = {}
    for c in centres:
        j = c.jurisdiction_id
        units = Jurisdiction.objects.filter(level=Level.COMMUNE).filter(
            Q(pk=j) | Q(parent_id=j) | Q(parent__parent_id=j)
        )
        places[c.pk] = [(u.pk, u.name) for u in units.order_by("code")]
    members = Member.objects.filter(centre__in=centres, user__username__startswith="load.").select_related(
        "user"
    )
    ctx: dict[str, Any] = {
        "centres": [c.pk for c in centres],
        "names": {c.pk: c.name for c in centres},
        "places": places,
        "commanders": [],
        "officers": [],
        "api": [],
    }
    for m in members.order_by("user__username"):
        entry = (m.user.username, m.user.pk, m.centre_id)
        if m.role == Role.COMMANDER:
            ctx["commanders"].append(entry)
        elif m.user.username.startswith("load.api"):
            ApiToken.objects.filter(user=m.user).delete()  # the secrets are not kept: new ones each run
            ctx["api"].append((api_token_create(user=m.user, name="bench-load")[1], m.centre_id))
        else:
            ctx["officers"].append(entry)
    return ctx


_CONTENTS = [
    "Người dân báo có người từ vùng dịch về chưa khai báo y tế",
    "Phản ánh tụ tập đông người tại khu chợ tạm",
    "Hỏi về thủ tục cách ly tại nhà sau khi xuất viện",
    "Báo ca sốt, ho, khó thở trong khu dân cư",
    "Đề nghị hỗ trợ lương thực cho hộ gia đình đang cách ly",
    "Phản ánh cơ sở kinh doanh không thực hiện quét mã QR",
    "Hỏi lịch tiêm vắc-xin mũi nhắc lại",
    "Báo xe khách đón trả khách sai quy định",
]
_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]
_TRACKING = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _seed_records(ctx: dict[str, Any]) -> float:
    """RECORDS logbook lines over the last DAYS local days, numbered per centre and day; counters to match."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chihuy.centres.choices import Sector
    from chihuy.core.text import search_key

    started = time.perf_counter()
    rng = random.Random(26)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE intake_intakerecord, intake_intakedaycounter,"
            " django_tasks_database_dbtaskresult CASCADE"
        )
    centres = ctx["centres"]
    # The province centre takes the most calls, then each district, then each commune.
    weights = [15.0 if i == 0 else 5.0 if i <= 9 else 4.0 for i in range(len(centres))]
    officers_of: dict[int, list[int]] = defaultdict(list)
    for _u, pk, c in ctx["officers"]:
        officers_of[c].append(pk)
    now = timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    # Per-day volumes with a weekly rhythm, scaled to RECORDS exactly.
    shape = [1.0 + 0.25 * ((d % 7) in (0, 1)) + 0.4 * (d / DAYS) for d in range(DAYS)]
    per_day = [int(RECORDS * s / sum(shape)) for s in shape]
    per_day[-1] += RECORDS - sum(per_day)
    sectors = list(Sector.values)
    codes: set[str] = set()
    counters: list[tuple[int, dt.date, int]] = []
    cols = (
        "centre_id, number, received_at, channel, reporter_name, reporter_phone, reporter_org, anonymous,"
        " jurisdiction_id, address, category, content, urgent, urgency_reason, received_by_id,"
        " status, result, reporter_told, source, tracking_code, reporter_phone_key, search_key,"
        " created_at, updated_at"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY intake_intakerecord ({cols}) FROM STDIN") as copy:
            for d in range(DAYS):
                day = today - dt.timedelta(days=DAYS - 1 - d)
                start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
                span = min(86400.0, (now - start).total_seconds() - 120)
                by_centre: dict[int, list[dt.datetime]] = defaultdict(list)
                for _ in range(per_day[d]):
                    c = rng.choices(centres, weights)[0]
                    by_centre[c].append(start + dt.timedelta(seconds=rng.uniform(0, span)))
                age = DAYS - 1 - d
                for c, times in by_centre.items():
                    times.sort()
                    counters.append((c, day, len(times)))
                    for seq, at in enumerate(times, 1):
                        number = f"{ctx['short'][c]}-{day:%Y%m%d}-{seq:04d}"
                        place_pk, place = rng.choice(ctx["places"][c])
                        anonymous = rng.random() < 0.1
                        name = "" if anonymous else rng.choice(_NAMES)
                        phone = "" if anonymous else f"09{rng.randrange(10**8):08d}"
                        content = f"{rng.choice(_CONTENTS)} ({place})"
                        urgent = age > 3 and rng.random() < 0.01  # never in the auditor's look-back
                        status = (
                            rng.choice(["received", "in_progress", "resolved"])
                            if age < 2
                            else rng.choice(["closed", "closed", "resolved"])
                        )
                        code = "".join(rng.choices(_TRACKING, k=10))
                        while code in codes:
                            code = "".join(rng.choices(_TRACKING, k=10))
                        codes.add(code)
                        address = f"Thôn {seq % 12 + 1}"
                        copy.write_row(
                            (
                                c,
                                number,
                                at,
                                "hotline",
                                name,
                                phone,
                                "",
                                anonymous,
                                place_pk,
                                address,
                                rng.choice(sectors),
                                content,
                                urgent,
                                "Có dấu hiệu lây lan trong cộng đồng" if urgent else "",
                                rng.choice(officers_of[c]) if officers_of[c] else None,
                                status,
                                "Đã hướng dẫn, xử lý theo quy định"
                                if status in ("resolved", "closed")
                                else "",
                                "",
                                "web",
                                code,
                                phone,
                                search_key(" ".join([number, content, name, phone, address, place])),
                                at,
                                at,
                            )
                        )
        with cursor.cursor.copy("COPY intake_intakedaycounter (centre_id, day, last) FROM STDIN") as copy:
            for row in counters:
                copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE intake_intakerecord")
        cursor.execute("VACUUM ANALYZE intake_intakedaycounter")
    return time.perf_counter() - started


# --- the simulated people -------------------------------------------------------------------------


class Stats:
    """Latencies per page kind, split into the ramp (people logging in) and the measured window."""

    def __init__(self, window_start: float, window_end: float) -> None:
        self.samples: dict[str, dict[str, list[float]]] = {
            "ramp": defaultdict(list),
            "window": defaultdict(list),
        }
        self.errors: dict[str, int] = defaultdict(int)
        self.reasons: dict[str, int] = defaultdict(int)
        self.requests = 0
        self.in_window = 0
        self.retries = 0
        self.window = (window_start, window_end)

    def add(self, kind: str, ms: float, ok: bool, detail: str = "", reason: str = "") -> None:
        self.requests += 1
        now = time.perf_counter()
        if self.window[0] <= now <= self.window[1]:
            self.in_window += 1
        self.samples["ramp" if now < self.window[0] else "window"][kind].append(ms)
        if not ok:
            self.errors[kind] += 1
            self.reasons[f"{kind} {reason}"] += 1
            if self.errors[kind] <= 3:  # the first few of each kind
                _log(f"error on {kind}: {detail[:400]}")

    def p(self, q: float, phase: str) -> dict[str, float | None]:
        return {k: pct(v, q) for k, v in sorted(self.samples[phase].items()) if v}


async def _send(client: Any, stats: Stats, method: str, path: str, **kw: Any) -> Any:
    """One request; a reused connection that the server had just closed is retried once, as browsers do.

    uvicorn closes a keep-alive connection idle for 5 s; a request written at that moment
    fails before any byte of answer (``ReadError('')``). Chrome and Firefox resend such a
    request on a new connection without telling anyone; the bench does the same and counts it.
    """
    import httpx

    try:
        return await client.request(method, path, **kw)
    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
        stats.retries += 1
        return await client.request(method, path, **kw)


class Browser:
    """One person's browser: its own connections and cookies.

    Cookies are kept by hand: the production cookies are ``Secure`` and the bench talks
    plain HTTP to the server (the TLS proxy is simulated by its header), so a cookie jar
    would rightly refuse to send them back.
    """

    def __init__(self, base: str, origin: str, stats: Stats) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS, headers=PROXY_HEADERS)
        self.origin = origin
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.csrf = ""  # the page's token, for the acknowledge button's POST
        self.tasks: set[asyncio.Task[Any]] = set()  # acknowledgements on their way

    def headers(self, path: str = "", post: bool = False) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if post:  # what a browser sends with a form from this site (Django's CSRF checks both)
            headers.update(Origin=self.origin, Referer=self.origin + path)
        return headers

    def keep_cookies(self, response: Any) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.client.cookies.clear()

    async def call(
        self, kind: str, method: str, path: str, expect: tuple[int, ...], headers: Any = None, **kw: Any
    ) -> Any:
        import httpx

        started = time.perf_counter()
        try:
            r = await _send(
                self.client,
                self.stats,
                method,
                path,
                headers={**self.headers(path, method == "POST"), **(headers or {})},
                **kw,
            )
        except httpx.HTTPError as exc:
            ms = (time.perf_counter() - started) * 1000
            self.stats.add(kind, ms, False, f"{method} {path}: {exc!r}", type(exc).__name__)
            return None
        self.keep_cookies(r)
        ok = r.status_code in expect
        ms = (time.perf_counter() - started) * 1000
        self.stats.add(kind, ms, ok, f"{method} {path} {r.status_code}: {r.text}", str(r.status_code))
        return r if ok else None

    async def login(self, username: str) -> bool:
        page = await self.call("login_page", "GET", "/accounts/login/", (200,))
        if page is None:
            return False
        token = _CSRF_RE.search(page.text)
        data = {
            "username": username,
            "password": PASSWORD,
            "next": "",
            "csrfmiddlewaretoken": token[1] if token else "",
        }
        return await self.call("login", "POST", "/accounts/login/", (302,), data=data) is not None


class Run:
    def __init__(self, base: str, origin: str, ctx: dict[str, Any]) -> None:
        self.base, self.origin, self.ctx = base, origin, ctx
        now = time.perf_counter()
        self.start = now
        self.window_start = now + RAMP_SECONDS
        self.end = self.window_start + SECONDS
        self.stats = Stats(self.window_start, self.end)
        self.urgent_pending: list[tuple[int, float, int]] = []  # (call, due at, centre)
        self.urgent_sent: dict[int, tuple[float, int, bool]] = {}  # call -> (sent at, centre, 302?)
        self.urgent_due = 0
        self.arrived: dict[tuple[int, int], float] = {}  # (call, commander user) -> first arrival
        self.streams_open = 0
        self.stream_drops = 0

    def running(self) -> bool:
        return time.perf_counter() < self.end

    async def think(self, low: float, high: float) -> None:
        await asyncio.sleep(max(0.0, min(random.uniform(low, high) * THINK, self.end - time.perf_counter())))

    # --- the duty officers ---------------------------------------------------------------------

    async def officer(self, n: int, username: str, centre: int) -> None:
        await asyncio.sleep(RAMP_SECONDS * n / OFFICERS + random.uniform(0, 0.5))
        b = Browser(self.base, self.origin, self.stats)
        try:
            while not await b.login(username):  # a person tries again
                if not self.running():
                    return
                await self.think(5, 10)
            page = await b.call("logbook", "GET", "/intake/", (200,))
            first = True
            while self.running():
                pks = _RECORD_RE.findall(page.text) if page is not None else []
                if pks and not first:
                    await self.think(5, 15)
                    if self.running():
                        await b.call("record", "GET", f"/intake/{random.choice(pks)}/", (200,))
                    await self.think(10, 30)
                if not self.running():
                    break
                form = await b.call("form", "GET", "/intake/new/", (200,))
                # The call itself: listening, asking, typing. The first one starts at a random
                # point of it, so the officers do not all submit in step.
                await self.think(0 if first else 60, 150)
                first = False
                if form is None or not self.running():
                    page = await b.call("logbook", "GET", "/intake/", (200,)) if self.running() else None
                    continue
                page = await self.submit(b, form.text, centre)
        finally:
            await b.client.aclose()

    async def submit(self, b: Browser, form: str, centre: int) -> Any:
        token, received = _CSRF_RE.search(form), _RECEIVED_RE.search(form)
        place_pk, place = random.choice(self.ctx["places"][centre])
        call = self.take_urgent(centre)
        content = f"{random.choice(_CONTENTS)} ({place})"
        data = {
            "csrfmiddlewaretoken": token[1] if token else "",
            "reporter_phone": f"09{random.randrange(10**8):08d}",
            "reporter_name": random.choice(_NAMES),
            "location": place,
            "jurisdiction": str(place_pk),
            "content": content,
            "category": "cach_ly",
            "address": f"Thôn {random.randint(1, 12)}",
            "channel": "hotline",
            "received_at": received[1] if received else "",
            "reporter_org": "",
        }
        if call is not None:
            data.update(
                content=f"[{TAG}-KHAN-{call}] Ca nghi nhiễm có biểu hiện nặng, chưa cách ly ({place})",
                urgent="on",
                urgency_reason="Ca bệnh nặng trong cộng đồng, cần xe cấp cứu và khoanh vùng ngay",
            )
        sent = time.perf_counter()
        r = await b.call("submit", "POST", "/intake/new/", (302,), data=data)
        if call is not None:
            self.urgent_sent[call] = (sent, centre, r is not None)
        if r is None:
            return await b.call("logbook", "GET", "/intake/", (200,))
        location = r.headers.get("location", "/intake/")
        kind = "record" if _RECORD_PATH_RE.match(location) else "logbook"
        return await b.call(kind, "GET", location, (200,))  # the browser follows the redirect

    async def schedule_urgent(self) -> None:
        """Urgent call k becomes due at its time, at a centre of its own (a commander's stream each)."""
        centres = self.ctx["centres"]
        for k in range(URGENT):
            due = self.window_start + (k + 0.5) * 0.75 * SECONDS / URGENT
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            self.urgent_pending.append((k, time.perf_counter(), centres[k % len(centres)]))
            self.urgent_due += 1

    def take_urgent(self, centre: int) -> int | None:
        """The due urgent call meant for this centre, or one nobody there took in time."""
        late = time.perf_counter() - URGENT_HANDOFF_SECONDS
        for item in self.urgent_pending:
            if item[2] == centre or item[1] < late:
                self.urgent_pending.remove(item)
                return item[0]
        return None

    # --- the commanders ----------------------------------------------------------------------

    async def commander(self, n: int, username: str, user_pk: int) -> None:
        await asyncio.sleep(n * 0.2)
        b = Browser(self.base, self.origin, self.stats)
        listener = None
        try:
            if not await b.login(username):
                return
            listener = asyncio.create_task(self.listen(b, user_pk))
            while self.running():
                page = await b.call("home", "GET", "/", (200,))
                token = _CSRF_RE.search(page.text) if page is not None else None
                b.csrf = token[1] if token else b.csrf
                await self.think(*HOME_RELOAD_SECONDS)
            await self.grace()
            if b.tasks:
                await asyncio.wait(b.tasks, timeout=TIMEOUT_SECONDS)
        finally:
            for task in [listener, *b.tasks]:
                if task is not None:
                    task.cancel()
            await asyncio.gather(*(t for t in [listener, *b.tasks] if t is not None), return_exceptions=True)
            await b.client.aclose()

    async def grace(self) -> None:
        """After the end, streams stay open until every sent urgent call has arrived, or GRACE_SECONDS."""
        deadline = time.perf_counter() + GRACE_SECONDS
        while time.perf_counter() < deadline and any(
            (k, u) not in self.arrived
            for k, (_at, c, ok) in self.urgent_sent.items()
            if ok
            for u in self._cmd(c)
        ):
            await asyncio.sleep(0.2)

    def _cmd(self, centre: int) -> list[int]:
        return [pk for _u, pk, c in self.ctx["commanders"] if c == centre]

    async def listen(self, b: Browser, user_pk: int) -> None:
        import httpx

        last_id = ""
        first = True
        while True:
            started = time.perf_counter()
            headers = {**b.headers(), "Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            try:
                async with b.client.stream(
                    "GET",
                    "/alerts/stream",
                    headers=headers,
                    timeout=httpx.Timeout(TIMEOUT_SECONDS, read=None),
                ) as r:
                    if r.status_code != 200:
                        self.stats.add("stream", 0, False, f"stream {r.status_code}", str(r.status_code))
                        await asyncio.sleep(2)
                        continue
                    event = ""
                    async for line in r.aiter_lines():
                        if line.startswith(": connected"):
                            self.stats.add("stream", (time.perf_counter() - started) * 1000, True)
                            if first:
                                self.streams_open += 1
                                first = False
                        elif line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: ") and event == "alert":
                            self.on_alert(b, user_pk, json.loads(line[6:]))
                self.stream_drops += 1
            except asyncio.CancelledError:
                raise
            except httpx.HTTPError as exc:
                self.stream_drops += 1
                ms = (time.perf_counter() - started) * 1000
                self.stats.add("stream", ms, False, f"stream dropped: {exc!r}", type(exc).__name__)
                await asyncio.sleep(2)

    def on_alert(self, b: Browser, user_pk: int, event: dict[str, Any]) -> None:
        match = _URGENT_RE.search(event.get("content", ""))
        if match is None or match[1] != TAG:
            return
        self.arrived.setdefault((int(match[2]), user_pk), time.perf_counter())
        task = asyncio.get_running_loop().create_task(self.acknowledge(b, event["alert"]))
        b.tasks.add(task)
        task.add_done_callback(b.tasks.discard)

    async def acknowledge(self, b: Browser, alert: int) -> None:
        await asyncio.sleep(random.uniform(5, 15) * THINK)  # reading it, picking up the phone
        token = b.csrf or b.cookies.get("csrftoken", "")
        await b.call(
            "ack",
            "POST",
            f"/alerts/{alert}/acknowledge",
            (200, 409),  # 409: someone else of the chain acknowledged first
            headers={"Accept": "application/json", "X-CSRFToken": token},
            data={"csrfmiddlewaretoken": token},
        )

    # --- the API lines -----------------------------------------------------------------------

    async def api_line(self, n: int, secret: str, centre: int) -> None:
        import httpx

        headers = {**PROXY_HEADERS, "Authorization": f"Bearer {secret}"}
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=TIMEOUT_SECONDS) as client:
            next_at = self.start + random.uniform(0, API_INTERVAL_SECONDS)
            i = 0
            while True:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                if not self.running():
                    return
                i += 1
                body = {
                    "centre": centre,
                    "channel": "hotline",
                    "reporter_phone": f"09{random.randrange(10**8):08d}",
                    "reporter_name": random.choice(_NAMES),
                    "address": f"Tổ dân phố {i % 40}",
                    "category": "cach_ly",
                    "content": f"Tổng đài 1022 chuyển: {random.choice(_CONTENTS)} (line {n}, call {i})",
                }
                started = time.perf_counter()
                try:
                    r = await _send(client, self.stats, "POST", "/api/v1/intakes", json=body)
                    ok, detail, reason = (
                        r.status_code == 201,
                        f"API {r.status_code}: {r.text}",
                        str(r.status_code),
                    )
                except httpx.HTTPError as exc:
                    ok, detail, reason = False, f"API: {exc!r}", type(exc).__name__
                self.stats.add("api_intake", (time.perf_counter() - started) * 1000, ok, detail, reason)
                next_at += API_INTERVAL_SECONDS

    async def progress(self) -> None:
        while self.running():
            await asyncio.sleep(30)
            s = self.stats
            _log(
                f"t={time.perf_counter() - self.start:.0f}s requests={s.requests}"
                f" errors={sum(s.errors.values())} streams={self.streams_open}"
                f" urgent sent={len(self.urgent_sent)} arrivals={len(self.arrived)}"
            )

    async def main(self) -> None:
        ctx = self.ctx
        tasks = [
            *(self.commander(i, u, pk) for i, (u, pk, _c) in enumerate(ctx["commanders"])),
            # Officers arrive in a shuffled order, so every centre fills up during the ramp.
            *(
                self.officer(i, u, c)
                for i, (u, _pk, c) in enumerate(random.sample(ctx["officers"], OFFICERS))
            ),
            *(self.api_line(i, s, c) for i, (s, c) in enumerate(ctx["api"])),
            self.schedule_urgent(),
            self.progress(),
        ]
        await asyncio.gather(*tasks)


def _expected(run: Run) -> dict[int, set[int]]:
    """Per sent urgent call, the streams it should reach: step 1's recipients and its centre's commander."""
    from chihuy.alerts.models import AlertStep
    from chihuy.intake.models import IntakeRecord

    streaming = {pk for _u, pk, _c in run.ctx["commanders"]}
    expected: dict[int, set[int]] = {}
    for k, (_at, centre, _ok) in run.urgent_sent.items():
        users = set(run._cmd(centre))
        record = IntakeRecord.objects.filter(content__startswith=f"[{TAG}-KHAN-{k}]").first()
        if record is not None:
            step = AlertStep.objects.filter(alert__record=record, position=0).first()
            if step is not None:
                users |= set(step.recipients.values_list("pk", flat=True)) & streaming
        expected[k] = users
    return expected


def _cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system) of these processes and their children, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    wanted = set(root_pids)
    wanted |= {pid for pid, f in stats.items() if int(f[1]) in wanted}
    return sum(int(stats[p][11]) + int(stats[p][12]) for p in wanted if p in stats) / tick


def _server_log_counts(path: Path) -> dict[str, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "pool_timeouts": text.count("couldn't get a connection"),
    }


def main() -> None:
    url = postgres_url(DEFAULT_URL, "bench-load")
    production_env()
    _log("preparing the database")
    _setup(url)
    _structure()
    ctx = _people()
    from chihuy.centres.models import Centre

    ctx["short"] = dict(Centre.objects.filter(pk__in=ctx["centres"]).values_list("pk", "short_code"))
    _log(f"copying {RECORDS} records…")
    seed_seconds = _seed_records(ctx)
    _log(f"seeded in {seed_seconds:.1f}s")
    from django.core.management import call_command

    call_command("schedule_jobs", verbosity=0)  # as scripts/run-server does (the task table was emptied)
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    connection.close()
    # What one login costs in CPU, the password check alone (the production hasher).
    started = time.perf_counter()
    make_password(PASSWORD)
    hash_ms = (time.perf_counter() - started) * 1000
    quiet_http_logs()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = ROOT / "var" / "bench-load-server.log"
    load_before = os.getloadavg()
    with log_path.open("wb") as log:
        procs = start_stack(url, port, workers=WORKERS, log=log)
        try:
            asyncio.run(wait_ready(base))
            cpu_before = _cpu_seconds([p.pid for p in procs])
            client_cpu_before = time.process_time()
            run = Run(base, f"https://127.0.0.1:{port}", ctx)
            _log(f"{len(ctx['officers'])} officers log in over {RAMP_SECONDS:g}s, then {SECONDS:g}s of work")
            asyncio.run(run.main())
            elapsed = time.perf_counter() - run.start
            server_cpu = _cpu_seconds([p.pid for p in procs]) - cpu_before
            client_cpu = time.process_time() - client_cpu_before
        finally:
            load_after = os.getloadavg()
            stop_stack(procs)
    expected = _expected(run)
    latencies = []
    missing = 0
    for k, (at, _centre, ok) in run.urgent_sent.items():
        for user in expected[k]:
            if (k, user) in run.arrived:
                latencies.append((run.arrived[k, user] - at) * 1000)
            else:
                missing += 1
                _log(f"urgent call {k} (POST {'ok' if ok else 'failed'}) never reached commander {user}")
    s = run.stats
    logins = s.samples["ramp"]["login"] + s.samples["window"]["login"]
    print(
        json.dumps(
            {
                "bench": "load",
                "database": "postgresql",
                "seconds": SECONDS,
                "ramp_seconds": RAMP_SECONDS,
                "web_processes": int(WORKERS),
                "cpu_count": os.cpu_count(),
                "records_seeded": RECORDS,
                "seed_seconds": round(seed_seconds, 1),
                "users": {
                    "officers": len(ctx["officers"]),
                    "commanders": len(ctx["commanders"]),
                    "api_lines": len(ctx["api"]),
                },
                "password_hash_ms": round(hash_ms),
                "requests": s.requests,
                "rps": round(s.in_window / SECONDS, 1),
                "errors": sum(s.errors.values()),
                "errors_by_kind": dict(s.errors),
                "errors_by_reason": dict(s.reasons),
                "stale_connection_retries": s.retries,
                # The measured window (everyone at work); logins happen in the ramp before it.
                "p95_ms": {**s.p(0.95, "window"), "login": pct(logins, 0.95)},
                "p50_ms": {**s.p(0.50, "window"), "login": pct(logins, 0.50)},
                "count": {k: len(v) for k, v in sorted(s.samples["window"].items()) if v},
                "ramp_p95_ms": s.p(0.95, "ramp"),
                "ramp_count": {k: len(v) for k, v in sorted(s.samples["ramp"].items())},
                "alerts_due": run.urgent_due,
                "alerts_sent": len(run.urgent_sent),
                "alert_deliveries_expected": sum(len(v) for v in expected.values()),
                "alerts_missing": missing,
                "alert_from_send_p50_ms": pct(latencies, 0.50),
                "alert_from_send_p95_ms": pct(latencies, 0.95),
                "alert_from_send_max_ms": round(max(latencies), 1) if latencies else None,
                "streams_open": run.streams_open,
                "stream_drops": run.stream_drops,
                "server_log": _server_log_counts(log_path),
                # How much of the 2 cores the server (web processes, worker) and the bench got.
                "server_cpu_cores": round(server_cpu / elapsed, 2),
                "bench_client_cpu_cores": round(client_cpu / elapsed, 2),
                "loadavg_before": [round(x, 2) for x in load_before],
                "loadavg_after": [round(x, 2) for x in load_after],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
