"""Reads for centres and members, always restricted by the permission layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chihuy.centres.access import visible_centres
from chihuy.centres.choices import CentreLevel, CentreStatus
from chihuy.centres.models import Agency, Centre, DeputySector, Member
from chihuy.core.text import search_key
from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.models import Jurisdiction

# The documents a centre keeps (its founding decision, its rules), by the name in their URL.
CENTRE_DOCUMENTS = {"decision": "decision_file", "rules": "rules_document"}


def centre_document(*, centre: Centre, which: str) -> tuple[Any, str]:
    """The file and original name of one of ``centre``'s documents (the centre already
    fetched through the permission layer); 404 when it has none."""
    field = CENTRE_DOCUMENTS.get(which)
    if field is None or not getattr(centre, field):
        raise Http404(_("Trung tâm chưa có tệp này."))
    return getattr(centre, field), getattr(centre, f"{field}_label")


def centre_list(*, user: Any, q: str = "", level: str = "", status: str = "") -> QuerySet[Centre]:
    """Centres the user may see, filtered; the text filter ignores accents."""
    qs = visible_centres(user).select_related("jurisdiction", "parent").order_by("path")
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if q:
        key = search_key(q)
        qs = qs.filter(
            Q(jurisdiction__search_key__contains=key)
            | Q(name__icontains=q.strip())
            | Q(short_code__iexact=q.strip())
        )
    return qs


def centre_members(*, centre: Centre, include_inactive: bool = False) -> QuerySet[Member]:
    qs = (
        Member.objects.filter(centre=centre)
        .select_related("user", "agency")
        .prefetch_related(Prefetch("sectors", queryset=DeputySector.objects.order_by("sector")))
        .order_by("-is_active", "role", "agency__order", "user__full_name")
    )
    return qs if include_inactive else qs.filter(is_active=True)


def centre_agencies(*, centre: Centre) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(centre=centre)
        .annotate(n_members=Count("members", filter=Q(members__is_active=True)))
        .order_by("order", "name")
    )


def centre_children(*, centre: Centre) -> QuerySet[Centre]:
    return (
        Centre.objects.filter(parent=centre)
        .select_related("jurisdiction")
        .annotate(n_members=Count("members", filter=Q(members__is_active=True)))
        .order_by("name")
    )


@dataclass
class CoverageRow:
    jurisdiction: Jurisdiction
    centre: Centre | None
    has_rules: bool
    has_members: bool


@dataclass
class Coverage:
    """R14: how many child localities have a centre, issued rules and assigned members."""

    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def with_centre(self) -> int:
        return sum(1 for r in self.rows if r.centre is not None)

    @property
    def with_rules(self) -> int:
        return sum(1 for r in self.rows if r.has_rules)

    @property
    def with_members(self) -> int:
        return sum(1 for r in self.rows if r.has_members)

    @property
    def missing_centre(self) -> list[Jurisdiction]:
        return [r.jurisdiction for r in self.rows if r.centre is None]

    @property
    def missing_rules(self) -> list[Jurisdiction]:
        return [r.jurisdiction for r in self.rows if not r.has_rules]

    @property
    def missing_members(self) -> list[Jurisdiction]:
        return [r.jurisdiction for r in self.rows if not r.has_members]

    def as_dict(self) -> dict[str, Any]:
        def names(items: list[Jurisdiction]) -> list[dict[str, Any]]:
            return [{"id": j.pk, "code": j.code, "name": j.name} for j in items]

        return {
            "total": self.total,
            "with_centre": self.with_centre,
            "with_rules": self.with_rules,
            "with_members": self.with_members,
            "missing_centre": names(self.missing_centre),
            "missing_rules": names(self.missing_rules),
            "missing_members": names(self.missing_members),
        }


def child_jurisdictions(*, centre: Centre) -> QuerySet[Jurisdiction]:
    """The localities one level below a centre: its region for a forward post, provinces for the nation."""
    if centre.level == CentreLevel.FORWARD:
        return centre.region.all().order_by("code")
    if centre.jurisdiction_id is None:
        return Jurisdiction.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by("code")
    return Jurisdiction.objects.filter(parent_id=centre.jurisdiction_id).order_by("code")


def centre_coverage(*, centre: Centre) -> Coverage:
    """R14: for each child locality, its live centre, whether it issued rules and has members.

    Three queries whatever the number of localities.
    """
    localities = list(child_jurisdictions(centre=centre))
    centres = (
        Centre.objects.filter(jurisdiction__in=[j.pk for j in localities])
        .exclude(status=CentreStatus.DISSOLVED)
        .annotate(n_members=Count("members", filter=Q(members__is_active=True)))
    )
    by_jurisdiction = {c.jurisdiction_id: c for c in centres}
    rows = []
    for j in localities:
        c = by_jurisdiction.get(j.pk)
        rows.append(
            CoverageRow(
                jurisdiction=j,
                centre=c,
                has_rules=bool(c and c.has_rules),
                has_members=bool(c and c.n_members),
            )
        )
    return Coverage(rows=rows)
