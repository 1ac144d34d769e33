"""jurisdiction_search: accent-insensitive, every word, ranked (R14)."""

from __future__ import annotations

import pytest

from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.models import Jurisdiction
from chihuy.jurisdictions.selectors import jurisdiction_get, jurisdiction_search
from chihuy.jurisdictions.services import jurisdictions_load
from chihuy.jurisdictions.sources import StaticSource, UnitRecord

from .conftest import C, L, P, W, small_successions, small_units

pytestmark = pytest.mark.django_db

RANKING_UNITS = [
    UnitRecord(L, W, 6700, "Xã Phong Hà", "xã", "", 203),  # every word starts a word
    UnitRecord(L, W, 6701, "Xã Chà Phong", "xã", "", 203),  # "ha" only inside a word
    UnitRecord(L, W, 6702, "Xã Hà Phong Tây", "xã", "", 203),  # starts with the query
    UnitRecord(L, W, 6703, "Xã Hồng Phong", "xã", "", 203),
]


@pytest.fixture
def units():
    jurisdictions_load(
        structure="both", source=StaticSource([*small_units(), *RANKING_UNITS], small_successions())
    )


def _names(results: list[Jurisdiction]) -> list[str]:
    return [j.name for j in results]


def test_accent_insensitive_and_word_order_free(units):
    assert _names(jurisdiction_search(query="ha phong", structure=L))[0] == "Phường Hà Phong"
    assert "Phường Hà Phong" in _names(jurisdiction_search(query="phong ha", structure=L))
    assert _names(jurisdiction_search(query="HÀ   PHONG", structure=L))[0] == "Phường Hà Phong"


def test_every_word_must_match(units):
    assert jurisdiction_search(query="ha phong khanh", structure=L) == []
    assert _names(jurisdiction_search(query="ha khanh", structure=L)) == ["Phường Hà Khánh"]


def test_ranking_exact_then_prefix_then_word_start_then_inside(units):
    assert _names(jurisdiction_search(query="ha phong", structure=L)) == [
        "Phường Hà Phong",
        "Xã Hà Phong Tây",
        "Xã Phong Hà",
    ]
    # A word found only inside another word comes last.
    names = _names(jurisdiction_search(query="hong", structure=L))
    assert names[0] == "Xã Hồng Phong"
    assert set(names[1:]) == {"Phường Hà Phong", "Xã Phong Hà", "Xã Chà Phong", "Xã Hà Phong Tây"}


def test_higher_level_first_on_ties(units):
    names = _names(jurisdiction_search(query="ha long", structure=None))
    # The legacy city (district level) and the current ward tie on the exact name.
    assert names[:2] == ["Thành phố Hạ Long", "Phường Hạ Long"]
    assert _names(jurisdiction_search(query="quang ninh", structure=None)) == ["Tỉnh Quảng Ninh"] * 2


def test_short_fragments_must_start_a_word(units):
    assert "Thị trấn Cái Rồng" in _names(jurisdiction_search(query="ca", structure=L))
    assert "Xã Chà Phong" not in _names(jurisdiction_search(query="ha", structure=L))
    assert "Xã Chà Phong" in _names(jurisdiction_search(query="cha", structure=L))


def test_numeric_query_matches_the_code(units):
    assert _names(jurisdiction_search(query="6661", structure=L)) == ["Phường Hà Phong"]
    assert _names(jurisdiction_search(query=" 22 ", structure=C)) == ["Tỉnh Quảng Ninh"]


def test_structure_level_and_subtree_filters(units):
    assert _names(jurisdiction_search(query="ha phong")) == []  # current structure by default
    assert {j.structure for j in jurisdiction_search(query="quang ninh", structure=None)} == {C, L}
    assert _names(jurisdiction_search(query="ha long", structure=None, level=Level.COMMUNE)) == [
        "Phường Hạ Long"
    ]
    van_don = Jurisdiction.objects.get(structure=L, level=Level.DISTRICT, code=203)
    within = _names(jurisdiction_search(query="xa", structure=L, within=van_don, limit=50))
    assert "Xã Phong Hà" in within and "Phường Hà Phong" not in within


def test_empty_query_and_limit(units):
    assert jurisdiction_search(query="   ") == []
    assert len(jurisdiction_search(query="ha", structure=None, limit=2)) == 2


def test_parent_is_fetched_with_the_results(units, django_assert_num_queries):
    with django_assert_num_queries(2):
        results = jurisdiction_search(query="phuong", structure=None)
        labels = [j.label_with_parent for j in results]
    assert "Phường Hà Phong, Thành phố Hạ Long" in labels


def test_get_by_code(units):
    assert jurisdiction_get(structure=Structure.LEGACY, code=22).level == P
    assert jurisdiction_get(structure=Structure.CURRENT, code=6688, level=W).name == "Phường Hạ Long"
    with pytest.raises(Jurisdiction.DoesNotExist):
        jurisdiction_get(structure=Structure.CURRENT, code=123456)
