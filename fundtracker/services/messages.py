"""The messages workflow events send, by key, and their rendering in a reader's language.

A notification stores its message's key and language-neutral parameters: plain text, a
{"kk": ..., "ru": ..., "en": ...} mapping for what has a name in each language, `*_tiyn` amounts
shown as money, and `comment` (what the actor wrote), shown as its own paragraph, never
translated. So it is rendered when read, in the reader's language of the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from fundtracker.core.i18n import LANGUAGES, format_money
from fundtracker.models import Notification


@dataclass(frozen=True)
class Message:
    subject: Any  # lazy strings: translated when rendered
    body: Any
    # (parameter, line): a sentence added when the parameter is given
    extra: tuple[tuple[str, Any], ...] = ()


# The messages, by key. A key is stored with each notification: keep keys once used.
MESSAGES: dict[str, Message] = {
    "revision_requested": Message(
        _l("Revision requested: %(milestone)s"),
        _l(
            "The fund has asked for a revision of your update on the milestone «%(milestone)s» "
            "of the project %(project)s. Your answers are kept: correct them and submit again."
        ),
    ),
    "milestone_accepted": Message(
        _l("Update accepted: %(milestone)s"),
        _l("The fund has accepted your update on the milestone «%(milestone)s» of %(project)s."),
    ),
    "update_submitted": Message(
        _l("Update to review: %(milestone)s"),
        _l(
            "%(organisation)s has submitted an update on the milestone «%(milestone)s» of "
            "%(project)s. It waits for your review."
        ),
    ),
    "tranche_approved": Message(
        _l("Tranche approved for payment: %(amount)s"),
        _l("The fund has approved a tranche of %(amount)s for %(project)s for payment."),
    ),
    "tranche_paid": Message(
        _l("Payment made: %(amount)s"),
        _l("The fund has paid a tranche of %(amount)s for %(project)s."),
    ),
    "result_queried": Message(
        _l("Result queried: %(indicator)s"),
        _l(
            "The fund has a question about the result you reported for «%(indicator)s» "
            "(%(project)s). Please check it and correct it."
        ),
    ),
    "result_corrected": Message(
        _l("Result corrected: %(indicator)s"),
        _l(
            "%(organisation)s has corrected the result for «%(indicator)s» (%(project)s). It "
            "waits for verification."
        ),
    ),
    "reviewer_assigned": Message(
        _l("Application to review: %(application)s"),
        _l(
            "You have been asked to review the application «%(application)s» to the call "
            "%(call)s. Declare any conflict of interest first; then score it."
        ),
    ),
    # The applicant: the same words as before notifications kept their key.
    "application_approved": Message(
        _l("Your application has been approved: %(title)s"),
        _l("The fund approved your application “%(title)s”."),
        (("amount_tiyn", _l("Awarded amount: %(amount)s.")),),
    ),
    "application_rejected": Message(
        _l("Decision on your application: %(title)s"),
        _l("The fund did not approve your application “%(title)s”."),
    ),
    "application_returned": Message(
        _l("Your application was returned for changes: %(title)s"),
        _l("The fund returned your application “%(title)s” for changes."),
    ),
    "reviewed_application_approved": Message(
        _l("Decision on an application you reviewed: %(application)s"),
        _l("The fund has approved the application «%(application)s» that you reviewed."),
    ),
    "reviewed_application_rejected": Message(
        _l("Decision on an application you reviewed: %(application)s"),
        _l("The fund has not approved the application «%(application)s» that you reviewed."),
    ),
    "payment_requested": Message(
        _l("Payment requested: %(amount)s"),
        _l(
            "%(organisation)s requests the tranche of %(amount)s for the project %(project)s, "
            "with invoice %(invoice)s. Check it and approve it or return it."
        ),
    ),
    "payment_request_returned": Message(
        _l("Payment request returned: %(amount)s"),
        _l(
            "The fund has returned your request for the tranche of %(amount)s of the project "
            "%(project)s: correct it and send it again."
        ),
    ),
    "payment_request_approved": Message(
        _l("Payment request approved: %(amount)s"),
        _l(
            "The fund has approved your request for the tranche of %(amount)s of the project "
            "%(project)s; it will be paid to your organisation's account."
        ),
    ),
    "payment_request_withdrawn": Message(
        _l("Payment request withdrawn: %(amount)s"),
        _l("%(organisation)s withdrew its request for the tranche of %(amount)s of %(project)s."),
    ),
    "inkind_delivered": Message(
        _l("Delivered: %(item)s"),
        _l(
            "The fund has delivered %(quantity)s × %(item)s to %(facility)s for the project "
            "%(project)s. Confirm what arrived, with the signed acceptance act or a photo."
        ),
    ),
    "inkind_cancelled": Message(
        _l("Delivery cancelled: %(item)s"),
        _l("The fund has cancelled the planned delivery of %(item)s for the project %(project)s."),
    ),
    "inkind_confirmed": Message(
        _l("Receipt confirmed: %(item)s"),
        _l("%(organisation)s confirmed receipt of %(item)s for the project %(project)s."),
    ),
    "inkind_disputed": Message(
        _l("Discrepancy reported: %(item)s"),
        _l(
            "%(organisation)s received another quantity of %(item)s than was delivered for the "
            "project %(project)s. Read what they say and settle it."
        ),
    ),
    "inkind_resolved": Message(
        _l("Discrepancy settled: %(item)s"),
        _l("The fund has settled the discrepancy in the delivery of %(item)s for %(project)s."),
    ),
    "board_decision": Message(
        _l("Board decision %(number)s: %(outcome)s"),
        _l(
            "The board of trustees decided on «%(item)s» at its meeting %(meeting)s: "
            "%(outcome)s (decision %(number)s)."
        ),
    ),
    "project_status_changed": Message(
        _l("Project status changed: %(project)s"),
        _l("The fund changed the status of the project %(project)s to «%(status)s»."),
    ),
    "organisation_verified": Message(
        _l("Your organisation is verified"),
        _l("The fund has verified %(organisation)s. You can now submit applications."),
    ),
    # "title": the published period's name ("2025 Q1"), in each language.
    "outcomes_published": Message(
        _l("Outcome figures for %(title)s are published"),
        _l(
            "The fund has published its outcome figures for %(title)s. The board's pages, "
            "reports and exports show them from now on; published figures are never rewritten."
        ),
    ),
    # An organisation's people (services.members), told to its managers. "by": who acted.
    "member_invited": Message(
        _l("Colleague invited: %(name)s"),
        _l(
            "%(by)s has invited %(name)s (%(email)s) to work on %(organisation)s's projects in "
            "FundTracker as a member."
        ),
    ),
    "member_removed": Message(
        _l("Colleague removed: %(name)s"),
        _l(
            "%(by)s has removed %(name)s (%(email)s) from %(organisation)s in FundTracker: "
            "their access has ended."
        ),
    ),
    "manager_granted": Message(
        _l("New manager of your organisation's people: %(name)s"),
        _l(
            "%(by)s has made %(name)s a manager of %(organisation)s's people in FundTracker: "
            "they can invite and remove colleagues."
        ),
    ),
    "manager_given_up": Message(
        _l("%(name)s no longer manages your organisation's people"),
        _l(
            "%(name)s is no longer a manager of %(organisation)s's people in FundTracker "
            "(changed by %(by)s)."
        ),
    ),
    # Follow-ups after closure: "months", the months after closing it is due.
    "follow_up_submitted": Message(
        _l("Follow-up to review: %(project)s"),
        _l(
            "%(organisation)s has answered the follow-up %(months)s months after the closing of "
            "the project %(project)s. It waits for your review."
        ),
    ),
    "follow_up_accepted": Message(
        _l("Follow-up accepted: %(project)s"),
        _l(
            "The fund has accepted your follow-up %(months)s months after the closing of the "
            "project %(project)s. Thank you."
        ),
    ),
    "follow_up_returned": Message(
        _l("Follow-up returned for changes: %(project)s"),
        _l(
            "The fund has returned your follow-up %(months)s months after the closing of the "
            "project %(project)s. Your answers are kept: correct them and submit again."
        ),
    ),
}


def in_each_language(text) -> dict[str, str]:
    """A parameter for a translatable text (a lazy string), as each language says it."""
    values = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            values[lang] = str(text)
    return values


def numbered(application) -> dict[str, str]:
    """An application by its number, for who may not read its title yet."""
    return in_each_language(_l("Application no. %(id)d", id=application.id))


def names(obj, field: str = "title") -> dict[str, str]:
    """A parameter for what has a name in each language (`title_kk`, `title_ru`, `title_en`)."""
    return {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGUAGES}


def _value(value: Any, key: str, locale: str) -> str:
    if key.endswith("_tiyn"):
        return format_money(int(value), locale)
    if isinstance(value, dict):
        for lang in (locale, *LANGUAGES):
            if value.get(lang):
                return value[lang]
        return ""
    return str(value)


def render(key: str, params: dict[str, Any], locale: str) -> tuple[str, str] | None:
    """(subject, body) of a message in `locale`, or None for an unknown key."""
    message = MESSAGES.get(key)
    if message is None:
        return None
    values = {}
    for name, value in params.items():
        if name == "comment":
            continue
        values[name.removesuffix("_tiyn")] = _value(value, name, locale)
    with force_locale(locale):
        subject = str(message.subject) % values
        body = str(message.body) % values
        for name, line in message.extra:
            if params.get(name) is not None:
                body = f"{body}\n{str(line) % values}"
    comment = str(params.get("comment") or "").strip()
    return subject, f"{body}\n\n{comment}" if comment else body


def text_of(notification: Notification, locale: str) -> tuple[str, str]:
    """What a notification says to its reader in `locale`: rendered from its message when it
    has one, else the text it was written with."""
    if notification.message_key:
        rendered = render(notification.message_key, notification.params or {}, locale)
        if rendered is not None:
            return rendered
    return notification.subject, notification.body
