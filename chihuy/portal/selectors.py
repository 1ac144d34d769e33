"""Reads for the public portal. There is no user here: what a citizen sees is limited by
these functions to active centres, their own area, and a record matched by code and phone."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from chihuy.centres.choices import CentreStatus
from chihuy.centres.models import Centre
from chihuy.core.text import search_key
from chihuy.intake.models import IntakeRecord
from chihuy.intake.phone import phone_key
from chihuy.jurisdictions.models import Jurisdiction
from chihuy.jurisdictions.selectors import jurisdiction_search

PLACES_LIMIT = 15
_TRACKING_SEPARATORS = str.maketrans("", "", " -.")
# A forwarded record's copy may itself be forwarded; no real chain is this long.
_MAX_FORWARDS = 10


def public_centres(*, query: str = "") -> list[Centre]:
    """Active centres whose name holds every word of ``query``, accent-insensitive (R17)."""
    centres = (
        Centre.objects.filter(status=CentreStatus.ACTIVE)
        .select_related("jurisdiction")
        .only("pk", "name", "hotline", "hotline_fallback", "address", "level", "path", "jurisdiction__name")
        .order_by("path")
    )
    words = search_key(query).split()
    if not words:
        return list(centres)
    return [c for c in centres if all(w in search_key(c.name) for w in words)]


def public_centre_get(*, pk: int) -> Centre:
    """An active centre, or 404: a proposed or dissolved one takes no reports."""
    centre = (
        Centre.objects.filter(status=CentreStatus.ACTIVE).select_related("jurisdiction").filter(pk=pk).first()
    )
    if centre is None:
        raise Http404
    return centre


def _area_roots(centre: Centre) -> list[Jurisdiction]:
    if centre.jurisdiction is not None:
        return [centre.jurisdiction]
    return list(centre.region.all())  # a forward command post covers its region


def centre_area(*, centre: Centre) -> QuerySet[Jurisdiction]:
    """The units inside the centre's area: where a citizen may say the event happened."""
    roots = _area_roots(centre)
    if not roots:
        return Jurisdiction.objects.none()
    cond = reduce(or_, (Q(pk=r.pk) | Q(province_id=r.pk) | Q(district_id=r.pk) for r in roots))
    return Jurisdiction.objects.filter(cond)


def public_places(*, centre: Centre, query: str) -> list[Jurisdiction]:
    """Units in the centre's area matching ``query``, for the report form's location picker."""
    found: list[Jurisdiction] = []
    for root in _area_roots(centre):
        found += jurisdiction_search(query=query, structure=root.structure, within=root, limit=PLACES_LIMIT)
    return found[:PLACES_LIMIT]


def normalise_tracking_code(code: str) -> str:
    return (code or "").upper().translate(_TRACKING_SEPARATORS)


def public_record_lookup(*, code: str, phone: str) -> IntakeRecord | None:
    """The record with this tracking code *and* this reporter phone, or None (issue 3 §9).

    Both must match, and a miss says nothing about which one was wrong. Anonymous
    records have no phone and are never found.
    """
    code = normalise_tracking_code(code)
    key = phone_key(phone)
    if not code or not key:
        return None
    return (
        IntakeRecord.objects.select_related("centre")
        .filter(tracking_code=code, reporter_phone_key=key)
        .first()
    )


def public_current_handling(*, record: IntakeRecord) -> IntakeRecord:
    """Where the report is now: the last copy it was forwarded or escalated to (R16)."""
    current = record
    for _hop in range(_MAX_FORWARDS):
        nxt = (
            IntakeRecord.objects.select_related("centre")
            .filter(forwarded_from=current)
            .order_by("-created_at")
            .first()
        )
        if nxt is None:
            break
        current = nxt
    return current
