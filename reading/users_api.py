"""JSON API of user management (admins only, as the roles table says): users, roles, active or
not, passwords and the libraries each reader sees."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from core.api.envelope import Envelope, ok
from core.api.types import Flag, Id
from core.permissions import Role
from reading import users

router = Router(tags=["users"])
RoleName = Literal["admin", "reader"]


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValueError("not a valid e-mail address") from exc
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class LibrariesIO(Schema):
    all_libraries: Flag = True
    folder_ids: list[Id] = Field(
        default_factory=list, max_length=1000, description="Scan folders a reader sees when all_libraries is false"
    )


class UserOut(Schema):
    id: int
    username: str
    email: str
    role: RoleName
    is_active: bool
    libraries: LibrariesIO
    date_joined: datetime
    last_login: datetime | None


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(..., min_length=1, max_length=200)
    email: Email = ""
    role: RoleName = "reader"
    libraries: LibrariesIO = Field(default_factory=LibrariesIO)


class UserPatch(Schema):
    email: Email | None = None
    role: RoleName | None = None
    is_active: Flag | None = None


class PasswordIn(Schema):
    password: str = Field(..., min_length=1, max_length=200)


def user_out(user) -> dict:
    libraries = users.libraries_of(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "role": users.role_flag(user).value,
        "is_active": user.is_active,
        "libraries": {"all_libraries": libraries.all_libraries, "folder_ids": list(libraries.folder_ids)},
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _libraries(value: LibrariesIO) -> users.Libraries:
    return users.Libraries(value.all_libraries, tuple(value.folder_ids))


@router.get("/", response=Envelope[list[UserOut]], summary="Users (admin)")
def list_users(request):
    return ok([user_out(user) for user in users.all_users()])


@router.post("/", response={201: Envelope[UserOut]}, summary="Create a user (admin)")
def create_user(request, payload: UserIn):
    user = users.create_user(
        username=payload.username,
        password=payload.password,
        email=payload.email,
        role=Role(payload.role),
        libraries=_libraries(payload.libraries),
    )
    return Status(201, ok(user_out(user)))


@router.get("/{int:user_id}", response=Envelope[UserOut], summary="One user (admin)")
def get_user(request, user_id: Id):
    return ok(user_out(users.get_user(user_id)))


@router.patch(
    "/{int:user_id}",
    response=Envelope[UserOut],
    summary="Change e-mail, role or active (admin; never the last active admin, never yourself out)",
)
def patch_user(request, user_id: Id, payload: UserPatch):
    user = users.update_user(
        request.auth,
        users.get_user(user_id),
        email=payload.email,
        role=Role(payload.role) if payload.role else None,
        is_active=payload.is_active,
    )
    return ok(user_out(user))


@router.post("/{int:user_id}/password", response=Envelope[None], summary="Set a new password (admin)")
def reset_password(request, user_id: Id, payload: PasswordIn):
    users.reset_password(users.get_user(user_id), payload.password)
    return ok(None)


@router.put(
    "/{int:user_id}/libraries",
    response=Envelope[UserOut],
    summary="Which libraries (scan folders) the user sees (admin)",
)
def put_libraries(request, user_id: Id, payload: LibrariesIO):
    user = users.get_user(user_id)
    users.set_libraries(user, _libraries(payload))
    return ok(user_out(user))
