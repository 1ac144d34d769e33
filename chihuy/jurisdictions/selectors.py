"""Reads for jurisdictions: lookup and the accent-insensitive autocomplete search (R14).

Jurisdictions are public reference data (the list of communes is published by law),
so these selectors need no permission filter; what a user may *do* at a unit is
decided by the centres' permission layer.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from chihuy.core.text import search_key
from chihuy.jurisdictions.choices import Kind
from chihuy.jurisdictions.models import Jurisdiction

# How each kind's names begin, as a search key ("Phường Hà Phong" -> "phuong ha phong").
KIND_PREFIX: dict[str, str] = {
    Kind.TINH: "tinh ",
    Kind.THANH_PHO_TW: "thanh pho ",
    Kind.QUAN: "quan ",
    Kind.HUYEN: "huyen ",
    Kind.THI_XA: "thi xa ",
    Kind.THANH_PHO_THUOC_TINH: "thanh pho ",
    Kind.XA: "xa ",
    Kind.PHUONG: "phuong ",
    Kind.THI_TRAN: "thi tran ",
    Kind.DAC_KHU: "dac khu ",
}
_MAX_WORDS = 8
_MAX_QUERY = 100
_MIN_INFIX = 3

RANK_EXACT, RANK_PREFIX, RANK_WORD_START, RANK_OTHER = 0, 1, 2, 3


def jurisdiction_get(*, structure: str, code: int, level: int | None = None) -> Jurisdiction:
    """One unit by its official code; codes repeat across levels, so pass ``level`` when known."""
    qs = Jurisdiction.objects.select_related("parent").filter(structure=structure, code=code)
    if level is not None:
        qs = qs.filter(level=level)
    unit = qs.order_by("level").first()
    if unit is None:
        raise Jurisdiction.DoesNotExist(f"No {structure} jurisdiction with code {code}")
    return unit


def _bare_name(lookup: str, key: str) -> Q:
    """The name without its kind prefix ("phuong ha phong" -> "ha phong") matches ``key``."""
    return reduce(
        or_, (Q(kind=kind, **{f"search_key__{lookup}": prefix + key}) for kind, prefix in KIND_PREFIX.items())
    )


def jurisdiction_search(
    *,
    query: str,
    structure: str | None = "current",
    level: int | None = None,
    within: Jurisdiction | None = None,
    limit: int = 20,
) -> list[Jurisdiction]:
    """Find units by name or code for the pickers (R14, R36).

    Accent- and case-insensitive; every word of the query must occur in the name, in any
    order ("phong ha" finds "Phường Hà Phong"). Ranked: exact name first (with or without
    its kind word), then names starting with the query (again with or without the kind
    word), then names where every word starts a word, then the rest; ties go to the higher
    level, then the shorter name. Fragments of one or two letters must start a word. An
    all-digit query also matches the official code exactly. Two short queries: rank the ids
    without the parent join, then fetch the winners with their parent.
    """
    key = search_key(query)[:_MAX_QUERY]
    words = key.split()[:_MAX_WORDS]
    if not words or limit <= 0:
        return []
    key = " ".join(words)

    starts = {w: Q(search_key__startswith=w) | Q(search_key__contains=" " + w) for w in words}
    # One or two letters inside a word match most of the table and help nobody: short
    # fragments must start a word ("ng" finds "Nghệ An", not "Trung").
    match = reduce(and_, (Q(search_key__contains=w) if len(w) >= _MIN_INFIX else starts[w] for w in words))
    whens = []
    if key.isdigit():
        match = match | Q(code=int(key))
        whens.append(When(code=int(key), then=Value(RANK_EXACT)))
    whens += [
        When(Q(search_key=key) | _bare_name("exact", key), then=Value(RANK_EXACT)),
        When(Q(search_key__startswith=key) | _bare_name("startswith", key), then=Value(RANK_PREFIX)),
        When(reduce(and_, starts.values()), then=Value(RANK_WORD_START)),
    ]

    qs = Jurisdiction.objects.filter(match)
    if structure:
        qs = qs.filter(structure=structure)
    if level is not None:
        qs = qs.filter(level=level)
    if within is not None:
        qs = qs.subtree_of(within)
    ranked = qs.annotate(rank=Case(*whens, default=Value(RANK_OTHER), output_field=IntegerField())).order_by(
        "rank", "level", Length("search_key"), "code"
    )
    # Rank without the parent join (it would be made for every candidate), then fetch the few winners.
    ids = list(ranked.values_list("pk", flat=True)[:limit])
    units = Jurisdiction.objects.select_related("parent").in_bulk(ids)
    return [units[pk] for pk in ids]
