"""Every page carries a Content-Security-Policy; the only scripts are our files with the nonce."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nonce(header):
    match = re.search(r"'nonce-([^']+)'", header)
    assert match, header
    return match.group(1)


def test_login_page_has_csp_and_nonced_scripts(client):
    response = client.get(reverse("accounts:login"))
    header = response["Content-Security-Policy"]
    assert "default-src 'self'" in header
    assert "object-src 'none'" in header
    assert "frame-ancestors 'none'" in header
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    nonce = _nonce(header)
    tags = re.findall(r"<script[^>]*>", response.text)
    assert tags
    for tag in tags:
        assert f'nonce="{nonce}"' in tag
        assert "src=" in tag  # no inline code


def test_nonce_changes_per_response(client):
    first = _nonce(client.get(reverse("accounts:login"))["Content-Security-Policy"])
    second = _nonce(client.get(reverse("accounts:login"))["Content-Security-Policy"])
    assert first != second


def test_logged_in_pages_have_csp(world, client, login):
    login(world.user("commune", "commander"))
    for url in (reverse("centres:home"), reverse("accounts:profile"), reverse("accounts:two_factor_setup")):
        response = client.get(url)
        assert response.status_code == 200, url
        nonce = _nonce(response["Content-Security-Policy"])
        for tag in re.findall(r"<script[^>]*>", response.text):
            assert f'nonce="{nonce}"' in tag, url


def test_json_responses_have_csp(client):
    assert "Content-Security-Policy" in client.get("/healthz")
