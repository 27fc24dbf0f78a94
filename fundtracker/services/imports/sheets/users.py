"""Users of grantee organisations, matched by email."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from fundtracker import permissions
from fundtracker.models import Organisation, Role, User
from fundtracker.services import users
from fundtracker.services.imports.core import (
    BOOL,
    CHOICE,
    EMAIL,
    LINE,
    MESSAGES,
    UNCHANGED,
    Column,
    Context,
    Row,
    Sheet,
    register,
)
from fundtracker.services.imports.sheets.common import (
    ORGANISATION_BIN,
    first_seen,
    plan,
    present,
)
from fundtracker.services.users import UserData


@register
class Users(Sheet):
    key = "users"
    label = _l("Grantee users")
    order = 20
    columns = (
        Column("email", _l("Email"), EMAIL, required=True, width=28, example="director@example.kz"),
        Column(
            "name",
            _l("Full name"),
            LINE,
            required=True,
            max_length=200,
            width=28,
            example="Айгүл Серікова",
        ),
        ORGANISATION_BIN,
        Column("language", _l("Language"), CHOICE, choices="locales", example="kk"),
        Column("active", _l("Active"), BOOL, example="yes"),
        Column("send_invitation", _l("Send an invitation"), BOOL, example="yes"),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        admin = permissions.can_manage_users(ctx.actor)
        emails = {r.values.get("email") for r in rows} - {None}
        existing = {
            u.email: u
            for u in ctx.session.scalars(
                select(User).options(joinedload(User.organisation)).where(User.email.in_(emails))
            )
        }
        bins = {r.values.get("organisation_bin") for r in rows} - {None}
        organisations = {
            o.bin
            for o in ctx.session.scalars(select(Organisation).where(Organisation.bin.in_(bins)))
        } | set(ctx.planned.get("organisations", {}))
        for row in rows:
            email = row.values.get("email")
            if email is None or not first_seen(ctx, self.key, row, email) or not row.ok:
                continue
            v = row.values
            if v["organisation_bin"] not in organisations:
                ctx.problem(
                    self.key,
                    row.number,
                    "organisation_bin",
                    "unknown_organisation",
                    value=v["organisation_bin"],
                )
                continue
            user = existing.get(email)
            if user is not None and (
                user.role != Role.GRANTEE
                or user.organisation is None
                or user.organisation.bin != v["organisation_bin"]
            ):
                ctx.problem(self.key, row.number, "email", "user_elsewhere", value=email)
                continue
            new = present(row, {k: v.get(k) for k in ("name", "language", "active")})
            if "language" in new and new["language"] is None:
                new.pop("language")
            if user is None:
                new.update(
                    organisation_bin=v["organisation_bin"],
                    send_invitation=v.get("send_invitation", False),
                )
                new.setdefault("active", True)
                if "active" in row.raw and row.raw.get("active") in (None, ""):
                    new["active"] = True
            current = None
            if user is not None:
                current = {"name": user.name, "language": user.locale, "active": user.active}
                if "active" in new and row.raw.get("active") in (None, ""):
                    new.pop("active")  # an empty cell keeps the account as it is
            change = plan(ctx, self.key, row, email, user, new, current)
            if change.action != UNCHANGED and not admin:
                # An officer's own export imported back leaves its users as they are; a new or
                # changed account is an administrator's to import.
                ctx.changes.remove(change)
                ctx.problem(self.key, row.number, "email", "users_admin_only")

    def apply(self, ctx: Context) -> None:
        organisations = {
            o.bin: o
            for o in ctx.session.scalars(
                select(Organisation).where(
                    Organisation.bin.in_(
                        {c.values.get("organisation_bin") for c in ctx.changes_of(self.key)}
                        - {None}
                    )
                )
            )
        }
        for change in ctx.changes_of(self.key):
            if change.action == UNCHANGED:
                continue
            values = change.values
            user = change.target
            if user is None:
                data = UserData(
                    email=change.key,
                    name=values["name"],
                    role=Role.GRANTEE,
                    locale=values.get("language") or DEFAULT_LANGUAGE,
                    organisation_id=organisations[values["organisation_bin"]].id,
                )
                user = users.create_user(ctx.session, ctx.actor, data)
                if not values.get("active", True):
                    users.set_active(ctx.session, ctx.actor, user, False)
                elif values.get("send_invitation"):
                    users.send_invitation(ctx.session, ctx.actor, user)
            else:
                if "name" in values:
                    user.name = values["name"]
                if "language" in values:
                    user.locale = values["language"]
                if "active" in values:
                    users.set_active(ctx.session, ctx.actor, user, values["active"])
            ctx.progress(1)

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        ids = {p.organisation_id for p in projects}
        rows = session.scalars(
            select(User)
            .options(joinedload(User.organisation))
            .where(User.role == Role.GRANTEE, User.organisation_id.in_(ids))
            .order_by(User.email)
        )
        return [
            {
                "email": u.email,
                "name": u.name,
                "organisation_bin": u.organisation.bin,
                "language": u.locale,
                "active": u.active,
                "send_invitation": False,
            }
            for u in rows
        ]


DEFAULT_LANGUAGE = "kk"

MESSAGES.update(
    {
        "users_admin_only": _l("Only an administrator may add or change user accounts."),
        "user_elsewhere": _l(
            "%(value)s is the account of a staff member or of another organisation's person: "
            "an import does not move people."
        ),
    }
)
