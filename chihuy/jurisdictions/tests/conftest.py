"""Fixtures for the jurisdiction tests.

``real_jurisdictions`` loads the whole ``vietnam-provinces`` data set (~14k units, ~10k
mapping rows) once per module, inside an outer transaction that is rolled back at the
end of the module: each test runs in a savepoint within it, and no other test module
ever sees the rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.services import LoadResult, jurisdictions_load
from chihuy.jurisdictions.sources import StaticSource, SuccessionRecord, UnitRecord


@pytest.fixture(scope="module")
def real_jurisdictions(django_db_setup, django_db_blocker) -> Iterator[LoadResult]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield jurisdictions_load(structure="both")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


C, L = Structure.CURRENT, Structure.LEGACY
P, D, W = Level.PROVINCE, Level.DISTRICT, Level.COMMUNE


def small_units() -> list[UnitRecord]:
    """A tiny but complete data set: both structures, every kind of link."""
    return [
        UnitRecord(C, P, 22, "Tỉnh Quảng Ninh", "tỉnh", "quang_ninh"),
        UnitRecord(C, P, 1, "Thành phố Hà Nội", "thành phố trung ương", "ha_noi"),
        UnitRecord(C, W, 6688, "Phường Hạ Long", "phường", "phuong_ha_long", 22),
        UnitRecord(C, W, 6700, "Đặc khu Vân Đồn", "đặc khu", "dac_khu_van_don", 22),
        UnitRecord(C, W, 4, "Phường Ba Đình", "phường", "phuong_ba_dinh", 1),
        UnitRecord(L, P, 22, "Tỉnh Quảng Ninh", "tỉnh", "tinh_quang_ninh"),
        UnitRecord(L, D, 193, "Thành phố Hạ Long", "thành phố", "thanh_pho_ha_long", 22),
        UnitRecord(L, D, 203, "Huyện Vân Đồn", "huyện", "huyen_van_don", 22),
        UnitRecord(L, W, 6661, "Phường Hà Phong", "phường", "phuong_ha_phong", 193),
        UnitRecord(L, W, 6658, "Phường Hà Khánh", "phường", "phuong_ha_khanh", 193),
        UnitRecord(L, W, 7192, "Thị trấn Cái Rồng", "thị trấn", "thi_tran_cai_rong", 203),
    ]


def small_successions() -> list[SuccessionRecord]:
    return [
        SuccessionRecord(P, 22, P, 22),
        SuccessionRecord(W, 6661, W, 6688),
        SuccessionRecord(W, 6658, W, 6688, partial=True),
        SuccessionRecord(W, 7192, W, 6700),
        SuccessionRecord(W, 9999, W, 6700),  # unknown old unit: skipped, not fatal
    ]


@pytest.fixture
def small_source() -> StaticSource:
    return StaticSource(small_units(), small_successions())
