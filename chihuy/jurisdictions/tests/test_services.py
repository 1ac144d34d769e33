"""jurisdictions_load with an injected source: links, idempotence, all-or-nothing (R14)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chihuy.jurisdictions import services
from chihuy.jurisdictions.choices import Kind, Level, Structure
from chihuy.jurisdictions.models import Jurisdiction, JurisdictionSuccession
from chihuy.jurisdictions.services import JurisdictionSourceError, jurisdictions_load
from chihuy.jurisdictions.sources import StaticSource, UnitRecord

from .conftest import C, L, P, W, small_successions, small_units

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[list, list]:
    units = list(
        Jurisdiction.objects.order_by("structure", "level", "code").values_list(
            "structure",
            "level",
            "code",
            "name",
            "kind",
            "parent_id",
            "province_id",
            "district_id",
            "search_key",
        )
    )
    links = list(
        JurisdictionSuccession.objects.order_by("old_id", "new_id").values_list("old_id", "new_id", "partial")
    )
    return units, links


def _get(structure: str, level: int, code: int) -> Jurisdiction:
    return Jurisdiction.objects.get(structure=structure, level=level, code=code)


def test_load_both_sets_kind_parent_ancestors_dates_and_key(small_source):
    result = jurisdictions_load(structure="both", source=small_source)

    assert result.count(C, P) == 2 and result.count(C, W) == 3
    assert result.count(L, P) == 1 and result.count(L, Level.DISTRICT) == 2 and result.count(L, W) == 3
    assert result.units[(C, W)].created == 3
    assert Jurisdiction.objects.count() == 11

    ha_phong = _get(L, W, 6661)
    ha_long_city = _get(L, Level.DISTRICT, 193)
    qn_legacy = _get(L, P, 22)
    assert ha_phong.kind == Kind.PHUONG
    assert ha_phong.parent == ha_long_city
    assert ha_phong.district == ha_long_city
    assert ha_phong.province == qn_legacy
    assert ha_phong.search_key == "phuong ha phong"
    assert ha_phong.valid_to == dt.date(2025, 6, 30) and ha_phong.valid_from is None
    assert ha_long_city.kind == Kind.THANH_PHO_THUOC_TINH
    assert ha_long_city.province == qn_legacy and ha_long_city.district is None
    assert _get(L, Level.DISTRICT, 203).kind == Kind.HUYEN
    assert _get(L, W, 7192).kind == Kind.THI_TRAN

    van_don = _get(C, W, 6700)
    assert van_don.kind == Kind.DAC_KHU
    assert van_don.parent == van_don.province == _get(C, P, 22)
    assert van_don.district is None
    assert van_don.valid_from == dt.date(2025, 7, 1) and van_don.valid_to is None
    assert _get(C, P, 1).kind == Kind.THANH_PHO_TW
    assert _get(C, P, 22).kind == Kind.TINH

    # Succession rows link the two structures; a row naming an unknown unit is skipped.
    assert result.successions.created == 4
    assert len(result.successions_skipped) == 1
    new_ha_long = _get(C, W, 6688)
    assert set(new_ha_long.predecessor_links.values_list("old__code", "partial")) == {
        (6661, False),
        (6658, True),
    }


def test_load_one_structure_leaves_the_other_and_the_mapping_alone(small_source):
    result = jurisdictions_load(structure="current", source=small_source)
    assert (L, P) not in result.units
    assert not Jurisdiction.objects.filter(structure=Structure.LEGACY).exists()
    assert not JurisdictionSuccession.objects.exists()
    assert result.successions.total == 0


def test_rerun_changes_nothing(small_source, django_assert_max_num_queries):
    jurisdictions_load(structure="both", source=small_source)
    before = _snapshot()

    with django_assert_max_num_queries(20):
        again = jurisdictions_load(structure="both", source=small_source)

    assert not again.changed
    assert again.units[(L, W)].unchanged == 3 and again.units[(L, W)].created == 0
    assert again.successions.unchanged == 4
    assert _snapshot() == before


def test_rerun_updates_a_renamed_unit_and_a_changed_link(small_source):
    jurisdictions_load(structure="both", source=small_source)
    ids_before = set(Jurisdiction.objects.values_list("pk", flat=True))
    units = [
        dataclasses.replace(u, name="Phường Hà Phong Mới") if (u.structure, u.code) == (L, 6661) else u
        for u in small_units()
    ]
    links = [dataclasses.replace(s, partial=True) if s.old_code == 6661 else s for s in small_successions()]

    result = jurisdictions_load(structure="both", source=StaticSource(units, links))

    assert result.units[(L, W)].updated == 1 and result.units[(L, W)].unchanged == 2
    assert result.successions.updated == 1
    renamed = _get(L, W, 6661)
    assert renamed.name == "Phường Hà Phong Mới" and renamed.search_key == "phuong ha phong moi"
    assert set(Jurisdiction.objects.values_list("pk", flat=True)) == ids_before
    assert JurisdictionSuccession.objects.get(old=renamed).partial is True


def test_load_is_bulk(small_source, django_assert_max_num_queries):
    # A handful of queries per level, however many rows: never one per row.
    with django_assert_max_num_queries(25):
        jurisdictions_load(structure="both", source=small_source)


CORRUPTIONS = {
    "missing parent": (
        [*small_units(), UnitRecord(L, W, 6670, "Phường Mồ Côi", "phường", "", 999)],
        ["6670", "999"],
    ),
    "duplicate code": (
        [*small_units(), UnitRecord(C, W, 6688, "Phường Trùng Mã", "phường", "", 22)],
        ["6688", "trùng"],
    ),
    "empty name": (
        [*small_units(), UnitRecord(C, W, 6800, "  ", "xã", "", 22)],
        ["6800", "tên đơn vị trống"],
    ),
    "unknown division type": (
        [*small_units(), UnitRecord(C, W, 6801, "Thôn Lạ", "thôn", "", 22)],
        ["6801", "thôn"],
    ),
    "kind at the wrong level": (
        [*small_units(), UnitRecord(L, Level.DISTRICT, 204, "Phường Sai Cấp", "phường", "", 22)],
        ["204", "không thuộc cấp"],
    ),
    "district in the two-tier structure": (
        [*small_units(), UnitRecord(C, Level.DISTRICT, 205, "Huyện Cũ", "huyện", "", 22)],
        ["205"],
    ),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupt_source_raises_naming_the_row_and_changes_nothing(small_source, case):
    jurisdictions_load(structure="both", source=small_source)
    before = _snapshot()
    units, expected = CORRUPTIONS[case]
    # Rename a valid unit too: not even that change may be written.
    units = [
        dataclasses.replace(u, name="Tỉnh Đổi Tên") if (u.structure, u.level, u.code) == (C, P, 22) else u
        for u in units
    ]

    with pytest.raises(JurisdictionSourceError) as excinfo:
        jurisdictions_load(structure="both", source=StaticSource(units, small_successions()))

    message = " ".join(excinfo.value.messages)
    for fragment in expected:
        assert fragment in message
    assert _snapshot() == before


def test_corrupt_source_on_an_empty_database_writes_nothing():
    units = [*small_units(), UnitRecord(L, W, 6670, "Phường Mồ Côi", "phường", "", 999)]
    with pytest.raises(JurisdictionSourceError):
        jurisdictions_load(structure="both", source=StaticSource(units, small_successions()))
    assert not Jurisdiction.objects.exists()


def test_failure_while_writing_rolls_everything_back(small_source, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_load_successions", boom)
    with pytest.raises(RuntimeError):
        jurisdictions_load(structure="both", source=small_source)
    assert not Jurisdiction.objects.exists()


def test_unknown_structure_is_refused(small_source):
    with pytest.raises(ValueError, match="structure"):
        jurisdictions_load(structure="three-tier", source=small_source)
