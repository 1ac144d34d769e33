"""The audit log is append-only and browsable by leaders over their subtree."""

import pytest
from django.db import connection
from django.db.utils import DatabaseError, InternalError

from chihuy.audit.models import AuditEntry
from chihuy.audit.models.entry import AppendOnlyError
from chihuy.audit.selectors import audit_entries_for_user
from chihuy.centres import services
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted(world):
    entry = AuditEntry.objects.first()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_update(world):
    from django.db import transaction

    with pytest.raises((DatabaseError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'x'")


def test_leaders_see_their_subtree_only(world):
    services.centre_update(centre=world.sibling, address="Số 1")
    services.centre_update(centre=world.commune, address="Số 2")
    district = audit_entries_for_user(user=world.user("district", Role.COMMANDER))
    commune = audit_entries_for_user(user=world.user("commune", Role.DEPUTY))
    assert {e.centre_id for e in district} >= {world.commune.pk, world.sibling.pk, world.district.pk}
    assert {e.centre_id for e in commune} == {world.commune.pk}
    assert not audit_entries_for_user(user=world.user("commune", Role.MEMBER)).exists()
