"""Writes for jurisdictions: the reference-data loader (R14).

Jurisdictions are reference data, not audited records, so the loader writes in bulk
(``bulk_create`` / ``bulk_update``, a handful of queries per level) instead of one
``full_clean()`` + ``save()`` per row; the checks ``full_clean`` would do are made
explicitly on the whole source *before* the first write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chihuy.core.text import search_key
from chihuy.jurisdictions.choices import KIND_LEVEL, Kind, Level, Structure
from chihuy.jurisdictions.models import Jurisdiction, JurisdictionSuccession
from chihuy.jurisdictions.sources import (
    JurisdictionSource,
    SuccessionRecord,
    UnitRecord,
    VietnamProvincesSource,
)

CURRENT_VALID_FROM = dt.date(2025, 7, 1)
LEGACY_VALID_TO = dt.date(2025, 6, 30)

STRUCTURE_CHOICES = ("current", "legacy", "both")

# Division types as the package writes them. "thành phố" alone is ambiguous: at district
# level it is a city under a province; at province level the package says "trung ương".
_DIVISION_KIND: dict[str, Kind] = {
    "tỉnh": Kind.TINH,
    "thành phố trung ương": Kind.THANH_PHO_TW,
    "thành phố trực thuộc trung ương": Kind.THANH_PHO_TW,
    "quận": Kind.QUAN,
    "huyện": Kind.HUYEN,
    "thị xã": Kind.THI_XA,
    "thành phố thuộc tỉnh": Kind.THANH_PHO_THUOC_TINH,
    "thành phố thuộc thành phố trực thuộc trung ương": Kind.THANH_PHO_THUOC_TINH,
    "xã": Kind.XA,
    "phường": Kind.PHUONG,
    "thị trấn": Kind.THI_TRAN,
    "đặc khu": Kind.DAC_KHU,
}
_DISTRICT_CITY = "thành phố"

# The level a unit's parent sits at, per structure; absent means "no parent".
_PARENT_LEVEL: dict[tuple[str, int], int] = {
    (Structure.CURRENT, Level.COMMUNE): Level.PROVINCE,
    (Structure.LEGACY, Level.DISTRICT): Level.PROVINCE,
    (Structure.LEGACY, Level.COMMUNE): Level.DISTRICT,
}
_STRUCTURE_LEVELS: dict[str, tuple[int, ...]] = {
    Structure.CURRENT: (Level.PROVINCE, Level.COMMUNE),
    Structure.LEGACY: (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE),
}
_UPDATABLE = (
    "name",
    "kind",
    "codename",
    "parent_id",
    "province_id",
    "district_id",
    "valid_from",
    "valid_to",
    "search_key",
)
_NAME_MAX = Jurisdiction._meta.get_field("name").max_length or 120
_MAX_REPORTED_ERRORS = 10


class JurisdictionSourceError(ValidationError):
    """The source is corrupt; nothing was written. ``messages`` name the bad rows."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadResult:
    """What a load did, per (structure, level), plus the old → new succession rows."""

    units: dict[tuple[str, int], Counts] = field(default_factory=dict)
    successions: Counts = field(default_factory=Counts)
    # Mapping rows naming a unit the source does not have (the package has a few).
    successions_skipped: list[SuccessionRecord] = field(default_factory=list)

    def count(self, structure: str, level: int) -> int:
        c = self.units.get((structure, level))
        return c.total if c else 0

    @property
    def changed(self) -> bool:
        parts = [*self.units.values(), self.successions]
        return any(c.created or c.updated or c.deleted for c in parts)


def _structures(structure: str) -> list[str]:
    if structure == "both":
        return [Structure.CURRENT, Structure.LEGACY]
    if structure in (Structure.CURRENT, Structure.LEGACY):
        return [structure]
    raise ValueError(f"structure must be one of {STRUCTURE_CHOICES}, not {structure!r}")


def _describe(rec: UnitRecord) -> str:
    return f"[{rec.structure}, cấp {rec.level}, mã {rec.code}, «{rec.name}»]"


def _kind_for(rec: UnitRecord) -> Kind | None:
    division = " ".join(str(rec.division_type).lower().split())
    if division == _DISTRICT_CITY and rec.level == Level.DISTRICT:
        return Kind.THANH_PHO_THUOC_TINH
    return _DIVISION_KIND.get(division)


def _validate(
    structure: str, records: list[UnitRecord]
) -> tuple[dict[tuple[int, int], UnitRecord], list[str]]:
    """Check every row of one structure; return the rows keyed by (level, code) and the errors."""
    errors: list[str] = []
    by_key: dict[tuple[int, int], UnitRecord] = {}
    levels = _STRUCTURE_LEVELS[structure]
    for rec in records:
        where = _describe(rec)
        if rec.level not in levels:
            errors.append(
                _("%(row)s: cấp %(level)s không có trong cấu trúc này.") % {"row": where, "level": rec.level}
            )
            continue
        if not isinstance(rec.code, int) or rec.code <= 0:
            errors.append(_("%(row)s: mã đơn vị không hợp lệ.") % {"row": where})
            continue
        if (rec.level, rec.code) in by_key:
            errors.append(_("%(row)s: mã đơn vị bị trùng.") % {"row": where})
            continue
        by_key[(rec.level, rec.code)] = rec
        name = (rec.name or "").strip()
        if not name:
            errors.append(_("%(row)s: tên đơn vị trống.") % {"row": where})
        elif len(name) > _NAME_MAX:
            errors.append(_("%(row)s: tên dài quá %(max)s ký tự.") % {"row": where, "max": _NAME_MAX})
        kind = _kind_for(rec)
        if kind is None:
            errors.append(
                _("%(row)s: loại đơn vị «%(type)s» không được hỗ trợ.")
                % {"row": where, "type": rec.division_type}
            )
        elif KIND_LEVEL[kind] != rec.level:
            errors.append(
                _("%(row)s: loại đơn vị «%(type)s» không thuộc cấp %(level)s.")
                % {"row": where, "type": rec.division_type, "level": rec.level}
            )
    # Parents are checked once every code is known, whatever the order of the rows.
    for (level, _code), rec in by_key.items():
        parent_level = _PARENT_LEVEL.get((structure, level))
        if parent_level is None:
            if rec.parent_code is not None:
                errors.append(_("%(row)s: đơn vị cấp tỉnh không có cấp trên.") % {"row": _describe(rec)})
        elif rec.parent_code is None:
            errors.append(_("%(row)s: thiếu mã đơn vị cấp trên.") % {"row": _describe(rec)})
        elif (parent_level, rec.parent_code) not in by_key:
            errors.append(
                _("%(row)s: không tìm thấy đơn vị cấp trên mã %(parent)s.")
                % {"row": _describe(rec), "parent": rec.parent_code}
            )
    return by_key, errors


def _raise_if(errors: list[str]) -> None:
    if not errors:
        return
    shown = errors[:_MAX_REPORTED_ERRORS]
    if len(errors) > len(shown):
        shown.append(_("… và %(n)s lỗi khác.") % {"n": len(errors) - len(shown)})
    raise JurisdictionSourceError(shown, code="corrupt_source")


def _load_structure(
    structure: str, by_key: dict[tuple[int, int], UnitRecord], result: LoadResult
) -> dict[tuple[int, int], int]:
    """Create or update one structure level by level; return the ids by (level, code)."""
    existing: dict[tuple[int, int], dict[str, Any]] = {
        (row["level"], row["code"]): row
        for row in Jurisdiction.objects.filter(structure=structure).values("id", "level", "code", *_UPDATABLE)
    }
    ids = {key: row["id"] for key, row in existing.items()}
    # (province_id, district_id) of every unit, to fill the denormalised ancestors of its children.
    ancestors: dict[tuple[int, int], tuple[int | None, int | None]] = {}
    valid_from = CURRENT_VALID_FROM if structure == Structure.CURRENT else None
    valid_to = LEGACY_VALID_TO if structure == Structure.LEGACY else None

    for level in _STRUCTURE_LEVELS[structure]:
        counts = result.units.setdefault((structure, level), Counts())
        parent_level = _PARENT_LEVEL.get((structure, level))
        to_create: list[Jurisdiction] = []
        to_update: list[Jurisdiction] = []
        for (rec_level, code), rec in sorted(by_key.items()):
            if rec_level != level:
                continue
            parent_id = province_id = district_id = None
            if parent_level is not None and rec.parent_code is not None:
                parent_key = (parent_level, rec.parent_code)
                parent_id = ids[parent_key]
                p_province, p_district = ancestors[parent_key]
                province_id = parent_id if parent_level == Level.PROVINCE else p_province
                district_id = parent_id if parent_level == Level.DISTRICT else p_district
            name = " ".join(rec.name.split())
            wanted: dict[str, Any] = {
                "name": name,
                "kind": str(_kind_for(rec)),
                "codename": rec.codename or "",
                "parent_id": parent_id,
                "province_id": province_id,
                "district_id": district_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "search_key": search_key(name),
            }
            old = existing.get((level, code))
            if old is None:
                to_create.append(Jurisdiction(structure=structure, level=level, code=code, **wanted))
            elif any(old[f] != v for f, v in wanted.items()):
                to_update.append(
                    Jurisdiction(pk=old["id"], structure=structure, level=level, code=code, **wanted)
                )
            else:
                counts.unchanged += 1
            ancestors[(level, code)] = (province_id, district_id)
        if to_create:
            Jurisdiction.objects.bulk_create(to_create, batch_size=2000)
            counts.created += len(to_create)
            # Re-read the ids rather than rely on the backend returning them from a bulk insert.
            ids.update(
                ((level, code), pk)
                for code, pk in Jurisdiction.objects.filter(structure=structure, level=level).values_list(
                    "code", "id"
                )
            )
        if to_update:
            Jurisdiction.objects.bulk_update(
                to_update, [f.removesuffix("_id") for f in _UPDATABLE], batch_size=500
            )
            counts.updated += len(to_update)
    return ids


def _load_successions(
    records: Iterable[SuccessionRecord],
    legacy_ids: dict[tuple[int, int], int],
    current_ids: dict[tuple[int, int], int],
    result: LoadResult,
) -> None:
    wanted: dict[tuple[int, int], bool] = {}
    for rec in records:
        old_id = legacy_ids.get((rec.old_level, rec.old_code))
        new_id = current_ids.get((rec.new_level, rec.new_code))
        if old_id is None or new_id is None:
            result.successions_skipped.append(rec)
            continue
        pair = (old_id, new_id)
        wanted[pair] = wanted.get(pair, False) or rec.partial
    existing = {
        (old_id, new_id): (pk, partial)
        for pk, old_id, new_id, partial in JurisdictionSuccession.objects.values_list(
            "id", "old_id", "new_id", "partial"
        )
    }
    counts = result.successions
    to_create = [
        JurisdictionSuccession(old_id=o, new_id=n, partial=p)
        for (o, n), p in wanted.items()
        if (o, n) not in existing
    ]
    to_update: list[JurisdictionSuccession] = []
    for pair, (pk, partial) in existing.items():
        if pair not in wanted:
            continue
        if wanted[pair] != partial:
            to_update.append(
                JurisdictionSuccession(pk=pk, old_id=pair[0], new_id=pair[1], partial=wanted[pair])
            )
        else:
            counts.unchanged += 1
    stale = [pk for pair, (pk, _partial) in existing.items() if pair not in wanted]
    if to_create:
        JurisdictionSuccession.objects.bulk_create(to_create, batch_size=2000)
        counts.created = len(to_create)
    if to_update:
        JurisdictionSuccession.objects.bulk_update(to_update, ["partial"], batch_size=500)
        counts.updated = len(to_update)
    for start in range(0, len(stale), 500):
        JurisdictionSuccession.objects.filter(pk__in=stale[start : start + 500]).delete()
    counts.deleted = len(stale)


def jurisdictions_load(*, structure: str = "both", source: JurisdictionSource | None = None) -> LoadResult:
    """Load the administrative units (and, for ``both``, the old → new mapping) from a source (R14).

    Rules carried here:
    - idempotent: units are matched on (structure, level, code); a re-run creates nothing,
      updates only rows whose name, kind, parent, … changed, and never duplicates;
    - all or nothing: the whole source is validated first (duplicate code, empty name, unknown
      division type, missing parent, …) and a corrupt source raises ``JurisdictionSourceError``
      naming the bad rows, with nothing written; the writes run in one ``transaction.atomic``;
    - units absent from the source are kept (centres and records point at them, R36);
    - succession rows are rebuilt from the source only when both structures are loaded.
    """
    structures = _structures(structure)
    source = source or VietnamProvincesSource()

    validated: dict[str, dict[tuple[int, int], UnitRecord]] = {}
    errors: list[str] = []
    for st in structures:
        by_key, st_errors = _validate(st, list(source.units(st)))
        validated[st] = by_key
        errors.extend(st_errors)
    _raise_if(errors)
    succession_records = list(source.successions()) if structure == "both" else []

    result = LoadResult()
    with transaction.atomic():
        ids = {st: _load_structure(st, validated[st], result) for st in structures}
        if structure == "both":
            _load_successions(succession_records, ids[Structure.LEGACY], ids[Structure.CURRENT], result)
    return result
