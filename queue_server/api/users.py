"""Users: create (admin), list and edit (admin; a manager their office's operators), passwords."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from queue_server.api.deps import (
    AdminDep,
    ClockDep,
    IdPath,
    ManagerDep,
    PasswordsDep,
    PrincipalsDep,
    ReadingDep,
    UnitOfWorkDep,
    UnitOfWorkLaterDep,
)
from queue_server.api.schemas import MAX_ID, PasswordIn, UserIn, UserOut, UserPatch
from queue_server.services import catalogue, passwords, users
from queue_server.services.access import Role

router = APIRouter(tags=["administration"])


@router.post("/users", status_code=201, response_model=UserOut)
async def create_user(
    body: UserIn,
    admin: AdminDep,
    hasher: PasswordsDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> UserOut:
    """Add a user; an operator without skills serves every topic of the office."""
    spec = catalogue.UserSpec(
        login=body.login,
        password=body.password,
        role=Role(body.role),
        office_id=body.office_id,
        skills=[(s.topic_id, s.priority) for s in body.skills],
        display_name=body.display_name,
    )
    user = await catalogue.create_user(uow, hasher, spec, clock.now(), actor=admin)
    return UserOut(**users.user_json(user, dict(spec.skills)))


@router.get("/users", response_model=list[UserOut])
async def list_users(
    actor: ManagerDep,
    session: ReadingDep,
    office_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="default: all (a manager: their office)")
    ] = None,
) -> list[UserOut]:
    """Users with their skills, retired ones too; a manager sees only their office's."""
    return [UserOut(**view) for view in await users.list_users(session, actor, office_id)]


@router.patch("/users/{user_id}", response_model=UserOut)
async def edit_user(
    user_id: IdPath,
    body: UserPatch,
    actor: ManagerDep,
    principals: PrincipalsDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> UserOut:
    """Change role, office, display name, skills or active (admin; a manager: display name,
    skills and active of their office's operators). Deactivating ends every session of the user."""
    changes = body.changes()
    user = await users.edit_user(uow, principals, actor, user_id, changes, clock.now())
    return UserOut(**await users.user_view(uow.session, user))


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    user_id: IdPath,
    body: PasswordIn,
    admin: AdminDep,
    hasher: PasswordsDep,
    principals: PrincipalsDep,
    clock: ClockDep,
    uow: UnitOfWorkLaterDep,
) -> Response:
    """Give the user a new password; every session of theirs ends."""
    await passwords.reset_password(
        uow, hasher, principals, admin, user_id, body.password, clock.now()
    )
    return Response(status_code=204)
