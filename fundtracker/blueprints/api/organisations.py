"""Partner organisations: GET /api/v1/organisations and /api/v1/organisations/{id}.

The fund's staff and the board list every organisation (the web list); a grantee sees its own
(`can_view_organisation`). Contact details (personal data) go to the fund's staff only:
everyone else gets the public fields, and `contact` is null."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fundtracker import permissions
from fundtracker.blueprints.api.common import (
    ListArgsSchema,
    ReferenceSchema,
    TimestampsSchema,
    load,
    page_of,
    paginate,
    read_blueprint,
    reference,
    since,
)
from fundtracker.models import Organisation
from fundtracker.permissions import scopes

blp = read_blueprint("api_organisations", __name__, "Partner organisations (grantees)")


class ContactSchema(Schema):
    address = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)


class OrganisationSchema(TimestampsSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    bin = fields.String(
        required=True, metadata={"description": "The Kazakh business identification number."}
    )
    identifier = fields.String(
        required=True, metadata={"description": "The open-data identifier, KZ-BIN-<bin>."}
    )
    region = fields.Nested(ReferenceSchema, required=True)
    contact = fields.Nested(
        ContactSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "Address and contact person: for the fund's staff only (else null)."
        },
    )


def organisation_data(organisation: Organisation, with_contact: bool) -> dict:
    contact = None
    if with_contact:
        contact = {
            "address": organisation.address,
            "name": organisation.contact_name,
            "email": organisation.contact_email,
            "phone": organisation.contact_phone,
        }
    return {
        "id": organisation.id,
        "name": organisation.name,
        "bin": organisation.bin,
        "identifier": organisation.identifier,
        "region": reference(organisation.region),
        "contact": contact,
        "created_at": organisation.created_at,
        "updated_at": organisation.updated_at,
    }


def with_contact(actor) -> bool:
    return permissions.can_manage_organisations(actor)


@blp.route("/organisations")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, OrganisationSchema(many=True))
@paginate(blp)
def organisation_list(args, pagination_parameters):
    """The organisations you may see"""
    query = select(Organisation).where(*scopes.organisations(current_user))
    query = since(query.options(joinedload(Organisation.region)), Organisation, args)
    contact = with_contact(current_user)
    return [organisation_data(o, contact) for o in page_of(query, pagination_parameters)]


@blp.route("/organisations/<int:organisation_id>")
@blp.response(200, OrganisationSchema)
def organisation_detail(organisation_id: int):
    """One organisation"""
    organisation = load(Organisation, organisation_id, permissions.can_view_organisation)
    return organisation_data(organisation, with_contact(current_user))
