"""The board of trustees' register: staff plan meetings, put items on their agenda, record that
a meeting was held and the decisions taken; board members read it. An admin sets which awards
and tranches need the board (services/board.py holds the rules)."""

from __future__ import annotations

import io
import re

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fundtracker import permissions
from fundtracker.blueprints.board import bp
from fundtracker.blueprints.board.forms import (
    DecisionForm,
    HeldForm,
    ItemForm,
    MeetingForm,
    ThresholdsForm,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import LANGUAGES, current_locale, format_d, format_money
from fundtracker.core.time import today
from fundtracker.models import (
    AgendaItem,
    AgendaKind,
    Application,
    BoardMeeting,
    DecisionOutcome,
    Project,
    Tranche,
)
from fundtracker.models.labels import (
    OUTCOME_BADGES,
    agenda_kind_labels,
    decision_outcome_labels,
    meeting_status_labels,
)
from fundtracker.pdf import meeting as meeting_pdf
from fundtracker.pdf import service as pdf_service
from fundtracker.services import board
from fundtracker.web import PostOnlyForm, attempt, load_or_404, requires, version_of
from fundtracker.web import audit as audit_log
from fundtracker.web.forms import LANGUAGE_CHOICES, choices

QUERY_MAX = 100


def _meeting(meeting_id: int) -> BoardMeeting:
    return load_or_404(BoardMeeting, meeting_id, permissions.can_view_meeting, board.load_meeting)


def _item(item_id: int) -> AgendaItem:
    return load_or_404(
        AgendaItem, item_id, lambda user, item: permissions.can_view_meeting(user, item.meeting)
    )


def _labels() -> dict:
    return {
        "kind_labels": agenda_kind_labels(),
        "outcome_labels": decision_outcome_labels(),
        "outcome_badges": OUTCOME_BADGES,
        "meeting_labels": meeting_status_labels(),
    }


@bp.app_context_processor
def _board_navigation():
    """Staff find the register beside the decisions on applications (their bar is full; an
    admin also in the "Manage" menu); the board on the bar."""
    user = current_user
    if not permissions.can_view_board_register(user):
        return {"nav_board": None}
    return {"nav_board": "menu" if permissions.is_staff(user) else "top"}


# The register ----------------------------------------------------------------------------------


@bp.get("/")
@requires(permissions.can_view_board_register)
def index():
    q = (request.args.get("q") or "").strip()[:QUERY_MAX]
    settings = board.settings(db.session)
    meetings = board.meetings(db.session)
    return render_template(
        "board/index.html",
        upcoming=[m for m in meetings if not m.held],
        held=[m for m in meetings if m.held],
        decisions=board.decisions(db.session, q),
        q=q,
        award_threshold=settings.board_award_threshold,
        tranche_threshold=settings.board_tranche_threshold,
        may_keep=permissions.can_keep_board_register(current_user),
        may_set=permissions.can_set_board_thresholds(current_user),
        nav_decisions=permissions.can_view_decisions(current_user),
        locale=current_locale(),
        **_labels(),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@requires(permissions.can_keep_board_register)
def new_meeting():
    form = MeetingForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            meeting = board.create_meeting(
                db.session,
                current_user,
                board.MeetingData(form.number.data, form.held_on.data, form.location.data or ""),
            )
        if outcome.ok:
            flash(_("The meeting has been added to the register."), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    return render_template(
        "board/form.html",
        form=form,
        title=_("Plan a board meeting"),
        back=url_for(".index"),
    ), (422 if request.method == "POST" else 200)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(permissions.can_keep_board_register)
def edit_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        form.version.data = meeting.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            board.update_meeting(
                db.session,
                current_user,
                meeting,
                board.MeetingData(form.number.data, form.held_on.data, form.location.data or ""),
                version_of(form),
            )
        if outcome.ok:
            flash(_("The meeting has been saved."), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    return render_template(
        "board/form.html",
        form=form,
        title=_("Meeting %(number)s", number=meeting.number),
        back=url_for(".meeting", meeting_id=meeting.id),
    ), (422 if request.method == "POST" else 200)


@bp.post("/meetings/<int:meeting_id>/delete")
@requires(permissions.can_keep_board_register)
def delete_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    with attempt() as outcome:
        board.delete_meeting(db.session, current_user, meeting)
    if outcome.ok:
        flash(_("The meeting has been deleted."), "success")
        return redirect(url_for(".index"))
    return redirect(url_for(".meeting", meeting_id=meeting_id))


# A meeting -------------------------------------------------------------------------------------


# The fields each kind of item asks for, in order.
ITEM_FIELDS = {
    AgendaKind.APPLICATION: ("application_id", "amount", "notes"),
    AgendaKind.TRANCHE: ("tranche_id", "notes"),
    AgendaKind.AMENDMENT: ("project_id", "amount", "end_date", "notes"),
    AgendaKind.REPORT: ("project_id", "title", "notes"),
    AgendaKind.OTHER: ("title", "notes"),
}


def _item_forms(posted: AgendaKind | None = None) -> dict[AgendaKind, ItemForm]:
    """A form per kind of item (each with its own prefix, so that ids stay unique on the
    page); the one `posted` reads the request."""
    locale = current_locale()
    application_choices = choices(
        [("", "—")]
        + [
            (a.id, f"№ {a.id} · {a.organisation.name} · {a.title}")
            for a in board.open_applications(db.session)
        ]
    )
    project_choices = choices(
        [("", "—")]
        + [(p.id, f"{p.code} · {p.title(locale)}") for p in board.live_projects(db.session)]
    )
    tranche_choices = choices(
        [("", "—")]
        + [
            (t.id, f"{t.project.code} · {format_d(t.planned_date)} · {format_money(t.amount)}")
            for t in board.tranches_for_board(db.session)
        ]
    )
    forms = {}
    for kind in AgendaKind:
        form = (
            ItemForm(prefix=kind.value)
            if kind == posted
            else ItemForm(prefix=kind.value, formdata=None)
        )
        form.application_id.choices = application_choices
        form.project_id.choices = project_choices
        form.tranche_id.choices = tranche_choices
        forms[kind] = form
    forms[AgendaKind.AMENDMENT].amount.label.text = _("Proposed awarded amount, ₸")
    forms[AgendaKind.APPLICATION].amount.label.text = _("Proposed award, ₸")
    forms[AgendaKind.APPLICATION].amount.description = _(
        "Empty: the amount the application requests."
    )
    return forms


def _item_view(item: AgendaItem, may_keep: bool, meeting: BoardMeeting) -> dict:
    """What the page shows of an item: ready data, links only where the reader may follow."""
    user = current_user
    link = None
    if item.application is not None and permissions.can_view_application(user, item.application):
        link = url_for("applications.detail", application_id=item.application_id)
    elif item.project is not None and permissions.can_view_project(user, item.project):
        link = url_for("projects.detail", project_id=item.project_id)
    decision = item.decision
    return {
        "item": item,
        "link": link,
        "decision": decision,
        "decision_text": decision.text(current_locale()) if decision is not None else "",
        "may_decide": may_keep and meeting.held and meeting.quorate and decision is None,
        "may_remove": may_keep and not meeting.held,
    }


def _meeting_page(meeting: BoardMeeting, forms: dict | None = None, open_kind=None):
    may_keep = permissions.can_keep_board_register(current_user)
    may_plan = may_keep and not meeting.held
    if may_plan and forms is None:
        forms = _item_forms()
    return render_template(
        "board/meeting.html",
        meeting=meeting,
        items=[_item_view(i, may_keep, meeting) for i in meeting.items],
        may_keep=may_keep,
        may_plan=may_plan,
        may_hold=may_plan and bool(meeting.items),
        item_forms=[
            (kind, forms[kind], [forms[kind][name] for name in ITEM_FIELDS[kind]])
            for kind in AgendaKind
        ]
        if may_plan
        else [],
        open_kind=open_kind,
        csrf_form=PostOnlyForm(formdata=None),
        pack_languages=LANGUAGE_CHOICES,
        locale=current_locale(),
        **_labels(),
    )


@bp.get("/meetings/<int:meeting_id>")
@requires(permissions.can_view_board_register)
def meeting(meeting_id: int):
    return _meeting_page(_meeting(meeting_id))


def _chosen(model, object_id, rule):
    """The object a form chose, or None when it does not exist or the user may not see it."""
    if object_id is None or not 0 < object_id < 2**31:
        return None
    obj = db.session.get(model, object_id)
    return obj if obj is not None and rule(current_user, obj) else None


@bp.post("/meetings/<int:meeting_id>/items")
@requires(permissions.can_keep_board_register)
def add_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    posted = request.form.get("kind", "")
    if posted not in AgendaKind._value2member_map_:
        flash(_("Choose what to put on the agenda."), "danger")
        return redirect(url_for(".meeting", meeting_id=meeting.id))
    kind = AgendaKind(posted)
    forms = _item_forms(kind)
    form = forms[kind]
    if form.validate_on_submit():
        data = board.ItemData(
            kind=kind,
            application=_chosen(
                Application, form.application_id.data, permissions.can_view_application
            ),
            project=_chosen(Project, form.project_id.data, permissions.can_view_project),
            tranche=_chosen(
                Tranche,
                form.tranche_id.data,
                lambda user, t: permissions.can_view_project(user, t.project),
            ),
            title=form.title.data or "",
            notes=form.notes.data or "",
            amount=form.amount.tiyn,
            end_date=form.end_date.data,
        )
        with attempt(form) as outcome:
            board.add_item(db.session, current_user, meeting, data)
        if outcome.ok:
            flash(_("The item has been put on the agenda."), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id) + "#agenda")
        meeting = _meeting(meeting_id)
    return _meeting_page(meeting, forms, kind), 422


@bp.post("/items/<int:item_id>/remove")
@requires(permissions.can_keep_board_register)
def remove_item(item_id: int):
    item = _item(item_id)
    meeting_id = item.meeting_id
    with attempt() as outcome:
        board.remove_item(db.session, current_user, item)
    if outcome.ok:
        flash(_("The item has been taken off the agenda."), "success")
    return redirect(url_for(".meeting", meeting_id=meeting_id) + "#agenda")


@bp.route("/meetings/<int:meeting_id>/held", methods=["GET", "POST"])
@requires(permissions.can_keep_board_register)
def hold(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = HeldForm()
    if request.method == "GET":
        form.held_on.data = min(meeting.held_on, today())
        form.version.data = meeting.version_id
    if form.validate_on_submit():
        with attempt(form) as outcome:
            board.hold_meeting(
                db.session,
                current_user,
                meeting,
                held_on=form.held_on.data,
                members_total=form.members_total.data,
                members_present=form.members_present.data,
                attendees=form.attendees.data or "",
                today=today(),
                expected_version=version_of(form),
            )
        if outcome.ok:
            if meeting.quorate:
                flash(_("The meeting is recorded as held: record its decisions."), "success")
            else:
                flash(
                    _("The meeting is recorded as held without a quorum: it took no decision."),
                    "warning",
                )
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    return render_template(
        "board/form.html",
        form=form,
        title=_("Meeting %(number)s was held", number=meeting.number),
        back=url_for(".meeting", meeting_id=meeting.id),
    ), (422 if request.method == "POST" else 200)


@bp.route("/items/<int:item_id>/decision", methods=["GET", "POST"])
@requires(permissions.can_keep_board_register)
def decide(item_id: int):
    item = _item(item_id)
    form = DecisionForm()
    labels = decision_outcome_labels()
    form.outcome.choices = choices([("", "—")] + [(o.value, labels[o]) for o in DecisionOutcome])
    if request.method == "GET":
        form.number.data = board.suggested_number(item)
        form.amount.set_tiyn(item.amount)
    if form.validate_on_submit():
        data = board.DecisionData(
            number=form.number.data,
            outcome=DecisionOutcome(form.outcome.data),
            texts={
                "kk": form.text_kk.data or "",
                "ru": form.text_ru.data or "",
                "en": form.text_en.data or "",
            },
            amount=form.amount.tiyn,
        )
        with attempt(form) as outcome:
            board.record_decision(db.session, current_user, item, data)
        if outcome.ok:
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for(".meeting", meeting_id=item.meeting_id) + f"#item-{item.id}")
    return render_template(
        "board/decision_form.html",
        form=form,
        item=item,
        meeting=item.meeting,
        title=_("Decision on item %(position)d", position=item.position),
        back=url_for(".meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
        locale=current_locale(),
        **_labels(),
    ), (422 if request.method == "POST" else 200)


@bp.get("/meetings/<int:meeting_id>/pack.pdf")
@requires(permissions.can_view_board_register)
def pack(meeting_id: int):
    """The meeting's pack, in the language asked for (the reader's by default), printed on
    request: a meeting's agenda is a few pages, printed in a second or two."""
    meeting = _meeting(meeting_id)
    locale = request.args.get("lang") or current_locale()
    if locale not in LANGUAGES:
        abort(404)
    data = meeting_pdf.pack_context(db.session, meeting, locale)
    rendered = meeting_pdf.meeting_pack(
        data, meeting_pdf.prepared_at(meeting), pdf_service.author()
    )
    safe_number = re.sub(r"[^0-9A-Za-z-]+", "-", meeting.number).strip("-") or str(meeting.id)
    response = send_file(
        io.BytesIO(rendered.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"board-meeting-{safe_number}-{locale}.pdf",
        max_age=0,
    )
    audit_log.record_read(
        "report.downloaded",
        target=meeting,
        details={"kind": "board_meeting", "number": meeting.number, "locale": locale},
    )
    return response


# Thresholds ------------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@requires(permissions.can_set_board_thresholds)
def thresholds():
    settings = board.settings(db.session)
    form = ThresholdsForm()
    if request.method == "GET":
        form.award.set_tiyn(settings.board_award_threshold)
        form.tranche.set_tiyn(settings.board_tranche_threshold)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            board.set_thresholds(
                db.session, current_user, award=form.award.tiyn, tranche=form.tranche.tiyn
            )
        if outcome.ok:
            flash(_("The thresholds have been saved."), "success")
            return redirect(url_for(".index"))
    return render_template(
        "board/form.html",
        form=form,
        title=_("What needs the board of trustees"),
        intro=_(
            "Awards and tranches at or above these amounts wait for an approved decision of "
            "the board; every amendment of a project does. Leave a box empty for no threshold."
        ),
        back=url_for(".index"),
    ), (422 if request.method == "POST" else 200)
