"""The demo data loads through the services, and refuses to load twice or without jurisdictions."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chihuy.centres.models import Centre, Member
from chihuy.core.testing.factories import JurisdictionFactory
from chihuy.jurisdictions.choices import Kind, Level, Structure

pytestmark = pytest.mark.django_db


def _jurisdictions():
    vp = JurisdictionFactory(
        structure=Structure.LEGACY, level=Level.PROVINCE, code=26, name="Tỉnh Vĩnh Phúc", kind=Kind.TINH
    )
    vy = JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.DISTRICT,
        code=243,
        name="Thành phố Vĩnh Yên",
        kind=Kind.THANH_PHO_THUOC_TINH,
        parent=vp,
    )
    for code in range(244, 252):
        JurisdictionFactory(
            structure=Structure.LEGACY,
            level=Level.DISTRICT,
            code=code,
            name=f"Huyện {code}",
            kind=Kind.HUYEN,
            parent=vp,
        )
    JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.COMMUNE,
        code=8707,
        name="Phường Tích Sơn",
        kind=Kind.PHUONG,
        parent=vy,
    )
    JurisdictionFactory(
        structure=Structure.LEGACY,
        level=Level.COMMUNE,
        code=8710,
        name="Phường Liên Bảo",
        kind=Kind.PHUONG,
        parent=vy,
    )
    qn = JurisdictionFactory(
        structure=Structure.CURRENT, level=Level.PROVINCE, code=22, name="Tỉnh Quảng Ninh", kind=Kind.TINH
    )
    for code in [6652, 6658, 6661, 6673, 6676, 6685, 6688, 6706]:
        JurisdictionFactory(
            structure=Structure.CURRENT,
            level=Level.COMMUNE,
            code=code,
            name=f"Phường {code}",
            kind=Kind.PHUONG,
            parent=qn,
        )


def test_demo_needs_jurisdictions():
    with pytest.raises(CommandError, match="load_jurisdictions"):
        call_command("load_demo")
    assert not Centre.objects.exists()


def test_demo_loads_once(capsys):
    _jurisdictions()
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "vp.chihuytruong" in out and "chihuy-demo-2026" in out
    assert Centre.objects.count() == 7
    assert 28 <= Member.objects.count() <= 40
    vp = Centre.objects.get(short_code="VP")
    assert vp.hotline == "02113.858.858" and vp.decision_number == "2230/QĐ-UBND"
    assert vp.hotline_fallback_member.user.username == "vp.truc.vp"
    from chihuy.centres.selectors import centre_coverage

    coverage = centre_coverage(centre=vp)
    assert (coverage.with_centre, coverage.total) == (1, 9)
    vy = Centre.objects.get(short_code="VY")
    coverage = centre_coverage(centre=vy)
    assert (coverage.with_centre, coverage.with_rules) == (2, 1)
    from chihuy.intake.selectors import procedure_get
    from chihuy.roster.selectors import on_duty_now

    assert procedure_get(centre=vp) is not None
    duty = on_duty_now(centre=vp)
    assert duty.command and duty.officers  # this month's roster is published
    with pytest.raises(CommandError):
        call_command("load_demo")
