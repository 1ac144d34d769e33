"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from chihuy.centres.choices import AgencyKind, CentreLevel, CentreStatus, Role
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.text import search_key
from chihuy.jurisdictions.choices import Kind, Level, Structure
from chihuy.jurisdictions.models import Jurisdiction

TEST_PASSWORD = "Mat-khau-thu-nghiem-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    structure = Structure.LEGACY
    level = Level.COMMUNE
    code = factory.Sequence(lambda n: 90000 + n)
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    kind = Kind.XA
    search_key = factory.LazyAttribute(lambda j: search_key(j.name))

    @factory.lazy_attribute
    def province(self):
        parent = self.parent
        if parent is None:
            return None
        return parent if parent.level == Level.PROVINCE else parent.province

    @factory.lazy_attribute
    def district(self):
        parent = self.parent
        if parent is None:
            return None
        return parent if parent.level == Level.DISTRICT else parent.district

    parent = None


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        skip_postgeneration_save = True

    name = factory.LazyAttribute(
        lambda c: f"Trung tâm chỉ huy {c.jurisdiction.name}" if c.jurisdiction else "SCH"
    )
    short_code = factory.Sequence(lambda n: f"TC{n:03d}")
    level = CentreLevel.COMMUNE
    status = CentreStatus.ACTIVE
    hotline = "0211 3858 858"
    parent = None

    @factory.post_generation
    def _path(obj, create, extracted, **kwargs):
        if create:
            from chihuy.centres.services import centre_rebuild_path

            centre_rebuild_path(centre=obj)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = AgencyKind.OTHER


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
