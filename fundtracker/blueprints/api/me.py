"""GET /api/v1/me: who the token acts as, and what it may do."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from fundtracker.blueprints.api.auth import current_token

blp = Blueprint("api_me", __name__, description="The token's user")


class MeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    organisation_id = fields.Integer(allow_none=True)
    scopes = fields.List(fields.String(), required=True)
    token_expires_at = fields.DateTime(required=True)


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    token = current_token()
    return {
        "id": current_user.id,
        "name": current_user.name,
        "role": str(current_user.role),
        "organisation_id": current_user.organisation_id,
        "scopes": token.scope_list,
        "token_expires_at": token.expires_at,
    }
