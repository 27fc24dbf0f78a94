"""Who may reach every route. Every rule in app.url_map must be listed here, as public or with
its expected outcome per role; tests/test_access_matrix.py enforces it, so a route added without
an entry fails the suite.

Outcomes: OK (the route does its work: 2xx or a redirect that is not to the login page),
DENIED (403: the role may not use this route) and HIDDEN (404: the object is not theirs to see).
Anonymous visitors are sent to the login page for every route that is not public.

`args` name the sample objects (see `sample_objects` in the test) put in the URL: "own" objects
belong to organisation A, whose grantee is the `grantee` role; `other_args` name the same kind of
object of organisation B, for which the grantee of A must get 404 on every method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK = "ok"
LOGIN_PAGE = "login"
DENIED = 403
HIDDEN = 404

ROLES = ("admin", "officer", "reviewer", "board", "grantee")

PUBLIC = {
    "static",
    "bootstrap.static",
    "main.healthz",
    "main.readyz",
    # Prometheus metrics (issue #22): answered on loopback or with METRICS_TOKEN only (nginx does
    # not pass /metrics on); the test client is loopback. tests/core/test_observability.py.
    "metrics",
    "main.set_language",
    "auth.login",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.accept_invite",
    # A self-registered account confirms its email (the page to ask again, and the link)
    "auth.check_email",
    "auth.confirm_email",
    # Grant applications: a new organisation registers itself
    "applications.register",
    # The second step of a sign-in, and a passkey's sign-in (no one is signed in yet)
    "auth.two_factor_verify",
    "auth.passkey_options",
    "auth.passkey_verify",
    # Open data (issue #20): the fund's public grants, for anyone
    "opendata.giving_json",
    "opendata.giving_xlsx",
    "opendata.iati_xml",
    # The transparency page (issue #20): the public projects, for anyone
    "transparency.index",
    "transparency.project",
}


@dataclass(frozen=True)
class Entry:
    expect: dict[str, object]
    args: dict[str, str] = field(default_factory=dict)
    other_args: dict[str, str] | None = None
    # Per-method overrides, e.g. {"POST": {...}}.
    methods: dict[str, dict[str, object]] = field(default_factory=dict)

    def outcome(self, role: str, method: str) -> object:
        return self.methods.get(method, self.expect)[role]


def everyone(outcome=OK) -> dict[str, object]:
    return dict.fromkeys(ROLES, outcome)


def only(*roles: str, others=DENIED) -> dict[str, object]:
    return {role: OK if role in roles else others for role in ROLES}


def on_a_user() -> Entry:
    """Admin pages about one account: nobody else may even see that the account exists."""
    return Entry(
        only("admin", others=HIDDEN),
        args={"user_id": "grantee_user_a"},
        other_args={"user_id": "grantee_user_b"},
    )


def on_a_colleague() -> Entry:
    """A manager's act on a colleague: grantee_user_a is a member of organisation A."""
    return Entry(
        only("grantee"),
        args={"user_id": "grantee_user_a"},
        other_args={"user_id": "grantee_user_b"},
    )


STAFF_ONLY = {"admin": OK, "officer": OK, "board": DENIED, "grantee": DENIED, "reviewer": HIDDEN}
READERS = only("admin", "officer", "board", "grantee", others=HIDDEN)


def on(kind: str, expect: dict[str, object]) -> Entry:
    """A route about one object of `kind`: sample `<kind>_a` of organisation A, whose grantee is
    the `grantee` role, and `<kind>_b` of organisation B."""
    key = {
        "project": "project_id",
        "milestone": "milestone_id",
        "tranche": "tranche_id",
        "budget_line": "line_id",
        "file": "file_id",
        "deleted_file": "file_id",
        "follow_up": "follow_up_id",
    }[kind]
    return Entry(expect, args={key: f"{kind}_a"}, other_args={key: f"{kind}_b"})


def on_report() -> Entry:
    """A project report of organisation A's project (report_a) or of B's (report_b)."""
    return Entry(
        {"admin": OK, "officer": OK, "board": HIDDEN, "grantee": OK, "reviewer": DENIED},
        args={"report_id": "report_a"},
        other_args={"report_id": "report_b"},
    )


ACCESS: dict[str, Entry] = {
    "main.index": Entry(everyone()),
    # What waits for the signed-in user (nothing, for some roles: the page says so).
    "main.tasks": Entry(everyone()),
    # Logging out ends on the login page.
    "auth.logout": Entry(everyone(LOGIN_PAGE)),
    "auth.change_password": Entry(everyone()),
    # Each user's own sign-in security (#19).
    "auth.reauth": Entry(everyone()),
    "auth.two_factor": Entry(everyone()),
    "auth.totp_start": Entry(everyone()),
    "auth.totp_enrol": Entry(everyone()),
    "auth.totp_remove": Entry(everyone()),
    "auth.recovery_codes": Entry(everyone()),
    "auth.passkey_register_options": Entry(everyone()),
    "auth.passkey_register": Entry(everyone()),
    # No passkey has this id: 404 for all (the owner's case: tests/blueprints/test_two_factor.py)
    "auth.passkey_remove": Entry(everyone(HIDDEN), args={"passkey_id": "grantee_user_a"}),
    "admin.two_factor_reset": on_a_user(),
    "account.sessions_page": Entry(everyone()),
    "account.end_other_sessions": Entry(everyone()),
    # Another user's session: 404 for all (ending one's own is in tests/blueprints/test_sessions.py)
    "account.end_session": Entry(everyone(HIDDEN), args={"session_id": "user_session"}),
    # Each user's own API tokens (#20); no token has the sample session's id: 404 for all (the
    # owner's case: tests/blueprints/account/test_tokens.py)
    "account.tokens": Entry(everyone()),
    "account.token_new": Entry(everyone()),
    "account.token_revoke": Entry(everyone(HIDDEN), args={"token_id": "user_session"}),
    "admin.user_sessions": on_a_user(),
    "admin.user_sessions_end": on_a_user(),
    "projects.index": Entry(only("admin", "officer", "board", "grantee")),
    "projects.detail": Entry(
        only("admin", "officer", "board", "grantee", others=HIDDEN),
        args={"project_id": "project_a"},
        other_args={"project_id": "project_b"},
    ),
    "organisations.index": Entry(only("admin", "officer", "board")),
    "organisations.new": Entry(only("admin", "officer")),
    "organisations.detail": Entry(
        only("admin", "officer", "board", "grantee", others=HIDDEN),
        args={"organisation_id": "organisation_a"},
        other_args={"organisation_id": "organisation_b"},
    ),
    "organisations.edit": Entry(
        {"admin": OK, "officer": OK, "board": DENIED, "grantee": DENIED, "reviewer": HIDDEN},
        args={"organisation_id": "organisation_a"},
        other_args={"organisation_id": "organisation_b"},
    ),
    # Our organisation's people (#21): a grantee sees their colleagues; a manager (the
    # `grantee` sample is one) invites, removes and hands over; another organisation's
    # account is 404. A member who is no manager gets 403 (tests/blueprints/test_members.py).
    "organisations.people": Entry(only("grantee")),
    "organisations.invite": Entry(only("grantee")),
    "organisations.step_down": Entry(only("grantee")),
    "organisations.invite_again": on_a_colleague(),
    "organisations.remove": on_a_colleague(),
    "organisations.make_manager": on_a_colleague(),
    "organisations.hand_over": on_a_colleague(),
    # Projects, plan and delivery
    "main.dashboard_view": Entry(only("admin", "officer", "board")),
    "projects.export_csv": Entry(only("admin", "officer", "board")),
    "projects.export_xlsx": Entry(only("admin", "officer", "board")),
    "projects.new": Entry(only("admin", "officer")),
    "projects.edit": on("project", STAFF_ONLY),
    "projects.amend": on("project", STAFF_ONLY),
    "projects.change_status": on("project", STAFF_ONLY),
    "projects.milestone_new": on("project", STAFF_ONLY),
    "projects.tranche_new": on("project", STAFF_ONLY),
    "projects.budget_line_new": on("project", STAFF_ONLY),
    "projects.document_upload": on("project", dict(STAFF_ONLY, grantee=OK)),
    "milestones.detail": on("milestone", READERS),
    "milestones.edit": on("milestone", STAFF_ONLY),
    "milestones.reschedule": on("milestone", STAFF_ONLY),
    "milestones.save_update": on(
        "milestone",
        {"admin": DENIED, "officer": DENIED, "board": DENIED, "grantee": OK, "reviewer": HIDDEN},
    ),
    "milestones.review": on("milestone", STAFF_ONLY),
    # Follow-ups after closure (issue #21): the grantee answers, staff review, an admin sets the
    # months per programme area.
    "follow_ups.detail": on("follow_up", READERS),
    "follow_ups.answer": on(
        "follow_up",
        {"admin": DENIED, "officer": DENIED, "board": DENIED, "grantee": OK, "reviewer": HIDDEN},
    ),
    "follow_ups.review": on("follow_up", STAFF_ONLY),
    "follow_ups.schedule": Entry(only("admin")),
    "milestones.comment": on("milestone", dict(STAFF_ONLY, grantee=OK)),
    "finance.tranche_edit": on("tranche", STAFF_ONLY),
    "finance.tranche_approve": on("tranche", STAFF_ONLY),
    "finance.tranche_pay": on("tranche", STAFF_ONLY),
    "finance.budget_line_edit": on("budget_line", STAFF_ONLY),
    # Approving several tranches at once (an empty POST is refused for its content).
    "finance.tranches_to_approve": Entry(only("admin", "officer")),
    "finance.tranches_approve_selected": Entry(only("admin", "officer")),
    "files.download": on("file", READERS),
    # The grantee uploaded file_a, so they may delete it; fund staff may restore it.
    "files.delete": on("file", dict(STAFF_ONLY, grantee=OK)),
    "files.restore": on("deleted_file", only("admin", "officer", others=HIDDEN)),
    # Accounts
    "admin.users": Entry(only("admin")),
    "admin.user_new": Entry(only("admin")),
    "admin.user_edit": on_a_user(),
    "admin.user_deactivate": on_a_user(),
    "admin.user_activate": on_a_user(),
    "admin.user_invite": on_a_user(),
    "admin.audit_events": Entry(only("admin")),
    "admin.audit_export": Entry(only("admin")),
    # What is public (issue #20): the list, and marking projects confidential or public again
    # Importing a portfolio and bank statements (issue #24): fund staff.
    "imports.index": Entry(only("admin", "officer")),
    "imports.template": Entry(only("admin", "officer")),
    "imports.upload": Entry(only("admin", "officer")),
    "imports.preview": Entry(only("admin", "officer"), args={"batch_id": "import_batch"}),
    "imports.confirm": Entry(only("admin", "officer"), args={"batch_id": "import_batch"}),
    "imports.discard": Entry(only("admin", "officer"), args={"batch_id": "import_batch"}),
    "imports.progress": Entry(only("admin", "officer"), args={"batch_id": "import_batch"}),
    "imports.bank_index": Entry(only("admin", "officer")),
    "imports.bank_preview": Entry(only("admin", "officer"), args={"batch_id": "bank_batch"}),
    "imports.bank_confirm": Entry(only("admin", "officer"), args={"batch_id": "bank_batch"}),
    # The board of trustees' register (#21): staff keep it, the board reads it.
    "board.index": Entry(only("admin", "officer", "board")),
    "board.new_meeting": Entry(only("admin", "officer")),
    "board.meeting": Entry(only("admin", "officer", "board"), args={"meeting_id": "board_meeting"}),
    "board.edit_meeting": Entry(only("admin", "officer"), args={"meeting_id": "board_meeting"}),
    "board.delete_meeting": Entry(only("admin", "officer"), args={"meeting_id": "board_meeting"}),
    "board.add_item": Entry(only("admin", "officer"), args={"meeting_id": "board_meeting"}),
    "board.hold": Entry(only("admin", "officer"), args={"meeting_id": "board_meeting"}),
    "board.remove_item": Entry(only("admin", "officer"), args={"item_id": "board_item"}),
    "board.decide": Entry(only("admin", "officer"), args={"item_id": "board_item"}),
    "board.thresholds": Entry(only("admin")),
    "board.pack": Entry(only("admin", "officer", "board"), args={"meeting_id": "board_meeting"}),
    # In-kind support (#21): staff keep the catalogue and deliver; the grantee confirms.
    "inkind.catalogue": Entry(only("admin", "officer")),
    "inkind.edit_item": Entry(only("admin", "officer"), args={"catalogue_id": "inkind_item"}),
    "inkind.plan": Entry(only("admin", "officer"), args={"project_id": "project_a"}),
    "inkind.delivery": Entry(
        READERS, args={"delivery_id": "delivery_a"}, other_args={"delivery_id": "delivery_b"}
    ),
    "inkind.deliver": Entry(only("admin", "officer"), args={"delivery_id": "delivery_a"}),
    "inkind.confirm": Entry(
        only("grantee"),
        args={"delivery_id": "delivery_a"},
        other_args={"delivery_id": "delivery_b"},
    ),
    "inkind.resolve": Entry(only("admin", "officer"), args={"delivery_id": "delivery_a"}),
    "inkind.cancel": Entry(only("admin", "officer"), args={"delivery_id": "delivery_a"}),
    # Payment requests (#21): the organisation requests, staff decide; not the board's reading.
    "payreq.new": Entry(
        only("grantee"), args={"tranche_id": "tranche_a"}, other_args={"tranche_id": "tranche_b"}
    ),
    "payreq.detail": Entry(
        {"admin": OK, "officer": OK, "board": HIDDEN, "grantee": OK, "reviewer": HIDDEN},
        args={"request_id": "payment_request_a"},
        other_args={"request_id": "payment_request_b"},
    ),
    "payreq.edit": Entry(
        only("grantee"),
        args={"request_id": "payment_request_a"},
        other_args={"request_id": "payment_request_b"},
    ),
    "payreq.withdraw": Entry(
        only("grantee"),
        args={"request_id": "payment_request_a"},
        other_args={"request_id": "payment_request_b"},
    ),
    "payreq.approve": Entry(only("admin", "officer"), args={"request_id": "payment_request_a"}),
    "payreq.return_": Entry(only("admin", "officer"), args={"request_id": "payment_request_a"}),
    "admin.publicity": Entry(only("admin")),
    "admin.publicity_change": Entry(only("admin")),
    # Reminders and notifications
    "notifications.index": Entry(everyone()),
    "notifications.read_all": Entry(everyone()),
    "notifications.read_selected": Entry(everyone()),
    "notifications.settings": Entry(everyone()),
    # notification_a is the grantee's own; nobody else may even see that it exists.
    "notifications.read": Entry(
        only("grantee", others=HIDDEN),
        args={"notification_id": "notification_a"},
        other_args={"notification_id": "notification_b"},
    ),
    "notifications.admin_index": Entry(only("admin")),
    "notifications.emails_send_again": Entry(only("admin")),
    "notifications.rule_new": Entry(only("admin")),
    "notifications.rule_edit": Entry(only("admin"), args={"rule_id": "reminder_rule"}),
    "notifications.rule_preview": Entry(only("admin"), args={"rule_id": "reminder_rule"}),
    "notifications.email_view": Entry(only("admin"), args={"email_id": "outbox_email"}),
    "notifications.email_retry": Entry(only("admin"), args={"email_id": "outbox_email"}),
    # Reports (PDF): board reports for staff and the board, project reports for staff and the
    # project's grantee.
    "reports.index": Entry(only("admin", "officer", "board", "grantee")),
    "reports.request_board": Entry(only("admin", "officer", "board")),
    "reports.request_project": Entry(only("admin", "officer", "grantee")),
    "reports.detail": on_report(),
    "reports.status": on_report(),
    "reports.download": on_report(),
    # Outcomes: indicator library, project indicators and results, stories, portfolio roll-ups
    "outcomes.library": Entry(only("admin", "officer", "board")),
    # Child well-being domains (#21): the list is the admin's.
    "outcomes.domains": Entry(only("admin")),
    "outcomes.domain_edit": Entry(only("admin"), args={"domain_id": "wellbeing_domain"}),
    "outcomes.domain_delete": Entry(only("admin"), args={"domain_id": "wellbeing_domain"}),
    "outcomes.standard_new": Entry(only("admin", "officer")),
    "outcomes.standard_edit": Entry(
        only("admin", "officer"), args={"standard_id": "standard_indicator"}
    ),
    "outcomes.project": on("project", READERS),
    "outcomes.indicator_new": on("project", STAFF_ONLY),
    "outcomes.story_new": on("project", dict(STAFF_ONLY, grantee=OK)),
    "outcomes.indicator_edit": Entry(
        STAFF_ONLY,
        args={"indicator_id": "project_indicator_a"},
        other_args={"indicator_id": "project_indicator_b"},
    ),
    "outcomes.result_new": Entry(
        {"admin": DENIED, "officer": DENIED, "board": DENIED, "grantee": OK, "reviewer": HIDDEN},
        args={"indicator_id": "project_indicator_a"},
        other_args={"indicator_id": "project_indicator_b"},
    ),
    # result_a was reported and not yet verified: the grantee may still correct it, and the
    # board, which sees verified results only, does not know it exists.
    "outcomes.result_correct": Entry(
        dict(STAFF_ONLY, grantee=OK, board=HIDDEN),
        args={"result_id": "result_a"},
        other_args={"result_id": "result_b"},
    ),
    "outcomes.result_review": Entry(
        dict(STAFF_ONLY, board=HIDDEN),
        args={"result_id": "result_a"},
        other_args={"result_id": "result_b"},
    ),
    "outcomes.result_lock": Entry(
        dict(STAFF_ONLY, board=HIDDEN),
        args={"result_id": "result_a"},
        other_args={"result_id": "result_b"},
    ),
    "outcomes.lock_periods": on("project", STAFF_ONLY),
    # Verifying several results at once (an empty POST is refused for its content).
    "outcomes.results_to_verify": Entry(only("admin", "officer")),
    "outcomes.results_verify_selected": Entry(only("admin", "officer")),
    "outcomes.portfolio": Entry(only("admin", "officer", "board")),
    "outcomes.portfolio_csv": Entry(only("admin", "officer", "board")),
    # Publishing outcome figures, and a publication's audit (the true values of hidden cells):
    # fund staff only. `period` is a period of the grid with a result not verified yet, so a
    # POST is refused for its content (the route was reached) and publishes nothing.
    "outcomes.publications": Entry(only("admin", "officer")),
    "outcomes.publication": Entry(only("admin", "officer"), args={"period": "period"}),
    "outcomes.publish": Entry(only("admin", "officer"), args={"period": "period"}),
    # Grant applications: calls, applications, screening, reviews, decisions
    "applications.calls": Entry(only("admin", "officer", "grantee")),
    "applications.call_new": Entry(only("admin", "officer")),
    "applications.call_detail": Entry(
        only("admin", "officer", "grantee"), args={"call_id": "call_a"}
    ),
    "applications.call_edit": Entry(only("admin", "officer"), args={"call_id": "call_a"}),
    "applications.call_status": Entry(only("admin", "officer"), args={"call_id": "call_a"}),
    "applications.call_ranking": Entry(only("admin", "officer"), args={"call_id": "call_a"}),
    "applications.assign_reviewers": Entry(only("admin", "officer"), args={"call_id": "call_a"}),
    "applications.apply": Entry(only("grantee"), args={"call_id": "call_a"}),
    "applications.verify": Entry(
        only("admin", "officer"), args={"organisation_id": "organisation_a"}
    ),
    "applications.index": Entry(only("admin", "officer", "grantee")),
    "applications.detail": Entry(
        only("admin", "officer", "grantee"),
        args={"application_id": "application_a"},
        other_args={"application_id": "application_b"},
    ),
    "applications.edit": Entry(
        only("grantee"),
        args={"application_id": "draft_application_a"},
        other_args={"application_id": "draft_application_b"},
    ),
    "applications.file_download": Entry(
        only("admin", "officer", "grantee", others=HIDDEN),
        args={"file_id": "application_file_a"},
        other_args={"file_id": "application_file_b"},
    ),
    "applications.file_delete": Entry(
        only("grantee"),
        args={"file_id": "draft_application_file_a"},
        other_args={"file_id": "draft_application_file_b"},
    ),
    "applications.screen": Entry(
        only("admin", "officer"), args={"application_id": "application_a"}
    ),
    "applications.assign": Entry(
        only("admin", "officer"), args={"application_id": "application_a"}
    ),
    "applications.decide": Entry(
        only("admin", "officer"), args={"application_id": "application_a"}
    ),
    "applications.decisions": Entry(only("admin", "officer", "board")),
    "applications.reviews": Entry(only("reviewer")),
    "applications.review": Entry(only("reviewer"), args={"assignment_id": "assignment_a"}),
    "applications.declare": Entry(only("reviewer"), args={"assignment_id": "assignment_a"}),
    "applications.score": Entry(only("reviewer"), args={"assignment_id": "assignment_a"}),
}
