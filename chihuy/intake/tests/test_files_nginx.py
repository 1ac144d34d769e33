"""Behind a real nginx, an attachment reaches exactly those who may see its record (issue 12 §6).

The app runs as pytest-django's live server with ``CHIHUY_FILES_ACCEL_PREFIX=/_protected/``;
an nginx started for each test proxies to it and has the README's ``internal`` location on
MEDIA_ROOT ("Uploaded files"). Requests go through nginx as a browser's or an integration's
would: the app checks the record and answers an empty body with ``X-Accel-Redirect``, nginx
sends the bytes under the app's headers. The response-level checks of the same views are in
``test_files.py``; this proves the two halves fit, including the README's nginx block.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from chihuy.core.testing.files import ACCEL_PREFIX, PDF, PNG, pdf, upload
from chihuy.core.testing.live import free_port
from chihuy.intake.models import IntakeAttachment
from chihuy.intake.tests.factories import make_intake

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(NGINX, os.X_OK),
        reason="nginx is not installed (/usr/sbin/nginx; make test installs Debian's nginx with apt)",
    ),
]

PDF_NAME = "Biên bản cuộc gọi.pdf"
PNG_NAME = "Ảnh hiện trường.png"

# The README's block, with MEDIA_ROOT in place of /srv/chihuy/var/media/. No `types`/mime.types
# and `default_type application/octet-stream`: a right Content-Type can only be the app's.
CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
        location /_protected/ {{
            internal;
            alias {media}/;
            add_header X-Content-Type-Options nosniff always;
        }}
    }}
}}
"""


class Nginx:
    """``with Nginx(tmp_path, upstream=…, media=…) as nginx:`` ``nginx.url`` proxies to the app."""

    def __init__(self, folder: Path, *, upstream: str, media: Path) -> None:
        self.dir = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = folder / "nginx.conf"
        # As root, the master would hand requests to workers running as `nobody`, who cannot
        # read pytest's private tmp folders; as anyone else the workers are that user anyway.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            CONF.format(user=user, dir=folder, port=self.port, upstream=upstream, media=media)
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Nginx:
        # -e: the error log before the configuration is read, else nginx tries /var/log/nginx.
        command = [NGINX, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.dir / "error.log")]
        with (self.dir / "stderr.log").open("wb") as stderr:
            self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=stderr)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx did not start: {(self.dir / 'stderr.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not listen within 20 s")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGQUIT)  # graceful: the master waits for its worker
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text() if path.exists() else ""


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    # Read by serve_file at each request; the live server's threads share these settings.
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    media = Path(settings.MEDIA_ROOT)  # tmp_path/media, from the root conftest
    media.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "nginx"
    folder.mkdir()
    with Nginx(folder, upstream=live_server.url, media=media) as server:
        yield server


@pytest.fixture
def record(world):
    """A commune call with a PDF and a photo attached, both under their Vietnamese names."""
    return make_intake(
        centre=world.commune,
        received_by=world.user("commune", "duty_officer"),
        attachments=[pdf(PDF_NAME), upload(PNG_NAME, PNG, "image/png")],
    )


def _attachment(record, name):
    return record.attachments.get(name=name)


def _url(attachment):
    return reverse("intake:attachment", args=[attachment.record_id, attachment.pk])


def _api_url(attachment):
    return reverse("api:intake-attachment", args=[attachment.record_id, attachment.pk])


def _browser(base_url, user=None):
    """An httpx client for ``base_url``, logged in as ``user`` by a session cookie."""
    cookies = {}
    if user is not None:
        django_client = Client()
        django_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies[settings.SESSION_COOKIE_NAME] = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    return httpx.Client(base_url=base_url, cookies=cookies, timeout=30)


def _assert_sent_by_nginx(response, *, data, content_type, disposition):
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert response.content == data
    assert response.headers["content-type"] == content_type
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["content-disposition"] == disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    assert "x-accel-redirect" not in response.headers


def test_the_commune_duty_officer_gets_each_file_from_nginx(world, record, nginx, live_server):
    officer = world.user("commune", "duty_officer")
    scan, photo = _attachment(record, PDF_NAME), _attachment(record, PNG_NAME)
    with _browser(nginx.url, officer) as browser:
        _assert_sent_by_nginx(
            browser.get(_url(scan)),
            data=PDF,
            content_type="application/pdf",
            disposition=f"attachment; filename*=utf-8''{quote(PDF_NAME)}",
        )
        _assert_sent_by_nginx(
            browser.get(_url(photo)),
            data=PNG,
            content_type="image/png",
            disposition=f"inline; filename*=utf-8''{quote(PNG_NAME)}",
        )
    # The bytes came from nginx: the app itself answered with no body and the internal path.
    with _browser(live_server.url, officer) as direct:
        handed = direct.get(_url(scan))
    assert handed.status_code == 200
    assert handed.content == b""
    assert handed.headers["x-accel-redirect"] == ACCEL_PREFIX + scan.file.name
    assert "[error]" not in nginx.error_log(), nginx.error_log()


def test_a_file_stored_before_random_names_is_found_by_its_quoted_path(world, nginx):
    # An old upload kept its own name, space included: X-Accel-Redirect carries it %-quoted,
    # and nginx must find the file by the unquoted name.
    record = make_intake(centre=world.commune)
    old = default_storage.save("intake/2026/05/anh hien truong.png", ContentFile(PNG))
    attachment = IntakeAttachment.objects.create(record=record, file=old, name="")
    with _browser(nginx.url, world.user("commune", "duty_officer")) as browser:
        _assert_sent_by_nginx(
            browser.get(_url(attachment)),
            data=PNG,
            content_type="image/png",
            disposition='inline; filename="anh hien truong.png"',
        )


def test_a_sibling_commune_gets_404_and_anonymous_is_sent_to_login(world, record, nginx):
    scan = _attachment(record, PDF_NAME)
    with _browser(nginx.url, world.user("sibling", "duty_officer")) as sibling:
        refused = sibling.get(_url(scan))
    assert refused.status_code == 404
    assert PDF not in refused.content and "content-disposition" not in refused.headers
    with _browser(nginx.url) as anonymous:
        sent_away = anonymous.get(_url(scan))
    assert sent_away.status_code == 302
    assert sent_away.headers["location"].startswith(reverse("accounts:login"))
    assert PDF not in sent_away.content


def test_the_stored_files_have_no_address_of_their_own(world, record, nginx):
    stored = _attachment(record, PDF_NAME).file.name
    officer = world.user("commune", "duty_officer")
    with _browser(nginx.url, officer) as browser:
        for path in (ACCEL_PREFIX + stored, f"/media/{stored}", "/_protected/", "/media/"):
            response = browser.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert PDF not in response.content, path


def test_the_api_download_with_a_bearer_token_comes_through_nginx(
    world, record, nginx, _fresh_throttle_cache
):
    from chihuy.api.services import api_token_create

    scan = _attachment(record, PDF_NAME)
    _, token = api_token_create(user=world.user("commune", "member"), name="tổng đài")
    with httpx.Client(base_url=nginx.url, timeout=30) as api:
        served = api.get(_api_url(scan), headers={"Authorization": f"Bearer {token}"})
        _assert_sent_by_nginx(
            served,
            data=PDF,
            content_type="application/pdf",
            disposition=f"attachment; filename*=utf-8''{quote(PDF_NAME)}",
        )
        _, outsider = api_token_create(user=world.user("sibling", "commander"), name="tổng đài")
        refused = api.get(_api_url(scan), headers={"Authorization": f"Bearer {outsider}"})
        assert refused.status_code == 404
        assert refused.headers["content-type"] == "application/problem+json"
        assert PDF_NAME not in refused.text
        assert api.get(_api_url(scan)).status_code == 401
