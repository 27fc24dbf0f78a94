"""Who may do what: plain rules that return bool.

Routes check a role rule before acting and an object rule for every object they load. An object
rule that fails is answered with 404, so that nobody learns that another organisation's object
exists; a role rule that fails is answered with 403.
"""

from __future__ import annotations

from fundtracker.models import Organisation, Project, Role, User, utcnow

STAFF = frozenset({Role.ADMIN, Role.OFFICER})
PORTFOLIO_READERS = frozenset({Role.ADMIN, Role.OFFICER, Role.BOARD})


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active)


def is_signed_in(user) -> bool:
    return _signed_in(user)


def is_staff(user) -> bool:
    return _signed_in(user) and user.role in STAFF


def is_admin(user) -> bool:
    return _signed_in(user) and user.role == Role.ADMIN


def is_grantee(user) -> bool:
    return _signed_in(user) and user.role == Role.GRANTEE


def has_confirmed_email(user) -> bool:
    """An account that registered itself opens the link emailed to it before it drafts or
    uploads anything (every other account is confirmed from the start)."""
    return _signed_in(user) and bool(getattr(user, "email_confirmed", False))


def can_read_portfolio(user) -> bool:
    """Fund-wide figures and every project: staff and the board."""
    return _signed_in(user) and user.role in PORTFOLIO_READERS


def can_list_projects(user) -> bool:
    return can_read_portfolio(user) or is_grantee(user)


def can_view_project(user, project: Project) -> bool:
    if can_read_portfolio(user):
        return True
    return is_grantee(user) and project.organisation_id == user.organisation_id


def can_edit_project(user, project: Project) -> bool:
    """Staff change a project's plan until it is closed; a closed project is a record."""
    return is_staff(user) and project.status.value != "closed"


def can_list_organisations(user) -> bool:
    return can_read_portfolio(user)


def can_view_organisation(user, organisation: Organisation) -> bool:
    if can_read_portfolio(user):
        return True
    return is_grantee(user) and organisation.id == user.organisation_id


def can_manage_organisations(user) -> bool:
    return is_staff(user)


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_staff(user)


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_edit_user(user, target: User) -> bool:
    return is_admin(user)


def can_end_session(user, user_session) -> bool:
    """A user ends their own sign-in sessions ("Your sessions"); an admin ends all of a user's
    through the user's page (can_edit_user), never one of someone else's by id."""
    return user_session.user_id == user.id


def can_remove_passkey(user, passkey) -> bool:
    """Passkeys are removed by their owner (an admin resets all of a user's second factors)."""
    return passkey.user_id == user.id


def can_change_user_status(user, target: User) -> bool:
    """Admins activate and deactivate accounts, but never their own (nobody locks the fund out)."""
    return is_admin(user) and target.id != user.id


# Organisation members ---------------------------------------------------------------------------


def is_org_manager(user) -> bool:
    """A grantee account that manages its organisation's people (role rule of their routes)."""
    return is_grantee(user) and bool(getattr(user, "org_manager", False))


def can_view_members(user, organisation: Organisation) -> bool:
    """A grantee sees the people of their own organisation (members read-only)."""
    return is_grantee(user) and organisation.id == user.organisation_id


def can_manage_members(user, organisation: Organisation) -> bool:
    """Its managers invite the organisation's colleagues, remove them and hand the role over."""
    return can_view_members(user, organisation) and is_org_manager(user)


def is_colleague(user, target: User) -> bool:
    """An active account of the grantee's own organisation: what a member route may load (a
    user of another organisation, staff or a removed account is the same 404)."""
    return (
        is_grantee(user)
        and target.role == Role.GRANTEE
        and target.active
        and target.organisation_id == user.organisation_id
    )


def can_manage_member(user, target: User) -> bool:
    return is_colleague(user, target) and is_org_manager(user)


# Delivery: milestones, updates, payments, files --------------------------------------------------


def is_own_grantee(user, project: Project) -> bool:
    return is_grantee(user) and project.organisation_id == user.organisation_id


def can_create_projects(user) -> bool:
    return is_staff(user)


def can_report_on(user, project: Project) -> bool:
    """Grantees report on their own organisation's projects while these run."""
    return (
        is_own_grantee(user, project)
        and has_confirmed_email(user)
        and project.status.value in ("active", "at_risk")
    )


def _open(project: Project) -> bool:
    return project.status.value != "closed"


def can_review_updates(user, project: Project) -> bool:
    return is_staff(user) and _open(project)


def can_manage_payments(user, project: Project) -> bool:
    return is_staff(user) and project.status.value not in ("suspended", "closed")


def can_comment(user, project: Project) -> bool:
    """The grantee and the fund's staff talk on a milestone; the board reads."""
    return _open(project) and (is_staff(user) or is_own_grantee(user, project))


def can_view_dashboard(user) -> bool:
    return can_read_portfolio(user)


def can_export_projects(user) -> bool:
    return can_read_portfolio(user)


def can_view_update(user, update) -> bool:
    """A draft is the grantee's own until it is submitted."""
    project = update.milestone.project
    if update.status.value == "draft":
        return is_own_grantee(user, project)
    return can_view_project(user, project)


def can_view_file(user, stored) -> bool:
    if stored.milestone_update is not None and not can_view_update(user, stored.milestone_update):
        return False
    # An in-kind receipt (an acceptance act may name the children it is for) or an invoice:
    # the fund's staff and the grantee only, not the board.
    if (
        stored.kind.value == "evidence"
        and stored.milestone_update_id is None
        and (stored.receipt_of or stored.invoice_of)
        and not (is_staff(user) or is_own_grantee(user, stored.project))
    ):
        return False
    if stored.deleted_at is not None:
        return is_staff(user)
    return can_view_project(user, stored.project)


def can_upload_documents(user, project: Project) -> bool:
    if project.status.value == "closed" or not has_confirmed_email(user):
        return False
    return is_staff(user) or is_own_grantee(user, project)


def can_delete_file(user, stored) -> bool:
    if stored.deleted_at is not None or not _open(stored.project):
        return False
    if is_staff(user):
        return True
    update = stored.milestone_update
    if update is not None:
        return update.status.value == "draft" and is_own_grantee(user, stored.project)
    return is_own_grantee(user, stored.project) and stored.uploaded_by_id == user.id


def can_restore_file(user, stored) -> bool:
    return is_staff(user) and stored.deleted_at is not None and _open(stored.project)


# Reminders and notifications ---------------------------------------------------------------------


def can_manage_reminders(user) -> bool:
    """Reminder rules, the sent log, failed emails and previews: administrators."""
    return is_admin(user)


def can_read_notification(user, notification) -> bool:
    """A notification is its recipient's alone."""
    return _signed_in(user) and notification.user_id == user.id


def can_edit_reminder_rule(user, rule) -> bool:
    return can_manage_reminders(user)


def can_view_outbox_email(user, email) -> bool:
    return can_manage_reminders(user)


# Reports: the board's impact report and project reports (PDF) ----------------------------------


def can_use_reports(user) -> bool:
    """The reports page: staff and the board (board reports), grantees (their projects' reports)."""
    return can_read_portfolio(user) or is_grantee(user)


def can_build_board_report(user) -> bool:
    return can_read_portfolio(user)


def can_request_project_reports(user) -> bool:
    """Project reports are for the fund's officers and the project's grantee."""
    return is_staff(user) or is_grantee(user)


def can_build_project_report(user, project) -> bool:
    if project is None:
        return False
    return is_staff(user) or is_own_grantee(user, project)


def can_view_report(user, report) -> bool:
    if report.kind.value == "board":
        return can_build_board_report(user)
    return report.project is not None and can_build_project_report(user, report.project)


# Outcomes: indicators, results, stories, portfolio roll-ups ---------------------------------------


def can_view_indicator_library(user) -> bool:
    return can_read_portfolio(user)


def can_manage_indicator_library(user) -> bool:
    return is_staff(user)


def can_manage_wellbeing_domains(user) -> bool:
    """The list of child well-being domains: administrators (officers link indicators to it)."""
    return is_admin(user)


def can_view_outcomes(user, project: Project) -> bool:
    return can_view_project(user, project)


def can_plan_indicators(user, project: Project) -> bool:
    """Staff set a project's indicators and targets while it runs."""
    return can_edit_project(user, project)


def can_view_result(user, result) -> bool:
    """A draft result (in a milestone update not yet submitted) is the grantee's own; the board
    sees verified results only."""
    project = result.indicator.project
    if result.status.value == "draft":
        return is_own_grantee(user, project)
    if result.status.value != "verified":
        # Not yet checked by the fund: not for the board's eyes.
        return is_staff(user) or is_own_grantee(user, project)
    return can_view_project(user, project)


def can_correct_result(user, result) -> bool:
    """Until a period is locked the grantee corrects what the fund has not verified yet, and
    staff correct any result."""
    return not result.locked and could_correct_result(user, result)


def could_correct_result(user, result) -> bool:
    """`can_correct_result` but for the lock: the user is one who corrects such a result (so a
    form sent after the period was locked or published is answered with why, not a 403)."""
    project = result.indicator.project
    if is_staff(user):
        return _open(project) and result.status.value != "draft"
    # A draft is changed in its milestone update, not here.
    return can_report_on(user, project) and result.status.value in ("reported", "queried")


def can_verify_results(user, project: Project) -> bool:
    return is_staff(user) and _open(project)


def can_view_portfolio_outcomes(user) -> bool:
    return can_read_portfolio(user)


def can_publish_outcomes(user) -> bool:
    """Publishing a period's outcome figures (they then leave the fund): officers."""
    return is_staff(user)


def can_view_publications(user) -> bool:
    """The audit of a publication (which cells were hidden, and why): staff only, since it
    holds the true values of the hidden cells."""
    return is_staff(user)


def can_add_story(user, project: Project) -> bool:
    return can_report_on(user, project) or (
        is_staff(user) and has_confirmed_email(user) and _open(project)
    )


def can_view_story(user, story) -> bool:
    return can_view_project(user, story.project)


# Grant applications: calls, applications, screening, reviews, decisions -------------------------


def is_reviewer(user) -> bool:
    return _signed_in(user) and user.role == Role.REVIEWER


def can_manage_calls(user) -> bool:
    return is_staff(user)


def can_list_calls(user) -> bool:
    return is_staff(user) or is_grantee(user)


def can_view_call(user, call) -> bool:
    """Staff see every call; applicants only published calls that are open now."""
    if is_staff(user):
        return True
    return is_grantee(user) and call.is_open(utcnow())


def can_apply(user) -> bool:
    """Starting an application (a draft) and working on it, attachments included."""
    return is_grantee(user) and has_confirmed_email(user)


def can_list_applications(user) -> bool:
    return is_staff(user) or is_grantee(user)


def can_view_application(user, application) -> bool:
    """The applicant's organisation sees its applications; staff see them once submitted (a
    draft is the applicant's own)."""
    if is_grantee(user):
        return application.organisation_id == user.organisation_id
    return is_staff(user) and application.status.value != "draft"


def can_edit_application(user, application) -> bool:
    return (
        is_grantee(user)
        and has_confirmed_email(user)
        and application.organisation_id == user.organisation_id
        and application.status.value in ("draft", "returned")
    )


def can_process_applications(user) -> bool:
    """Screening, assigning reviewers and deciding: fund staff."""
    return is_staff(user)


def can_verify_organisations(user) -> bool:
    return is_staff(user)


def can_view_assignment(user, assignment) -> bool:
    return is_reviewer(user) and assignment.reviewer_id == user.id


def can_read_as_reviewer(user, assignment) -> bool:
    """A reviewer reads the application only after declaring no conflict of interest."""
    return can_view_assignment(user, assignment) and assignment.conflict.value == "none"


def can_view_application_file(user, stored) -> bool:
    application = stored.application
    if can_view_application(user, application):
        return True
    return is_reviewer(user) and any(
        a.reviewer_id == user.id and a.conflict.value == "none" for a in application.assignments
    )


def can_view_decisions(user) -> bool:
    return can_read_portfolio(user)


def can_import(user) -> bool:
    """Fund staff bring an existing portfolio in, and bank statements (issue #24)."""
    return is_staff(user)


def can_view_import(user, batch) -> bool:
    """Staff see every import: one officer may confirm what a colleague previewed."""
    return can_import(user)


def can_manage_token(user, token) -> bool:
    """A user lists and revokes their own API tokens only (an admin's deactivation or change of
    role revokes all of a user's, in services/users.py)."""
    return is_signed_in(user) and token.user_id == user.id


# The board of trustees' register (issue #21) ----------------------------------------------------


def can_view_board_register(user) -> bool:
    """Staff keep the register; board members read it and download the meeting packs."""
    return can_read_portfolio(user)


def can_keep_board_register(user) -> bool:
    """Fund staff (the board's secretary is an officer) plan meetings and record decisions."""
    return is_staff(user)


def can_view_meeting(user, meeting) -> bool:
    return can_view_board_register(user)


def can_set_board_thresholds(user) -> bool:
    """Which awards and tranches need the board is the fund's rule: an admin sets it."""
    return is_admin(user)


# In-kind support (issue #21) ---------------------------------------------------------------------


def can_manage_inkind(user) -> bool:
    """Fund staff keep the catalogue and plan and deliver in-kind support."""
    return is_staff(user)


def can_manage_inkind_for(user, project: Project) -> bool:
    return is_staff(user) and project.status.value != "closed"


def can_view_delivery(user, delivery) -> bool:
    return can_view_project(user, delivery.project)


def can_confirm_delivery(user, delivery) -> bool:
    """The grantee whose project it is says what arrived, while the project is not closed."""
    return is_own_grantee(user, delivery.project) and delivery.project.status.value != "closed"


# Payment requests (issue #21) --------------------------------------------------------------------


def can_request_payment(user, tranche) -> bool:
    """The organisation's people request its tranches, on a project that may be paid."""
    return is_own_grantee(user, tranche.project) and tranche.project.status.value not in (
        "suspended",
        "closed",
    )


def can_view_payment_request(user, request) -> bool:
    """Staff and the organisation: an invoice and a bank account are not the board's reading."""
    return is_staff(user) or is_own_grantee(user, request.tranche.project)


# Follow-ups after closure (issue #21) -----------------------------------------------------------


def can_view_follow_up(user, follow_up) -> bool:
    """Whoever sees the project: the fund's staff and the board, the grantee its own."""
    return can_view_project(user, follow_up.project)


def can_answer_follow_up(user, follow_up) -> bool:
    """The organisation's people answer its closed project's follow-ups."""
    project = follow_up.project
    return (
        is_own_grantee(user, project)
        and has_confirmed_email(user)
        and project.status.value == "closed"
    )


def can_review_follow_up(user, follow_up) -> bool:
    """The fund's staff accept a follow-up or return it (a closed project is a record, but its
    follow-ups are reviewed after it closes)."""
    return is_staff(user)


def can_manage_follow_up_schedule(user) -> bool:
    """Admins set when each programme area's closed projects are followed up."""
    return is_admin(user)
