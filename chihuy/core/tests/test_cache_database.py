"""Without REDIS_URL the cache is the database: one count for every web process of the host
(issue 12 §5), with increments that do not lose each other across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from chihuy.centres.choices import Sector
from chihuy.core.models import CacheEntry
from chihuy.core.ratelimit import count_hit
from chihuy.intake.models import IntakeRecord

DB_CACHE = {"default": {"BACKEND": "chihuy.core.cache.DatabaseCache", "LOCATION": "chihuy_cache"}}

# Another web process: the project's settings without REDIS_URL, on this test's database.
OTHER_PROCESS = """
import os, sys
import django
django.setup()
from django.db import connections
connections["default"].settings_dict["NAME"] = os.environ["CHIHUY_TEST_DB_NAME"]
from django.test import RequestFactory
from chihuy.core.ratelimit import count_hit
from chihuy.portal.ratelimit import REPORT, over_limit
what, arg, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()  # set off together, so the increments really overlap
for _ in range(times):
    if what == "report":
        over_limit(RequestFactory().post("/", REMOTE_ADDR=arg), REPORT)
    else:
        count_hit(arg, 600)
"""


def _other_processes(count: int, *args: str) -> list[subprocess.Popen]:
    """``count`` processes, started and ready, then set off at the same moment."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "chihuy.settings"
    env["CHIHUY_TEST_DB_NAME"] = str(connection.settings_dict["NAME"])
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS, *args],
            cwd=Path(django_settings.BASE_DIR),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.communicate(timeout=60)[1]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    return processes


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [("", "chihuy.core.cache.DatabaseCache"), ("redis://127.0.0.1:1/0", "chihuy.core.cache.RedisCache")],
)
def test_the_settings_never_count_in_process_memory(redis_url, backend):
    # The suite itself runs on process memory (conftest); the project's choice is read fresh.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["REDIS_URL"] = redis_url
    out = subprocess.run(
        [sys.executable, "-c", "from chihuy import settings; print(settings.CACHES['default']['BACKEND'])"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == backend


@pytest.mark.django_db
def test_database_cache_counts(settings):
    settings.CACHES = DB_CACHE
    assert [count_hit("k", 60) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert CacheEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_counter_starts_again(settings):
    settings.CACHES = DB_CACHE
    assert count_hit("k", 60) == 1
    CacheEntry.objects.update(expires="2000-01-01T00:00:00Z")
    with pytest.raises(ValueError):
        cache.incr("k")
    assert count_hit("k", 60) == 1


@pytest.mark.django_db(transaction=True)
def test_another_process_counts_in_the_same_limit(settings):
    settings.CACHES = DB_CACHE
    _other_processes(1, "hit", "shared", "3")
    assert count_hit("shared", 600) == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_lose_no_hit(settings):
    settings.CACHES = DB_CACHE
    count_hit("busy", 600)
    _other_processes(3, "hit", "busy", "100")
    assert count_hit("busy", 600) == 1 + 3 * 100 + 1


@pytest.mark.django_db(transaction=True)
def test_public_report_limit_holds_across_processes(world, settings):
    settings.CACHES = DB_CACHE
    _other_processes(1, "report", "127.0.0.1", "5")  # five reports counted by another process
    public = Client(enforce_csrf_checks=True)
    url = reverse("portal:report", args=[world.commune.pk])
    public.get(url)
    data = {
        "reporter_name": "Lê Văn Cường",
        "reporter_phone": "0987 654 321",
        "jurisdiction": world.commune.jurisdiction.pk,
        "address": "Tổ 3",
        "category": Sector.FOOD,
        "content": "Lần thứ sáu",
        "website": "",
        "csrfmiddlewaretoken": public.cookies["csrftoken"].value,
    }
    assert public.post(url, data).status_code == 429
    assert not IntakeRecord.objects.exists()
