"""The one permission layer. Every read and write of a domain record goes through it.

Rules (R12, R14, R29):
- A user *acts* on the centres where he holds an active role, within what his role allows.
- He *sees* those centres and everything below them: a district sees its communes,
  a province its districts and communes, a forward command post the centres of its
  region. A commune never sees a sibling commune, and nobody sees upwards.
- A record that exists but is not visible is answered with 404, so a guessed URL
  reveals nothing; a visible record whose action the role does not allow is 403.

Domain querysets filter with ``.visible_to(user)``; views and the API fetch single
records with ``access_centre`` / ``access_scoped``.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from chihuy.centres.choices import CentreStatus, Role


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    MANAGE_MEMBERS = "manage_members"
    CREATE_CHILD = "create_child"
    CHANGE_STATUS = "change_status"
    APPROVE = "approve"
    VIEW_AUDIT = "view_audit"
    SECURITY = "security"


_STAFF = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING})
_LEADERS = frozenset({Role.COMMANDER, Role.DEPUTY})
ACTION_ROLES: dict[Action, frozenset[str]] = {
    Action.EDIT: _STAFF,
    Action.MANAGE_MEMBERS: _STAFF,
    Action.CREATE_CHILD: _STAFF,
    Action.CHANGE_STATUS: _LEADERS,
    Action.APPROVE: _LEADERS,
    Action.VIEW_AUDIT: _LEADERS,
    Action.SECURITY: frozenset({Role.COMMANDER}),
}
# What a dissolved centre still allows: reading its history.
_READ_ONLY_ACTIONS = frozenset({Action.VIEW, Action.VIEW_AUDIT})


def memberships(user: Any) -> list[Any]:
    """The user's active roles, with their centres; cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_chihuy_memberships", None)
    if cached is None:
        from chihuy.centres.models import Member

        cached = list(
            Member.objects.filter(user=user, is_active=True)
            .select_related("centre", "centre__jurisdiction", "agency")
            .order_by("centre__path", "role")
        )
        user._chihuy_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    if hasattr(user, "_chihuy_memberships"):
        del user._chihuy_memberships


def _root_paths(user: Any) -> list[str]:
    paths = sorted({m.centre.path for m in memberships(user)})
    # Drop paths already covered by a shorter one.
    return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


def _forward_region_ids(user: Any) -> list[int]:
    from chihuy.centres.choices import CentreLevel

    posts = [m.centre_id for m in memberships(user) if m.centre.level == CentreLevel.FORWARD]
    if not posts:
        return []
    from chihuy.centres.models import Centre

    return list(
        Centre.region.through.objects.filter(centre_id__in=posts).values_list("jurisdiction_id", flat=True)
    )


def visible_centres_q(user: Any) -> Q:
    """A Q on Centre that selects what ``user`` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    cond = Q(pk__in=[])
    for path in _root_paths(user):
        cond |= Q(path__startswith=path)
    region = _forward_region_ids(user)
    if region:
        cond |= (
            Q(jurisdiction_id__in=region)
            | Q(jurisdiction__province_id__in=region)
            | Q(jurisdiction__district_id__in=region)
        )
    return cond


def visible_centres(user: Any) -> models.QuerySet[Any]:
    from chihuy.centres.models import Centre

    return Centre.objects.filter(visible_centres_q(user))


def roles_at(user: Any, centre: Any) -> set[str]:
    return {m.role for m in memberships(user) if m.centre_id == centre.pk}


def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def has_role_at(user: Any, centre: Any, roles: Collection[str]) -> bool:
    """An active user holding one of ``roles`` at ``centre``, which is not dissolved.

    The rule every app's "may this role act here" check starts from (a superuser holds
    every role); the apps add their own exceptions (the chair, the assigned handler).
    """
    if not is_active_user(user) or centre.status == CentreStatus.DISSOLVED:
        return False
    return bool(user.is_superuser or roles_at(user, centre) & set(roles))


def can(user: Any, centre: Any, action: Action) -> bool:
    """Whether ``user`` may do ``action`` on ``centre`` (which he can already see)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if centre.status == CentreStatus.DISSOLVED and action not in _READ_ONLY_ACTIONS:
        return user.is_superuser and action == Action.CHANGE_STATUS
    if user.is_superuser:
        return True
    if action == Action.VIEW:
        return visible_centres(user).filter(pk=centre.pk).exists()
    return bool(roles_at(user, centre) & ACTION_ROLES[action])


def centres_where(user: Any, action: Action) -> models.QuerySet[Any]:
    """Centres where the user's own role allows ``action`` (not their descendants)."""
    from chihuy.centres.models import Centre

    if user.is_superuser:
        return Centre.objects.all()
    if action == Action.VIEW:
        return visible_centres(user)
    ids = [m.centre_id for m in memberships(user) if m.role in ACTION_ROLES[action]]
    return Centre.objects.filter(pk__in=ids)


def access_centre(user: Any, pk: Any, action: Action = Action.VIEW) -> Any:
    """Fetch one centre for ``action``: 404 when not visible, 403 when the role does not allow it."""
    from chihuy.centres.models import Centre

    # A centre the user is a member of is visible by definition, and memberships() has
    # already loaded it: the hot path of a duty officer working at their own desk (and of
    # an integration logging calls) costs no query here.
    own = None
    if getattr(user, "is_active", False):
        own = next((m.centre for m in memberships(user) if str(m.centre_id) == str(pk)), None)
    if own is not None:
        centre = own
    else:
        try:
            centre = visible_centres(user).select_related("jurisdiction", "parent").get(pk=pk)
        except (Centre.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("Không tìm thấy trung tâm.") from exc
    if action != Action.VIEW and not can(user, centre, action):
        raise PermissionDenied("Vai trò của bạn không được phép thực hiện thao tác này.")
    return centre


M = TypeVar("M", bound=models.Model)


class CentreScopedQuerySet(models.QuerySet[M]):
    """For models that belong to a centre: ``.visible_to(user)`` keeps what the user may see."""

    centre_lookup = "centre"

    def visible_to(self, user: Any) -> CentreScopedQuerySet[M]:
        if getattr(user, "is_superuser", False) and user.is_active:
            return self
        return self.filter(**{f"{self.centre_lookup}__in": visible_centres(user).values("pk")})


def access_scoped[T: models.Model](
    user: Any, queryset: models.QuerySet[T], pk: Any, action: Action = Action.VIEW
) -> T:
    """Fetch one centre-owned record for ``action``; same 404/403 rule as ``access_centre``."""
    lookup = getattr(queryset, "centre_lookup", "centre")
    try:
        obj = queryset.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    centre = obj
    for part in lookup.split("__"):
        centre = getattr(centre, part)
    if action != Action.VIEW and not can(user, centre, action):
        raise PermissionDenied("Vai trò của bạn không được phép thực hiện thao tác này.")
    return obj
