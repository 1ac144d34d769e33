"""Roster test data: a centre staffed as R1 describes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory
from django.utils import timezone

from chihuy.centres.choices import AgencyKind, Role
from chihuy.core.testing.factories import AgencyFactory, MemberFactory, UserFactory
from chihuy.roster.models import Unavailability


@dataclass
class Staffed:
    centre: Any
    health: Any
    police: Any
    office: Any
    commander: Any
    deputy: Any
    officers: dict[str, list[Any]] = field(default_factory=dict)
    standing: Any = None


def staff_centre(centre: Any, *, per_agency: int = 4, prefix: str = "") -> Staffed:
    """Health, Police and Office agencies with ``per_agency`` duty officers each, a commander,
    a deputy and a standing-unit member (reusing the world's leaders when present)."""
    p = prefix or centre.short_code.lower()
    health = AgencyFactory(
        centre=centre, name="Trung tâm Y tế", short_name="YT", kind=AgencyKind.HEALTH, order=1
    )
    police = AgencyFactory(centre=centre, name="Công an", short_name="CA", kind=AgencyKind.POLICE, order=2)
    office = AgencyFactory(centre=centre, name="Văn phòng", short_name="VP", kind=AgencyKind.OFFICE, order=3)
    from chihuy.centres.models import Member

    commander = Member.objects.filter(
        centre=centre, role=Role.COMMANDER, is_active=True
    ).first() or MemberFactory(centre=centre, role=Role.COMMANDER, user=UserFactory(username=f"{p}_cht"))
    deputy = Member.objects.filter(centre=centre, role=Role.DEPUTY, is_active=True).first() or MemberFactory(
        centre=centre, role=Role.DEPUTY, user=UserFactory(username=f"{p}_pho")
    )
    standing = MemberFactory(
        centre=centre, role=Role.STANDING, agency=office, user=UserFactory(username=f"{p}_thuongtruc")
    )
    s = Staffed(centre, health, police, office, commander, deputy, standing=standing)
    for key, agency in (("health", health), ("police", police), ("office", office)):
        s.officers[key] = [
            MemberFactory(
                centre=centre,
                role=Role.DUTY_OFFICER,
                agency=agency,
                user=UserFactory(username=f"{p}_{key}{i}", full_name=f"Cán bộ {key} {i}"),
            )
            for i in range(per_agency)
        ]
    return s


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    """Two days of leave from tomorrow."""

    class Meta:
        model = Unavailability

    member = factory.SubFactory(MemberFactory)
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(days=2))
    reason = "Nghỉ phép năm"
