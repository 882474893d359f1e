"""User management for admins: create users, roles (admin or reader, as core.permissions.role_of
reads them: staff/superuser = admin), activate/deactivate, reset passwords, and which libraries
(scan folders) a reader sees. Nobody can remove the last active admin or lock themselves out."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.errors import Conflict, InvalidInput, NotFound
from core.permissions import Role, role_of
from reading.models import LibraryAccess
from scanning.models import ScanFolder

ROLES = (Role.ADMIN, Role.READER)


@dataclass(frozen=True)
class Libraries:
    all_libraries: bool
    folder_ids: tuple[int, ...] = ()


def all_users():
    return get_user_model().objects.order_by("username").prefetch_related("library_access__libraries")


def get_user(user_id: int):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def libraries_of(user) -> Libraries:
    access = LibraryAccess.objects.filter(user=user).prefetch_related("libraries").first()
    if access is None or access.all_libraries:
        return Libraries(True)
    return Libraries(False, tuple(sorted(folder.pk for folder in access.libraries.all())))


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("The password is too weak: " + " ".join(exc.messages), details=exc.messages) from exc


def role_flag(user) -> Role:
    """The role a user has when active (role_of says anonymous for an inactive user)."""
    return Role.ADMIN if (user.is_staff or user.is_superuser) else Role.READER


def _apply_role(user, role: Role) -> None:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}.", hint="admin or reader")
    user.is_staff = user.is_superuser = role == Role.ADMIN


def create_user(
    *, username: str, password: str, email: str = "", role: Role = Role.READER, libraries: Libraries = Libraries(True)
):
    model = get_user_model()
    username = username.strip()
    if not username:
        raise InvalidInput("A user needs a username.")
    if model.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username {username!r} is taken.")
    user = model(username=username, email=email.strip())
    _apply_role(user, role)
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        set_libraries(user, libraries)
    return user


def _active_admins():
    return get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True)


def _guard_admins(actor, user, *, role: Role, active: bool) -> None:
    """Refuse a change that takes away the actor's own access or leaves no active admin."""
    stays_admin = role == Role.ADMIN and active
    if stays_admin or role_of(user) != Role.ADMIN:  # role_of: an inactive admin is no admin now
        return
    if user.pk == actor.pk:
        raise Conflict(
            "You cannot remove your own admin role or deactivate yourself.", hint="Ask another admin to do it."
        )
    if not _active_admins().exclude(pk=user.pk).exists():
        raise Conflict("This is the last active admin.", hint="Make another user an admin first.")


def update_user(actor, user, *, email: str | None = None, role: Role | None = None, is_active: bool | None = None):
    new_role = role if role is not None else role_flag(user)
    new_active = is_active if is_active is not None else user.is_active
    with transaction.atomic():
        _guard_admins(actor, user, role=new_role, active=new_active)
        if email is not None:
            user.email = email.strip()
        _apply_role(user, new_role)
        user.is_active = new_active
        user.save()
    return user


def reset_password(user, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def set_libraries(user, libraries: Libraries) -> None:
    """All libraries, or only the chosen scan folders (ids that do not exist are refused)."""
    folders = list(ScanFolder.objects.filter(pk__in=libraries.folder_ids))
    unknown = set(libraries.folder_ids) - {folder.pk for folder in folders}
    if unknown:
        raise NotFound(f"No such library: {', '.join(map(str, sorted(unknown)))}.")
    with transaction.atomic():
        access, _ = LibraryAccess.objects.get_or_create(user=user)
        access.all_libraries = libraries.all_libraries
        access.save(update_fields=["all_libraries"])
        access.libraries.set([] if libraries.all_libraries else folders)
