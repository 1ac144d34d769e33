"""Centre, agency and member services: the rules live here (R9, R12, R25, R28, R29)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chihuy.audit.models import AuditEntry
from chihuy.centres import services
from chihuy.centres.choices import AgencyKind, CentreLevel, CentreStatus, Role, Sector
from chihuy.centres.models import Centre
from chihuy.core.actor import acting_as
from chihuy.core.testing.factories import JurisdictionFactory, UserFactory
from chihuy.jurisdictions.choices import Kind, Level

pytestmark = pytest.mark.django_db


def test_create_child_centre_sets_path_and_proposed_status(world):
    ward = JurisdictionFactory(
        level=Level.COMMUNE, kind=Kind.PHUONG, name="Phường Hội Hợp", parent=world.district.jurisdiction
    )
    child = services.centre_create(
        name="TTCH phường Hội Hợp",
        short_code="HH",
        level=CentreLevel.COMMUNE,
        parent=world.district,
        jurisdiction=ward,
    )
    assert child.status == CentreStatus.PROPOSED
    assert child.path == f"{world.district.path}{child.pk}/"
    assert child.proposed_on is not None


def test_commune_centre_must_sit_on_a_commune_inside_the_parent(world):
    with pytest.raises(ValidationError) as exc:
        services.centre_create(
            name="X",
            short_code="XX",
            level=CentreLevel.COMMUNE,
            parent=world.district,
            jurisdiction=world.province.jurisdiction,
        )
    assert "jurisdiction" in exc.value.message_dict
    elsewhere = JurisdictionFactory(level=Level.COMMUNE, name="Xã Ngoài Tỉnh")
    with pytest.raises(ValidationError) as exc:
        services.centre_create(
            name="X",
            short_code="XX",
            level=CentreLevel.COMMUNE,
            parent=world.district,
            jurisdiction=elsewhere,
        )
    assert "jurisdiction" in exc.value.message_dict
    assert not Centre.objects.filter(short_code="XX").exists()


def test_one_live_centre_per_locality(world):
    with pytest.raises(ValidationError) as exc:
        services.centre_create(
            name="Trùng",
            short_code="TR",
            level=CentreLevel.COMMUNE,
            parent=world.district,
            jurisdiction=world.commune.jurisdiction,
        )
    assert "jurisdiction" in exc.value.message_dict


def test_bad_short_code_and_phone_are_field_errors(world):
    ward = JurisdictionFactory(level=Level.COMMUNE, parent=world.district.jurisdiction)
    with pytest.raises(ValidationError) as exc:
        services.centre_create(
            name="X",
            short_code="a b",
            level=CentreLevel.COMMUNE,
            parent=world.district,
            jurisdiction=ward,
            hotline="abc",
        )
    assert {"short_code", "hotline"} <= set(exc.value.message_dict)


def test_forward_post_needs_a_region_inside_its_province(world):
    with pytest.raises(ValidationError) as exc:
        services.centre_create(
            name="Tiền phương", short_code="TP", level=CentreLevel.FORWARD, parent=world.province, region=[]
        )
    assert "region" in exc.value.message_dict
    foreign = JurisdictionFactory(level=Level.DISTRICT, kind=Kind.HUYEN, name="Huyện Xa")
    with pytest.raises(ValidationError):
        services.centre_create(
            name="Tiền phương",
            short_code="TP",
            level=CentreLevel.FORWARD,
            parent=world.province,
            region=[foreign],
        )
    post = services.centre_create(
        name="Tiền phương",
        short_code="TP",
        level=CentreLevel.FORWARD,
        parent=world.province,
        region=[world.district.jurisdiction],
    )
    assert list(post.region.all()) == [world.district.jurisdiction]
    with pytest.raises(ValidationError):
        services.centre_create(
            name="Sai cấp",
            short_code="SC",
            level=CentreLevel.FORWARD,
            parent=world.district,
            region=[world.commune.jurisdiction],
        )


def test_status_moves_forward_only_and_needs_a_decision(world):
    ward = JurisdictionFactory(level=Level.COMMUNE, parent=world.district.jurisdiction)
    c = services.centre_create(
        name="Mới", short_code="MO", level=CentreLevel.COMMUNE, parent=world.district, jurisdiction=ward
    )
    with pytest.raises(ValidationError):
        services.centre_set_status(centre=c, status=CentreStatus.ESTABLISHED)
    services.centre_update(centre=c, decision_number="12/QĐ-UBND", decision_date=dt.date(2021, 8, 20))
    services.centre_set_status(centre=c, status=CentreStatus.ACTIVE, on=dt.date(2021, 8, 21))
    c.refresh_from_db()
    assert c.status == CentreStatus.ACTIVE
    assert c.established_on == c.activated_on == dt.date(2021, 8, 21)
    with pytest.raises(ValidationError):
        services.centre_set_status(centre=c, status=CentreStatus.ESTABLISHED)
    with pytest.raises(ValidationError):
        services.centre_set_status(
            centre=c, status=CentreStatus.DISSOLVED, on=dt.date.today() + dt.timedelta(days=3)
        )
    services.centre_set_status(centre=c, status=CentreStatus.DISSOLVED)
    assert c.status == CentreStatus.DISSOLVED


def test_centre_with_live_children_cannot_dissolve(world):
    with pytest.raises(ValidationError) as exc:
        services.centre_set_status(centre=world.district, status=CentreStatus.DISSOLVED)
    assert "status" in exc.value.message_dict


def test_one_commander_per_centre_and_sectors_only_for_deputies(world):
    with pytest.raises(ValidationError) as exc:
        services.member_create(centre=world.commune, user=UserFactory(), role=Role.COMMANDER)
    assert "role" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            centre=world.commune, user=UserFactory(), role=Role.MEMBER, sectors=[Sector.TESTING]
        )
    assert "sectors" in exc.value.message_dict
    deputy = services.member_create(
        centre=world.commune, user=UserFactory(), role=Role.DEPUTY, sectors=[Sector.TESTING, Sector.ISOLATION]
    )
    assert sorted(deputy.sector_codes) == ["cach_ly", "xet_nghiem"]


def test_agency_must_belong_to_the_same_centre(world):
    foreign = services.agency_create(centre=world.sibling, name="Công an phường", kind=AgencyKind.POLICE)
    with pytest.raises(ValidationError) as exc:
        services.member_create(centre=world.commune, user=UserFactory(), role=Role.MEMBER, agency=foreign)
    assert "agency" in exc.value.message_dict


def test_same_person_can_hold_roles_in_several_centres(world):
    person = world.user("district", Role.MEMBER)
    services.member_create(centre=world.commune, user=person, role=Role.DEPUTY)
    with pytest.raises(ValidationError):
        services.member_create(centre=world.commune, user=person, role=Role.DEPUTY)


def test_deactivating_fallback_member_clears_the_hotline_fallback(world):
    member = world.commune.members.get(role=Role.DUTY_OFFICER)
    services.centre_update(
        centre=world.commune, hotline_fallback="0915.186.568", hotline_fallback_member=member
    )
    services.member_deactivate(member=member)
    world.commune.refresh_from_db()
    assert world.commune.hotline_fallback_member is None


def test_fallback_member_must_belong_to_the_centre(world):
    stranger = world.sibling.members.get(role=Role.DUTY_OFFICER)
    with pytest.raises(ValidationError) as exc:
        services.centre_update(centre=world.commune, hotline_fallback_member=stranger)
    assert "hotline_fallback_member" in exc.value.message_dict


def test_agency_with_members_cannot_be_deleted(world):
    agency = services.agency_create(centre=world.commune, name="Trạm Y tế", kind=AgencyKind.HEALTH)
    services.member_create(centre=world.commune, user=UserFactory(), role=Role.MEMBER, agency=agency)
    with pytest.raises(ValidationError):
        services.agency_delete(agency=agency)


def test_changes_are_audited_with_actor_and_before_after(world):
    actor = world.user("commune", Role.COMMANDER)
    with acting_as(actor):
        services.centre_update(centre=world.commune, hotline="0211.3999.999")
        member = services.member_create(
            centre=world.commune, user=UserFactory(), role=Role.DEPUTY, sectors=[Sector.FOOD]
        )
        services.member_update(member=member, sectors=[Sector.FOOD, Sector.SECURITY])
    entry = AuditEntry.objects.filter(object_id=str(world.commune.pk), action="update").first()
    assert entry.actor == actor
    assert entry.changes["hotline"] == ["0211 3858 858", "0211.3999.999"]
    assert entry.centre_id == world.commune.pk and entry.centre_path == world.commune.path
    sector_entries = [
        e.changes["sectors"]
        for e in AuditEntry.objects.filter(object_id=str(member.pk))
        if "sectors" in e.changes
    ]
    assert [[], ["luong_thuc"]] in sector_entries
    assert [["luong_thuc"], ["an_ninh", "luong_thuc"]] in sector_entries


def test_unchanged_save_writes_no_entry(world):
    before = AuditEntry.objects.count()
    services.centre_update(centre=world.commune, hotline=world.commune.hotline)
    assert AuditEntry.objects.count() == before
