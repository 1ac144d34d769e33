"""The permission layer: who sees which centre (R12, R14, R29)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from chihuy.centres.access import Action, access_centre, can, visible_centres
from chihuy.centres.choices import CentreLevel, Role
from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory, MemberFactory, UserFactory
from chihuy.jurisdictions.choices import Kind, Level

pytestmark = pytest.mark.django_db


def names(user):
    return set(visible_centres(user).values_list("short_code", flat=True))


def test_commune_sees_itself_only(world):
    assert names(world.user("commune", Role.DUTY_OFFICER)) == {"TS"}


def test_district_sees_its_communes_not_its_parent(world):
    assert names(world.user("district", Role.MEMBER)) == {"VY", "TS", "LB"}


def test_province_sees_whole_province(world):
    assert names(world.user("province", Role.COMMANDER)) == {"VP", "VY", "TS", "LB"}


def test_anonymous_and_roleless_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert names(AnonymousUser()) == set()
    assert names(UserFactory()) == set()


def test_inactive_role_gives_no_access(world):
    user = world.user("commune", Role.COMMANDER)
    user.memberships.update(is_active=False)
    user.refresh_from_db()
    assert names(user) == set()


def test_person_with_roles_in_two_centres_sees_both(world):
    user = world.user("commune", Role.MEMBER)
    MemberFactory(centre=world.sibling, user=user, role=Role.DUTY_OFFICER)
    user.refresh_from_db()
    assert names(user) == {"TS", "LB"}


def test_superuser_sees_everything(world):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert names(admin) == {"VP", "VY", "TS", "LB"}


def test_forward_post_sees_centres_of_its_region_only(world):
    province_j = world.province.jurisdiction
    other_district = JurisdictionFactory(
        level=Level.DISTRICT, kind=Kind.HUYEN, name="Huyện Tam Đảo", code=250, parent=province_j
    )
    other_commune = JurisdictionFactory(
        level=Level.COMMUNE, kind=Kind.XA, name="Xã Hợp Châu", parent=other_district
    )
    outside = CentreFactory(
        short_code="HC", level=CentreLevel.COMMUNE, jurisdiction=other_commune, parent=world.province
    )
    post = CentreFactory(
        short_code="TP1", level=CentreLevel.FORWARD, jurisdiction=None, parent=world.province
    )
    post.region.set([world.district.jurisdiction])
    boss = UserFactory(username="forward_boss")
    MemberFactory(centre=post, user=boss, role=Role.COMMANDER)
    visible = names(boss)
    assert {"TP1", "VY", "TS", "LB"} <= visible
    assert outside.short_code not in visible
    assert "VP" not in visible


def test_access_centre_404_for_invisible_and_403_for_forbidden_action(world):
    officer = world.user("commune", Role.DUTY_OFFICER)
    with pytest.raises(Http404):
        access_centre(officer, world.sibling.pk)
    with pytest.raises(Http404):
        access_centre(officer, "not-a-number")
    with pytest.raises(PermissionDenied):
        access_centre(officer, world.commune.pk, Action.EDIT)
    assert access_centre(officer, world.commune.pk) == world.commune


def test_access_to_ones_own_centre_reuses_the_memberships(world, django_assert_num_queries):
    officer = world.user("commune", Role.DUTY_OFFICER)
    with django_assert_num_queries(1):  # the memberships, which every request loads anyway
        centre = access_centre(officer, world.commune.pk)
        assert centre == world.commune and centre.jurisdiction_id == world.commune.jurisdiction_id
        assert access_centre(officer, str(world.commune.pk)) == world.commune
    with django_assert_num_queries(2):  # a centre below one's own is looked up
        assert access_centre(world.user("district", Role.COMMANDER), world.commune.pk) == world.commune


def test_a_deactivated_member_reaches_not_even_their_own_centre(world):
    officer = world.user("commune", Role.DUTY_OFFICER)
    officer.is_active = False
    with pytest.raises(Http404):
        access_centre(officer, world.commune.pk)


def test_parent_leaders_see_but_do_not_act_on_children(world):
    commander = world.user("district", Role.COMMANDER)
    assert can(commander, world.commune, Action.VIEW)
    assert not can(commander, world.commune, Action.EDIT)
    assert can(commander, world.district, Action.APPROVE)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            Role.COMMANDER,
            {"edit", "manage_members", "create_child", "change_status", "approve", "view_audit", "security"},
        ),
        (Role.DEPUTY, {"edit", "manage_members", "create_child", "change_status", "approve", "view_audit"}),
        (Role.STANDING, {"edit", "manage_members", "create_child"}),
        (Role.MEMBER, set()),
        (Role.DUTY_OFFICER, set()),
    ],
)
def test_actions_gated_by_role(world, role, allowed):
    user = world.user("commune", role)
    got = {a.value for a in Action if a != Action.VIEW and can(user, world.commune, a)}
    assert got == allowed


def test_dissolved_centre_is_read_only(world):
    from chihuy.centres.choices import CentreStatus

    world.sibling.status = CentreStatus.DISSOLVED
    world.sibling.save()
    commander = world.user("sibling", Role.COMMANDER)
    assert can(commander, world.sibling, Action.VIEW)
    assert not can(commander, world.sibling, Action.EDIT)
