"""The OpenAPI schema validates without warnings; the docs page works under our CSP."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_spectacular_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=StringIO())
    text = out.read_text()
    assert "bearerAuth" in text
    assert "/api/v1/centres/{id}/members" in text


def test_schema_endpoint_declares_bearer_security(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    centre_get = schema["paths"]["/api/v1/centres/{id}"]["get"]
    assert {"bearerAuth": []} in centre_get["security"]
    assert "application/problem+json" in centre_get["responses"]["404"]["content"]
    listing = schema["paths"]["/api/v1/centres"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "level", "status", "limit", "offset"}


def test_docs_page_loads_under_csp(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    # No inline script or style: everything comes from our own origin.
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"[^>]*>", html)
    assert len(scripts) == 3
    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag
    stylesheets = re.findall(r"<link rel=\"stylesheet\" href=\"([^\"]+)\"", html)
    for url in [*scripts, *stylesheets]:
        assert url.startswith("/"), url  # same origin: allowed by 'self'
        asset = client.get(url.replace("&amp;", "&"))
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert body, url
    assert any(
        s.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle") for s in scripts
    )
    init = client.get(reverse("api:docs"), {"script": ""})
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()
