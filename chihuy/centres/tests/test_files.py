"""A centre's decision and rules files reach exactly those who may see the centre
(issue 12 §6), uploaded through the edit form under a random name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chihuy.api.tests.conftest import assert_problem
from chihuy.centres.choices import Role
from chihuy.centres.models import Centre
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

DECISION = "Quyết định 45-QĐ-UBND.pdf"
RULES = "Quy chế hoạt động.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _edit_data(centre, **files):
    return {
        "name": centre.name,
        "short_code": centre.short_code,
        "hotline": centre.hotline,
        "hotline_fallback": "",
        "address": "UBND phường",
        "room_primary": "Phòng họp tầng 2",
        "room_primary_capacity": "20",
        "room_fallback": "Hội trường",
        "room_fallback_capacity": "80",
        "decision_number": "45/QĐ-UBND",
        "decision_date": "21/08/2021",
        "rules_issued_on": "",
        **files,
    }


@pytest.fixture
def documented(world, login):
    """The commune, its decision and rules uploaded by its commander through the edit form."""
    client = login(world.user("commune", Role.COMMANDER))
    data = _edit_data(world.commune, decision_file=pdf(DECISION), rules_document=upload(RULES, docx_bytes()))
    response = client.post(reverse("centres:edit", args=[world.commune.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Centre.objects.get(pk=world.commune.pk)


def _url(centre, which):
    return reverse("centres:document", args=[centre.pk, which])


def _api_url(centre, which):
    return reverse("api:centre-document", args=[centre.pk, which])


def test_uploaded_under_random_names_with_the_originals_kept(documented):
    assert (documented.decision_file_name, documented.rules_document_name) == (DECISION, RULES)
    assert documented.decision_file.name.startswith("centres/decisions/")
    assert documented.decision_file.name.endswith(".pdf") and "Quy" not in documented.decision_file.name
    assert documented.rules_document.name.endswith(".docx")
    assert len(stored_files()) == 2


@pytest.mark.parametrize(("centre", "role"), [("commune", "member"), ("district", "commander")])
def test_who_may_see_the_centre_gets_its_files(world, login, documented, centre, role):
    client = login(world.user(centre, role))
    assert_served(
        client.get(_url(documented, "decision")), data=PDF, content_type="application/pdf", filename=DECISION
    )
    response = client.get(_url(documented, "rules"))
    assert_served(response, data=documented.rules_document.read(), content_type=DOCX, filename=RULES)


def test_sibling_gets_404_and_so_does_an_unknown_document(world, login, documented):
    assert login(world.user("sibling", "commander")).get(_url(documented, "decision")).status_code == 404
    assert login(world.user("commune", "member")).get(_url(documented, "budget")).status_code == 404
    assert login(world.user("sibling", "commander")).get(_url(world.sibling, "decision")).status_code == 404


def test_anonymous_is_sent_to_login(client, documented):
    response = client.get(_url(documented, "decision"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_behind_nginx(world, login, documented, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = login(world.user("commune", "member")).get(_url(documented, "decision"))
    assert_accel(
        response, stored_name=documented.decision_file.name, content_type="application/pdf", filename=DECISION
    )


def test_pages_link_the_download_view_by_the_original_name(world, login, documented):
    client = login(world.user("commune", Role.COMMANDER))
    detail = client.get(reverse("centres:detail", args=[documented.pk])).content.decode()
    assert (
        f'href="{_url(documented, "decision")}"' in detail and f'href="{_url(documented, "rules")}"' in detail
    )
    form = client.get(reverse("centres:edit", args=[documented.pk])).content.decode()
    assert f'<a href="{_url(documented, "decision")}">{DECISION}</a>' in form
    assert "/media/" not in detail + form


def test_saving_again_keeps_the_files(world, login, documented):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(reverse("centres:edit", args=[documented.pk]), _edit_data(documented))
    assert response.status_code == 302
    again = Centre.objects.get(pk=documented.pk)
    assert again.decision_file.name == documented.decision_file.name and again.decision_file_name == DECISION


def test_exe_renamed_pdf_is_refused_and_nothing_is_stored(world, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(
        reverse("centres:edit", args=[world.commune.pk]), _edit_data(world.commune, decision_file=virus_pdf())
    )
    assert response.status_code == 200
    assert "Tệp “virus.pdf” không được chấp nhận: nội dung thật của tệp là chương trình Windows (.exe)" in (
        response.content.decode()
    )
    world.commune.refresh_from_db()
    assert not world.commune.decision_file and stored_files() == []


# --- API -------------------------------------------------------------------------------------


def test_api_centre_gives_download_addresses(world, api, documented):
    data = api(world.user("district", "standing")).get(reverse("api:centre", args=[documented.pk])).json()
    assert data["documents"] == {
        "decision": {"name": DECISION, "url": _api_url(documented, "decision")},
        "rules": {"name": RULES, "url": _api_url(documented, "rules")},
    }
    sibling = (
        api(world.user("sibling", "commander")).get(reverse("api:centre", args=[world.sibling.pk])).json()
    )
    assert sibling["documents"] == {"decision": None, "rules": None}


def test_api_download(world, api, documented):
    response = api(world.user("commune", "member")).get(_api_url(documented, "decision"))
    assert_served(response, data=PDF, content_type="application/pdf", filename=DECISION)


def test_api_download_denied(world, api, anon, documented):
    assert_problem(api(world.user("sibling", "commander")).get(_api_url(documented, "decision")), 404)
    assert_problem(anon.get(_api_url(documented, "decision")), 401)


def test_api_download_behind_nginx(world, api, documented, settings):
    settings.CHIHUY_FILES_ACCEL_PREFIX = ACCEL_PREFIX
    response = api(world.user("district", "commander")).get(_api_url(documented, "rules"))
    assert_accel(response, stored_name=documented.rules_document.name, content_type=DOCX, filename="Quy")


def test_admin_change_page_shows_the_file_without_a_storage_url(documented, admin_client):
    html = admin_client.get(reverse("admin:centres_centre_change", args=[documented.pk])).content.decode()
    assert f'<a href="{_url(documented, "decision")}">{DECISION}</a>' in html
    assert "/media/" not in html
