"""Where jurisdiction reference data comes from (R14).

The loader (``services.jurisdictions_load``) never reads the ``vietnam-provinces``
package directly: it asks a *source* for plain records. The default source wraps
the package; tests hand in a ``StaticSource`` with a few (possibly corrupt) rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from chihuy.jurisdictions.choices import Level, Structure


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One administrative unit as the source states it, before any validation."""

    structure: str
    level: int
    code: int
    name: str
    # The division type as written in Vietnamese ("tỉnh", "thành phố", "phường", …).
    division_type: str
    codename: str = ""
    parent_code: int | None = None


@dataclass(frozen=True, slots=True)
class SuccessionRecord:
    """A pre-2025 unit (legacy structure) that became, wholly or partly, a current unit."""

    old_level: int
    old_code: int
    new_level: int
    new_code: int
    partial: bool = False


class JurisdictionSource(Protocol):
    def units(self, structure: str) -> Iterable[UnitRecord]: ...

    def successions(self) -> Iterable[SuccessionRecord]: ...


@dataclass
class StaticSource:
    """An in-memory source, for tests and one-off imports."""

    unit_records: Sequence[UnitRecord]
    succession_records: Sequence[SuccessionRecord] = field(default_factory=tuple)

    def units(self, structure: str) -> Iterable[UnitRecord]:
        return [u for u in self.unit_records if u.structure == structure]

    def successions(self) -> Iterable[SuccessionRecord]:
        return list(self.succession_records)


def _text(value: object) -> str:
    """Enum members of the package carry the Vietnamese text as their value."""
    return str(getattr(value, "value", value))


class VietnamProvincesSource:
    """The ``vietnam-provinces`` package: 34 provinces / 3,321 communes since 1 July 2025,
    63 provinces / 696 districts / 10,051 communes before, and the official old → new mapping.
    """

    def units(self, structure: str) -> Iterable[UnitRecord]:
        if structure == Structure.CURRENT:
            yield from self._current()
        elif structure == Structure.LEGACY:
            yield from self._legacy()

    def _current(self) -> Iterable[UnitRecord]:
        from vietnam_provinces import Province, Ward

        for p in Province.iter_all():
            yield UnitRecord(
                Structure.CURRENT, Level.PROVINCE, int(p.code), p.name, _text(p.division_type), p.codename
            )
        for w in Ward.iter_all():
            yield UnitRecord(
                Structure.CURRENT,
                Level.COMMUNE,
                int(w.code),
                w.name,
                _text(w.division_type),
                w.codename,
                int(w.province_code),
            )

    def _legacy(self) -> Iterable[UnitRecord]:
        from vietnam_provinces.legacy.base import District, Province, Ward

        for p in Province.iter_all():
            yield UnitRecord(
                Structure.LEGACY, Level.PROVINCE, int(p.code), p.name, _text(p.division_type), p.codename
            )
        for d in District.iter_all():
            yield UnitRecord(
                Structure.LEGACY,
                Level.DISTRICT,
                int(d.code),
                d.name,
                _text(d.division_type),
                d.codename,
                int(d.province_code),
            )
        for w in Ward.iter_all():
            yield UnitRecord(
                Structure.LEGACY,
                Level.COMMUNE,
                int(w.code),
                w.name,
                _text(w.division_type),
                w.codename,
                int(w.district_code),
            )

    def successions(self) -> Iterable[SuccessionRecord]:
        from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCES
        from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARDS

        for p_entry in PROVINCES.values():
            new_provinces = p_entry.new_provinces
            for new_p in new_provinces:
                # The package has no "partly merged" flag for provinces: a province split
                # over several new ones is partial by definition.
                yield SuccessionRecord(
                    Level.PROVINCE,
                    int(p_entry.old_province.code),
                    Level.PROVINCE,
                    int(new_p.code),
                    len(new_provinces) > 1,
                )
        for w_entry in WARDS.values():
            old = w_entry.old_ward
            for new_w in w_entry.new_wards:
                yield SuccessionRecord(
                    Level.COMMUNE, int(old.code), Level.COMMUNE, int(new_w.code), bool(old.is_partly_merged)
                )
