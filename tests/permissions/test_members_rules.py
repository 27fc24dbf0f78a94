"""Who sees and manages an organisation's people."""

from fundtracker import permissions
from fundtracker.models import Role
from tests import factories


def test_members_see_their_organisation_and_only_managers_manage_it():
    organisation, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    manager = factories.UserFactory(role=Role.GRANTEE, organisation=organisation, org_manager=True)
    member = factories.UserFactory(role=Role.GRANTEE, organisation=organisation)
    stranger = factories.UserFactory(role=Role.GRANTEE, organisation=other, org_manager=True)
    gone = factories.UserFactory(role=Role.GRANTEE, organisation=organisation, active=False)
    admin = factories.UserFactory(role=Role.ADMIN)

    assert permissions.can_view_members(member, organisation)
    assert not permissions.can_view_members(member, other)
    assert not permissions.can_view_members(admin, organisation)  # the admin's user pages
    assert permissions.can_manage_members(manager, organisation)
    assert not permissions.can_manage_members(member, organisation)
    assert not permissions.can_manage_members(stranger, organisation)

    assert permissions.can_manage_member(manager, member)
    assert not permissions.can_manage_member(member, manager)
    assert not permissions.can_manage_member(manager, stranger)
    assert not permissions.can_manage_member(manager, gone)  # removed: the same 404
    assert not permissions.can_manage_member(manager, admin)
    assert permissions.is_colleague(member, manager) and not permissions.is_colleague(admin, member)
