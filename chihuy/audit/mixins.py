"""Change logging as a mechanism: every Audited model records its own changes.

A model that inherits ``Audited`` writes an AuditEntry in the same transaction as
each create, update and delete made through ``save()``/``delete()``, with the
changed fields before and after. No view or service has to remember it. Changes
to many-to-many fields are recorded by the service that makes them, through
``audit_record``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any, ClassVar

from django.db import models, transaction

from chihuy.audit.choices import AuditAction


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class Audited(models.Model):
    """Abstract base for domain models whose changes are logged."""

    audit_exclude: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Any:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._audit_before = instance.audit_values()
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: DJ012 (from_db must precede: it seeds the snapshot)
        adding = self._state.adding
        before: dict[str, Any] = {} if adding else getattr(self, "_audit_before", {})
        # No savepoint of its own: the row and its audit entry stand or fall together with the
        # caller's transaction (a savepoint per save costs two round trips on every write).
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            after = self.audit_values()
            if adding:
                changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
            else:
                changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if adding or changes:
                audit_record(
                    instance=self,
                    action=AuditAction.CREATE if adding else AuditAction.UPDATE,
                    changes=changes,
                )
        self._audit_before = after

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        before = self.audit_values()
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            audit_record(
                instance=self,
                action=AuditAction.DELETE,
                changes={k: [v, None] for k, v in before.items() if v not in (None, "")},
            )
            return super().delete(*args, **kwargs)

    def audit_values(self) -> dict[str, Any]:
        values = {}
        deferred = self.get_deferred_fields()  # once: it walks every field itself
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude or field.attname in self.audit_exclude:
                continue
            if field.attname in deferred:
                continue
            values[field.attname] = _jsonable(getattr(self, field.attname))
        return values

    def audit_centre(self) -> Any | None:
        """The centre this record belongs to, for subtree browsing; override."""
        return getattr(self, "centre", None)


def audit_record(*, instance: models.Model, action: str, changes: dict[str, Any]) -> None:
    """Append one entry for ``instance``; the actor comes from the request or ``acting_as``."""
    from django.contrib.contenttypes.models import ContentType

    from chihuy.audit.models import AuditEntry
    from chihuy.core.actor import current_actor

    actor = current_actor()
    centre = instance.audit_centre() if isinstance(instance, Audited) else None
    AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_label=(getattr(actor, "get_username", lambda: "")() if actor else "")[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        centre_id=getattr(centre, "pk", None),
        centre_path=getattr(centre, "path", "") or "",
        changes=_jsonable(changes),
    )
