from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from babel.dates import get_day_names
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from fundtracker import permissions
from fundtracker.blueprints.notifications import bp
from fundtracker.blueprints.notifications.forms import (
    NotificationFilterForm,
    RuleForm,
    SettingsForm,
)
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale, format_dt
from fundtracker.models import Notification, OutboxEmail, ReminderRule, utcnow
from fundtracker.services import bulk, notifications, reminders
from fundtracker.services.messages import text_of
from fundtracker.services.notifications import NotificationFilter, external_link, render_email
from fundtracker.web import PostOnlyForm, attempt, is_safe_next, load_or_404, page_arg, requires
from fundtracker.web.forms import choices


@bp.app_context_processor
def _unread():
    """One COUNT per page, for signed-in users only: the badge in the navigation."""
    user = current_user
    if user is None or not permissions.is_signed_in(user):
        return {}
    return {
        "unread_notifications": notifications.unread_count(db.session, user),
        "nav_reminders": permissions.can_manage_reminders(user),
    }


# A user's own notifications ----------------------------------------------------------------------


# Rows per page of a user's notifications.
NOTIFICATIONS_PER_PAGE = 25
# Ids one "mark the ticked as read" may name: a page's and then some.
MARK_READ_MAX = bulk.MAX_ITEMS


def _notification_filters() -> tuple[NotificationFilterForm, dict[str, str], NotificationFilter]:
    """The list's filters from the query string; a value that is not valid is dropped."""
    form = NotificationFilterForm(request.args)
    form.validate()
    flt = NotificationFilter(
        q=(form.q.data or "") if not form.q.errors else "", unread=bool(form.unread.data)
    )
    args = {"q": flt.q, "unread": "1" if flt.unread else ""}
    return form, {k: v for k, v in args.items() if v}, flt


@bp.get("/notifications")
@requires(permissions.is_signed_in)
def index():
    form, page_args, flt = _notification_filters()
    pagination = db.paginate(
        notifications.list_query(current_user, flt),
        page=page_arg(),
        per_page=NOTIFICATIONS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "notifications/index.html",
        form=form,
        pagination=pagination,
        page_args=page_args,
        filtered=bool(page_args),
        items=[(n, *text_of(n, current_user.locale)) for n in pagination.items],
        action_form=PostOnlyForm(),
    )


@bp.post("/notifications/<int:notification_id>/read")
@requires(permissions.is_signed_in)
def read(notification_id: int):
    """Mark as read and go to what it is about."""
    notification = load_or_404(Notification, notification_id, permissions.can_read_notification)
    target = url_for(".index")
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            notifications.mark_read(db.session, current_user, notification)
        if outcome.ok and request.form.get("open") and is_safe_next(notification.url):
            target = notification.url
    return redirect(target)


@bp.post("/notifications/read-all")
@requires(permissions.is_signed_in)
def read_all():
    if PostOnlyForm().validate_on_submit():
        with attempt():
            notifications.mark_all_read(db.session, current_user)
    return redirect(url_for(".index"))


def _back_to_list() -> str:
    """The list as it was (its filters and page, sent back in the form), else its first page."""
    target = request.form.get("next")
    listing = url_for(".index")
    return target if is_safe_next(target) and target.startswith(listing) else listing


@bp.post("/notifications/read-selected")
@requires(permissions.is_signed_in)
def read_selected():
    """Mark the ticked notifications as read: the user's own; any other id named is counted as
    not done."""
    target = _back_to_list()
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(target)
    ids = bulk.ids_from(request.form.getlist("notification_id"))[:MARK_READ_MAX]
    if not ids:
        flash(_("Tick the notifications to mark as read."), "warning")
        return redirect(target)
    found = notifications.by_ids(db.session, ids)
    own = [n for n in found if permissions.can_read_notification(current_user, n)]
    already = sum(1 for n in own if n.read_at is not None)
    with attempt() as outcome:
        marked = notifications.mark_many_read(db.session, current_user, own)
    if not outcome.ok:
        return redirect(target)
    flash(
        ngettext(
            "%(num)d notification marked as read.", "%(num)d notifications marked as read.", marked
        ),
        "success",
    )
    if already:
        flash(
            ngettext("%(num)d was read already.", "%(num)d were read already.", already),
            "info",
        )
    not_done = len(ids) - len(own)
    if not_done:
        flash(
            ngettext(
                "%(num)d notification could not be found among yours and was left as it is.",
                "%(num)d notifications could not be found among yours and were left as they are.",
                not_done,
            ),
            "warning",
        )
    return redirect(target)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@requires(permissions.is_signed_in)
def settings():
    form = SettingsForm(data={"email_delivery": current_user.email_delivery})
    if form.validate_on_submit():
        with attempt(form) as outcome:
            notifications.set_email_delivery(db.session, current_user, form.email_delivery.data)
        if outcome.ok:
            flash(_("Your notification settings have been saved."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors else 200
    return render_template("notifications/settings.html", form=form), status


# Administration: rules, what is coming, what was sent, what failed -------------------------------


def _status_labels() -> dict:
    return {
        "email_status_labels": {
            "pending": _("Waiting"),
            "sending": _("Sending"),
            "sent": _("Sent"),
            "failed": _("Failed"),
        },
        "reminder_status_labels": {"sent": _("Sent"), "skipped": _("Skipped (too late)")},
    }


def _kind_labels() -> dict[str, str]:
    return {name: str(kind.label) for name, kind in reminders.KINDS.items()}


def _fixed_recipients() -> dict[str, str]:
    """Whom the kinds that ignore a rule's recipient boxes always remind."""
    return {name: str(kind.recipients) for name, kind in reminders.KINDS.items() if kind.recipients}


# Rows per table of the reminders page; each table pages through the rest.
ADMIN_PAGE_ROWS = 50


@dataclass(frozen=True)
class Pager:
    page: int
    previous_url: str | None
    next_url: str | None


def _paged(arg: str, anchor: str, fetch: Callable[[int, int], list]) -> tuple[list, Pager]:
    """One page of a table: the page number comes from the query argument `arg`, `fetch(limit,
    offset)` reads the rows (one more than a page, to know whether another follows), and the
    pager's links keep the other tables' pages."""
    page = page_arg(arg)
    rows = fetch(ADMIN_PAGE_ROWS + 1, (page - 1) * ADMIN_PAGE_ROWS)

    def link(number: int) -> str:
        return url_for(".admin_index", **{**request.args.to_dict(), arg: number}, _anchor=anchor)

    pager = Pager(
        page,
        link(page - 1) if page > 1 else None,
        link(page + 1) if len(rows) > ADMIN_PAGE_ROWS else None,
    )
    return rows[:ADMIN_PAGE_ROWS], pager


@bp.get("/admin/reminders")
@requires(permissions.can_manage_reminders)
def admin_index():
    now = utcnow()
    found, upcoming_pager = _paged(
        "upcoming_page",
        "upcoming",
        lambda limit, offset: reminders.upcoming(db.session, now, limit=offset + limit)[offset:],
    )
    logged, log_pager = _paged(
        "log_page", "log", lambda limit, offset: reminders.sent_log(db.session, limit, offset)
    )
    problems, problems_pager = _paged(
        "problems_page",
        "problems",
        lambda limit, offset: notifications.problems(db.session, limit, offset, now),
    )
    all_rules = reminders.list_rules(db.session)  # a handful, written by admins
    rules, rules_pager = _paged(
        "rules_page", "rules", lambda limit, offset: all_rules[offset : offset + limit]
    )
    upcoming = reminders.describe(db.session, found)
    log = reminders.describe_log(db.session, logged)
    # Many rows share a due time (a rule's time of day): each is formatted once.
    due_labels = {when: format_dt(when, "short") for when in {r.due_at for r in upcoming + log}}
    return render_template(
        "notifications/admin.html",
        rules=rules,
        rules_pager=rules_pager,
        kind_labels=_kind_labels(),
        fixed_recipients=_fixed_recipients(),
        upcoming=upcoming,
        upcoming_pager=upcoming_pager,
        log=log,
        log_pager=log_pager,
        problems=problems,
        problems_pager=problems_pager,
        stuck_ids={e.id for e in problems if notifications.is_stuck(e, now)},
        failed_count=notifications.failed_count(db.session),
        due_labels=due_labels,
        pending=notifications.pending_count(db.session),
        weekdays=get_day_names("wide", locale=current_locale()),
        action_form=PostOnlyForm(),
        **_status_labels(),
    )


def _rule_form(rule: ReminderRule | None = None) -> RuleForm:
    form = RuleForm(obj=rule)
    form.kind.choices = choices(_kind_labels().items())
    if rule is None and request.method == "GET":
        form.send_time.data = time(9, 0)
        form.to_grantee.data = True
    return form


def _rule_data(form: RuleForm) -> reminders.RuleData:
    return reminders.RuleData(
        kind=form.kind.data,
        days=form.days.data,
        send_time=form.send_time.data,
        to_grantee=form.to_grantee.data,
        to_officer=form.to_officer.data,
        grace_days=form.grace_days.data,
        active=form.active.data,
    )


@bp.route("/admin/reminders/rules/new", methods=["GET", "POST"])
@requires(permissions.can_manage_reminders)
def rule_new():
    form = _rule_form()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            reminders.create_rule(db.session, current_user, _rule_data(form))
        if outcome.ok:
            flash(_("The reminder rule has been saved."), "success")
            return redirect(url_for(".admin_index"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/rule_form.html", form=form, rule=None), status


@bp.route("/admin/reminders/rules/<int:rule_id>", methods=["GET", "POST"])
@requires(permissions.can_manage_reminders)
def rule_edit(rule_id: int):
    rule = load_or_404(ReminderRule, rule_id, permissions.can_edit_reminder_rule)
    form = _rule_form(rule)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            reminders.update_rule(db.session, current_user, rule, _rule_data(form))
        if outcome.ok:
            flash(_("The reminder rule has been saved."), "success")
            return redirect(url_for(".admin_index"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/rule_form.html", form=form, rule=rule), status


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and 0 < value < 2**31 else None


@bp.get("/admin/reminders/rules/<int:rule_id>/preview")
@requires(permissions.can_manage_reminders)
def rule_preview(rule_id: int):
    """The email a reminder of this rule sends: for the object, recipient and day in the query,
    or the rule's next one."""
    rule = load_or_404(ReminderRule, rule_id, permissions.can_edit_reminder_rule)
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = None
    found = reminders.preview(
        db.session, rule, utcnow(), _int_arg("object_id"), _int_arg("recipient_id"), day
    )
    email = None
    if found:
        occurrence, recipient, message = found
        link = external_link(message.url)
        subject, text, _html = render_email(
            recipient, "notification", message.subject, body=message.body, link=link
        )
        with force_locale(recipient.locale):  # the HTML part as the recipient will see it
            html = current_app.jinja_env.get_template("email/_notification_body.html").render(
                user=recipient,
                body=message.body,
                link=link,
                settings_link=external_link(url_for(".settings")),
            )
        email = {
            "occurrence": occurrence,
            "recipient": recipient,
            "subject": subject,
            "text": text,
            "html": Markup(html),  # noqa: S704 - rendered by an autoescaped .html template
        }
    return render_template(
        "notifications/preview.html",
        rule=rule,
        kind_labels=_kind_labels(),
        email=email,
    )


def _email(email_id: int) -> OutboxEmail:
    return load_or_404(OutboxEmail, email_id, permissions.can_view_outbox_email)


@bp.get("/admin/reminders/emails/<int:email_id>")
@requires(permissions.can_manage_reminders)
def email_view(email_id: int):
    email = _email(email_id)
    stuck = notifications.is_stuck(email, utcnow())
    return render_template(
        "notifications/email.html",
        email=email,
        stuck=stuck,
        may_send_again=email.may_send_again or stuck,
        action_form=PostOnlyForm(),
        **_status_labels(),
    )


@bp.post("/admin/reminders/emails/<int:email_id>/retry")
@requires(permissions.can_manage_reminders)
def email_retry(email_id: int):
    email = _email(email_id)
    if PostOnlyForm().validate_on_submit():
        with attempt() as outcome:
            notifications.retry(db.session, email, utcnow())
        if outcome.ok:
            flash(_("The email will be sent again within a minute."), "success")
    return redirect(url_for(".admin_index"))


# Ids one bulk "send again" may name: two pages of the problems table and then some.
SEND_AGAIN_MAX = 1000


def _chosen_emails() -> tuple[list[OutboxEmail], int, int]:
    """The emails the form names that the user may see, how many it named that are not, and how
    many it named past SEND_AGAIN_MAX (left for another time, and said so)."""
    over = 0
    if request.form.get("scope") == "failed":
        rows = notifications.failed_for_good(db.session)
        wanted = len(rows)
    else:
        ids = {int(v) for v in request.form.getlist("email_id") if v.isdigit()}
        ids = sorted(i for i in ids if 0 < i < 2**31)
        over = max(0, len(ids) - SEND_AGAIN_MAX)
        ids = ids[:SEND_AGAIN_MAX]
        rows = notifications.emails_by_id(db.session, ids)
        wanted = len(ids)
    allowed = [e for e in rows if permissions.can_view_outbox_email(current_user, e)]
    return allowed, wanted - len(allowed), over


@bp.post("/admin/reminders/emails/send-again")
@requires(permissions.can_manage_reminders)
def emails_send_again():
    """ "Send again" for the emails ticked in the problems table, or for every email that failed
    for good (after an outage longer than the retries)."""
    target = url_for(".admin_index", _anchor="problems")
    if not PostOnlyForm().validate_on_submit():
        flash(_("The form has expired: please try again."), "danger")
        return redirect(target)
    emails, unknown, over = _chosen_emails()
    if not emails and not unknown:
        flash(_("Choose the emails to send again."), "warning")
        return redirect(target)
    with attempt() as outcome:
        queued, refused = notifications.send_again(db.session, emails, utcnow())
    if not outcome.ok:
        return redirect(target)
    if queued:
        flash(
            ngettext(
                "%(num)d email will be sent again within a minute.",
                "%(num)d emails will be sent again within a minute.",
                queued,
            ),
            "success",
        )
    if refused:
        flash(
            ngettext(
                "%(num)d email was left as it is: it has been sent, or is being sent now.",
                "%(num)d emails were left as they are: they have been sent, or are being sent now.",
                refused,
            ),
            "warning",
        )
    if unknown:
        flash(
            ngettext(
                "%(num)d email could not be found.", "%(num)d emails could not be found.", unknown
            ),
            "warning",
        )
    if over:
        flash(
            ngettext(
                "%(num)d more email was not sent again: at most %(max)d at once. Choose it again.",
                "%(num)d more emails were not sent again: at most %(max)d at once. Choose them "
                "again.",
                over,
                max=SEND_AGAIN_MAX,
            ),
            "warning",
        )
    return redirect(target)
