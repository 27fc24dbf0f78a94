"""Who may end a sign-in session or remove a passkey by its id: only its owner."""

from types import SimpleNamespace

from fundtracker import permissions
from fundtracker.models import Role
from tests import factories


def test_only_its_owner_ends_a_session_or_removes_a_passkey_by_id(session):
    owner = factories.UserFactory(role=Role.OFFICER)
    admin = factories.UserFactory(role=Role.ADMIN)
    thing = SimpleNamespace(user_id=owner.id)  # a session's or a passkey's row
    assert permissions.can_end_session(owner, thing)
    assert permissions.can_remove_passkey(owner, thing)
    # An admin ends all of a user's sessions from the user's page, never one by id.
    assert not permissions.can_end_session(admin, thing)
    assert not permissions.can_remove_passkey(admin, thing)
