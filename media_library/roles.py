"""Who holds which role: the one place every app asks.

A role is membership of a Django group (`Role.TEACHER.group_name` is "Teachers"); superusers
hold every role. It lives in media_library, the lowest app, so that quiz and lessons can use it
without importing upward. Campaign organizers run the campaigns app's campaigns, which checks
`Role.ORGANIZER` here like every other app (the demo pack makes an organizer account).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

View = Callable[..., HttpResponse]


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    CURATOR = "curator", _("Curator")
    ORGANIZER = "organizer", _("Campaign organizer")

    @property
    def group_name(self) -> str:
        return _GROUP_NAMES[self]

    def holders(self) -> Q:
        """A filter on users for the active accounts that hold this role."""
        return Q(is_active=True) & (Q(groups__name=self.group_name) | Q(is_superuser=True))


# The group names are data in existing databases: renaming one would silently strip a role.
_GROUP_NAMES = {
    Role.STUDENT: "Students",
    Role.TEACHER: "Teachers",
    Role.CURATOR: "Curators",
    Role.ORGANIZER: "Organizers",
}
_ROLE_OF_GROUP = {name: role for role, name in _GROUP_NAMES.items()}


def roles_of(user) -> frozenset[Role]:
    """The roles an active account holds (none for visitors). Cached on the user object: the
    view asks, and then every template's navigation asks again, for one query per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_telltale_roles"):
        if user.is_superuser:
            user._telltale_roles = frozenset(Role)
        else:
            names = user.groups.filter(name__in=_ROLE_OF_GROUP).values_list("name", flat=True)
            user._telltale_roles = frozenset(_ROLE_OF_GROUP[name] for name in names)
    return user._telltale_roles


def has_role(user, *roles: Role, staff: bool = False) -> bool:
    """Whether the user holds any of `roles` (or, when `staff`, is an active staff user)."""
    if staff and user is not None and user.is_active and getattr(user, "is_staff", False):
        return True
    return not roles_of(user).isdisjoint(roles)


def has_role_beyond_student(user) -> bool:
    """Staff, superusers and anyone with a role other than student: accounts a teacher must never
    take over (password resets) nor delete (data rights), whatever class they sit in."""
    if user.is_staff or user.is_superuser:
        return True
    return bool(roles_of(user) - {Role.STUDENT})


def grant(user, role: Role) -> None:
    group, _created = Group.objects.get_or_create(name=role.group_name)
    user.groups.add(group)
    user.__dict__.pop("_telltale_roles", None)


def role_required(*roles: Role, staff: bool = False) -> Callable[[View], View]:
    """A view for holders of any of `roles` (and staff users when `staff`). Visitors go to the
    log-in page; signed-in users without the role get 403, never data."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, *roles, staff=staff):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def roles_context(request: HttpRequest) -> dict:
    """What the navigation shows: one flag per area a role opens."""
    user = getattr(request, "user", None)
    return {
        "is_curator": has_role(user, Role.CURATOR),
        "is_quiz_builder": has_role(user, Role.CURATOR, Role.TEACHER),
        "is_teacher": has_role(user, Role.TEACHER),
        "is_organizer": has_role(user, Role.ORGANIZER),
    }
