"""The reports page: board members and officers build the board's impact report for a published
period, area, region and language; officers and grantees build project reports. A board report is
built in the background (see fundtracker.pdf.jobs); one built from the same data is served at
once."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fundtracker import permissions
from fundtracker.blueprints.reports import bp
from fundtracker.blueprints.reports.forms import BoardReportForm, ProjectReportForm
from fundtracker.core.extensions import db
from fundtracker.core.i18n import current_locale
from fundtracker.core.time import today
from fundtracker.models import (
    Project,
    ReportKind,
    ReportStatus,
    StoredReport,
)
from fundtracker.pdf import jobs, service
from fundtracker.pdf.params import ReportParams
from fundtracker.permissions import scopes
from fundtracker.services import publications, reference
from fundtracker.web import ACCEL_REPORTS, attempt, load_or_404, requires, send_download
from fundtracker.web import audit as audit_log
from fundtracker.web.forms import choices, int_or_none

RECENT = 30


def status_labels() -> dict:
    return {
        ReportStatus.QUEUED: _("Waiting to be built"),
        ReportStatus.BUILDING: _("Being built"),
        ReportStatus.DONE: _("Ready"),
        ReportStatus.FAILED: _("Failed"),
    }


def _project_choices(user) -> list:
    if not permissions.can_request_project_reports(user):
        return []
    locale = current_locale()
    projects = db.session.scalars(scopes.visible_projects(user).order_by(Project.code)).all()
    return choices([(p.id, f"{p.code} · {p.title(locale)}") for p in projects])


def _recent_reports(user) -> list[StoredReport]:
    stmt = (
        select(StoredReport)
        .outerjoin(StoredReport.project)
        .options(
            joinedload(StoredReport.project),
            joinedload(StoredReport.area),
            joinedload(StoredReport.region),
        )
        .order_by(StoredReport.id.desc())
        .limit(RECENT)
    )
    if not permissions.can_use_reports(user):
        return []
    return list(db.session.scalars(stmt.where(*scopes.reports(user))))


def _period_labels(reports: list[StoredReport]) -> dict[int, str]:
    """Each listed report's period as people name it ("2025 Q4"), where its dates are a period
    of the grid; other reports show their dates."""
    labels = {}
    for report in reports:
        period = ReportParams.of(report).period() if report.is_board else None
        if period is not None:
            labels[report.id] = period.label()
    return labels


def _index_page(board_form=None, project_form=None, status: int = 200):
    user = current_user
    locale = current_locale()
    published = publications.publications(db.session)
    if board_form is None and permissions.can_build_board_report(user):
        latest = published[0].period if published else None
        board_form = BoardReportForm(formdata=None, period=latest, language=locale)
    if board_form is not None:
        board_form.fill_choices(
            reference.areas(db.session), reference.regions(db.session, locale), locale, published
        )
    project_choices = _project_choices(user)
    if project_form is None and project_choices:
        project_form = ProjectReportForm(formdata=None, language=locale)
    if project_form is not None:
        project_form.project.choices = project_choices
    reports = _recent_reports(user)
    return (
        render_template(
            "reports/index.html",
            board_form=board_form,
            project_form=project_form,
            reports=reports,
            period_labels=_period_labels(reports),
            outdated={r.id for r in reports if r.is_ready and service.outdated(db.session, r)},
            labels=status_labels(),
        ),
        status,
    )


def _after_request_for(report: StoredReport, ready: bool):
    if ready or report.status == ReportStatus.DONE:
        return redirect(url_for(".download", report_id=report.id))
    return redirect(url_for(".detail", report_id=report.id))


@bp.get("/")
@requires(permissions.can_use_reports)
def index():
    return _index_page()


@bp.post("/board")
@requires(permissions.can_build_board_report)
def request_board():
    form = BoardReportForm()
    locale = current_locale()
    form.fill_choices(
        reference.areas(db.session),
        reference.regions(db.session),
        locale,
        publications.publications(db.session),
    )
    publication = None
    if form.validate():
        publication = publications.find(db.session, form.period.data)
        if publication is None:
            form.refuse_period()
    if publication is None:
        return _index_page(board_form=form, status=422)
    params = ReportParams.board(
        publication, form.language.data, area_id=form.area.data, region_id=form.region.data
    )
    with attempt() as outcome:
        report, ready = service.request_report(db.session, current_user, params, today())
    if not outcome.ok:
        return redirect(url_for(".index"))
    return _after_request_for(report, ready)


@bp.post("/project")
@requires(permissions.can_request_project_reports)
def request_project():
    form = ProjectReportForm()
    form.project.choices = _project_choices(current_user)
    project_id = int_or_none(request.form.get("project"))
    # Loaded and checked before the form: another organisation's project is 404, as everywhere.
    project = (
        load_or_404(Project, project_id, permissions.can_build_project_report)
        if project_id is not None
        else None
    )
    if not form.validate() or project is None:
        return _index_page(project_form=form, status=422)
    params = ReportParams(
        kind=ReportKind.PROJECT,
        locale=form.language.data,
        period_start=project.start_date,
        period_end=project.end_date,
        project_id=project.id,
    )
    with attempt() as outcome:
        report, ready = service.request_report(db.session, current_user, params, today())
    if not outcome.ok:
        return redirect(url_for(".index"))
    if not ready and report.status == ReportStatus.QUEUED:
        # One project is a few pages: built now rather than queued behind board reports.
        jobs.build_one(db.session, report.id, today())
        db.session.refresh(report)
    return _after_request_for(report, ready)


def _load(report_id: int) -> StoredReport:
    return load_or_404(StoredReport, report_id, permissions.can_view_report)


def _again(report: StoredReport) -> dict | None:
    """For a failed report: the form that asks for the same report again (the board report's
    or the project report's, as filled in the first time), as {"action": url, "fields": {...}};
    None when it cannot be asked for as it was (dates that are no period of the grid)."""
    if report.status != ReportStatus.FAILED:
        return None
    if report.kind == ReportKind.PROJECT:
        return {
            "action": url_for(".request_project"),
            "fields": {"project": report.project_id, "language": report.locale},
        }
    period = ReportParams.of(report).period()
    if period is None:
        return None
    return {
        "action": url_for(".request_board"),
        "fields": {
            "period": period.key,
            "area": report.area_id or "",
            "region": report.region_id or "",
            "language": report.locale,
        },
    }


def _retry(report: StoredReport) -> int | None:
    """The build's attempt number (now building, or next) once an earlier one failed or was
    abandoned: "attempt 2 of 3"; None on the first."""
    if report.status == ReportStatus.BUILDING:
        attempt = report.attempts
    elif report.status == ReportStatus.QUEUED:
        attempt = report.attempts + 1
    else:
        return None
    return attempt if attempt > 1 else None


@bp.get("/<int:report_id>")
@requires(permissions.can_use_reports)
def detail(report_id: int):
    report = _load(report_id)
    return render_template(
        "reports/detail.html",
        report=report,
        period_label=_period_labels([report]).get(report.id),
        outdated=service.outdated(db.session, report),
        labels=status_labels(),
        finished=report.status in (ReportStatus.DONE, ReportStatus.FAILED),
        retry=_retry(report),
        max_attempts=service.max_attempts(),
        again=_again(report),
        show_error=permissions.is_admin(current_user) and bool(report.error),
    )


@bp.get("/<int:report_id>/status")
@requires(permissions.can_use_reports)
def status(report_id: int):
    report = _load(report_id)
    return jsonify(
        status=report.status.value,
        label=status_labels()[report.status],
        progress=report.progress,
        # Pages laid out so far while it builds (the page count once built); None before.
        pages=report.pages,
        finished=report.status in (ReportStatus.DONE, ReportStatus.FAILED),
    )


def download_name(report: StoredReport) -> str:
    if report.kind == ReportKind.PROJECT and report.project is not None:
        return f"project-report-{report.project.code}-{report.locale}.pdf"
    period = ReportParams.of(report).period()
    if period is not None:
        return f"impact-report-{period.key}-{report.locale}.pdf"
    return (
        f"impact-report-{report.period_start.isoformat()}-{report.period_end.isoformat()}"
        f"-{report.locale}.pdf"
    )


@bp.get("/<int:report_id>/download")
@requires(permissions.can_use_reports)
def download(report_id: int):
    report = _load(report_id)
    if report.status != ReportStatus.DONE or service.outdated(db.session, report):
        return redirect(url_for(".detail", report_id=report.id))
    path = service.report_path(report)
    if path is None:
        abort(404)
    response = send_download(
        path,
        ACCEL_REPORTS + path.name,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name(report),
        max_age=0,
    )
    period = ReportParams.of(report).period()
    audit_log.record_read(
        "report.downloaded",
        target=report,
        details={
            "kind": report.kind.value,
            "period": period.key
            if period is not None
            else f"{report.period_start.isoformat()}/{report.period_end.isoformat()}",
            "locale": report.locale,
            "project": report.project.code if report.project is not None else None,
        },
    )
    return response


@bp.app_context_processor
def _reports_navigation():
    return {"nav_reports": permissions.can_use_reports(current_user)}
