"""The loader, the command and the search against the real ``vietnam-provinces`` data (R14, R36).

The data set is loaded once for this module (see ``real_jurisdictions`` in conftest).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chihuy.jurisdictions.choices import Kind, Level, Structure
from chihuy.jurisdictions.management.commands import load_jurisdictions as command_module
from chihuy.jurisdictions.models import Jurisdiction, JurisdictionSuccession
from chihuy.jurisdictions.selectors import jurisdiction_search
from chihuy.jurisdictions.services import jurisdictions_load
from chihuy.jurisdictions.sources import StaticSource, UnitRecord

pytestmark = pytest.mark.django_db

C, L = Structure.CURRENT, Structure.LEGACY
P, D, W = Level.PROVINCE, Level.DISTRICT, Level.COMMUNE


def test_first_load_counts(real_jurisdictions):
    r = real_jurisdictions
    assert (r.count(C, P), r.count(C, W)) == (34, 3321)
    assert (r.count(L, P), r.count(L, D), r.count(L, W)) == (63, 696, 10051)
    assert r.units[(C, W)].created == 3321 and r.units[(L, W)].created == 10051
    assert Jurisdiction.objects.count() == 34 + 3321 + 63 + 696 + 10051
    assert r.successions.created > 10_000
    assert JurisdictionSuccession.objects.count() == r.successions.created
    # Every legacy province and (almost) every legacy commune has a successor.
    assert not Jurisdiction.objects.filter(structure=L, level=P, successors_links__isnull=True).exists()
    assert Jurisdiction.objects.filter(structure=L, level=W, successors_links__isnull=True).count() < 50


@pytest.mark.parametrize(
    ("structure", "expected"),
    [("current", {(C, P): 34, (C, W): 3321}), ("legacy", {(L, P): 63, (L, D): 696, (L, W): 10051})],
)
def test_rerun_of_one_structure_changes_nothing(real_jurisdictions, structure, expected):
    result = jurisdictions_load(structure=structure)
    assert {key: c.total for key, c in result.units.items()} == expected
    assert all(c.unchanged == c.total for c in result.units.values())
    assert not result.changed


def test_rerun_both_changes_nothing_and_restores_a_changed_name(real_jurisdictions):
    total = Jurisdiction.objects.count()
    links = JurisdictionSuccession.objects.count()
    ward = Jurisdiction.objects.get(structure=L, level=W, code=8707)
    Jurisdiction.objects.filter(pk=ward.pk).update(name="Phường Tên Sai", search_key="phuong ten sai")

    result = jurisdictions_load(structure="both")

    assert result.units[(L, W)].updated == 1
    assert result.units[(C, W)].updated == 0 and result.successions.created == 0
    ward.refresh_from_db()
    assert (ward.name, ward.search_key) == ("Phường Tích Sơn", "phuong tich son")
    assert Jurisdiction.objects.count() == total
    assert JurisdictionSuccession.objects.count() == links
    assert not jurisdictions_load(structure="both").changed


def test_kinds_parents_and_ancestors(real_jurisdictions):
    tich_son = Jurisdiction.objects.select_related("parent", "district", "province").get(
        structure=L, level=W, code=8707
    )
    assert tich_son.kind == Kind.PHUONG
    assert tich_son.parent.name == "Thành phố Vĩnh Yên" == tich_son.district.name
    assert tich_son.parent.kind == Kind.THANH_PHO_THUOC_TINH
    assert tich_son.province.name == "Tỉnh Vĩnh Phúc"
    assert Jurisdiction.objects.get(structure=C, level=P, code=1).kind == Kind.THANH_PHO_TW
    assert Jurisdiction.objects.filter(structure=C, kind=Kind.DAC_KHU).exists()
    assert Jurisdiction.objects.filter(structure=L, kind=Kind.THI_TRAN).exists()
    assert Jurisdiction.objects.filter(structure=L, kind=Kind.THI_XA).exists()
    assert Jurisdiction.objects.filter(structure=L, kind=Kind.QUAN).exists()
    # Vĩnh Phúc became part of Phú Thọ.
    successors = Jurisdiction.objects.filter(
        predecessor_links__old__structure=L, predecessor_links__old__code=26
    )
    assert [j.name for j in successors.filter(level=P)] == ["Tỉnh Phú Thọ"]
    assert tich_son.successors_links.filter(new__province__name="Tỉnh Phú Thọ").exists()


def test_command_prints_counts_in_vietnamese(real_jurisdictions):
    out = StringIO()
    call_command("load_jurisdictions", stdout=out)
    text = out.getvalue()
    assert "Hiện hành: 34 tỉnh/thành, 3321 xã/phường" in text
    assert "Trước 01/07/2025: 63 tỉnh/thành, 696 quận/huyện, 10051 xã/phường/thị trấn" in text
    assert "mới 0, cập nhật 0, giữ nguyên 14165" in text
    assert "Bảng chuyển đổi cũ → mới" in text
    assert "giây" in text


def test_command_with_one_structure(real_jurisdictions):
    out = StringIO()
    call_command("load_jurisdictions", structure="current", stdout=out)
    assert "Hiện hành: 34 tỉnh/thành" in out.getvalue()
    assert "Trước 01/07/2025" not in out.getvalue()


def test_command_fails_clearly_on_a_corrupt_source(real_jurisdictions, monkeypatch):
    corrupt = StaticSource([UnitRecord(C, W, 99999, "Xã Mồ Côi", "xã", "", 98)])
    real_load = command_module.jurisdictions_load
    monkeypatch.setattr(
        command_module,
        "jurisdictions_load",
        lambda *, structure: real_load(structure=structure, source=corrupt),
    )
    with pytest.raises(CommandError, match="không tìm thấy đơn vị cấp trên mã 98"):
        call_command("load_jurisdictions", structure="current", stdout=StringIO())
    assert not Jurisdiction.objects.filter(code=99999).exists()


def test_search_on_the_full_data_set(real_jurisdictions):
    assert jurisdiction_search(query="ha phong", structure=None)[0].name == "Phường Hà Phong"
    assert "Phường Hà Phong" in [j.name for j in jurisdiction_search(query="phong ha", structure=None)]
    assert jurisdiction_search(query="tich son", structure=L)[0].label_with_parent == (
        "Phường Tích Sơn, Thành phố Vĩnh Yên"
    )
    assert jurisdiction_search(query="quang ninh", structure=L)[0].name == "Tỉnh Quảng Ninh"
    assert jurisdiction_search(query="ha noi")[0].code == 1
    assert [j.code for j in jurisdiction_search(query="8707", structure=L)] == [8707]
    vinh_yen = jurisdiction_search(query="vinh yen", structure=L)
    assert vinh_yen[0].name == "Thành phố Vĩnh Yên"
    assert all(j.structure == L for j in vinh_yen)
