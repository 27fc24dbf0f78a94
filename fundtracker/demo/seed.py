"""`seed_demo`: the whole demo, in the order its parts depend on each other, and the report the
`flask seed-demo` command prints."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from fundtracker.demo.applications import seed_applications
from fundtracker.demo.board import seed_board
from fundtracker.demo.delivery import seed_delivery
from fundtracker.demo.follow_ups import seed_follow_ups
from fundtracker.demo.inkind import seed_inkind
from fundtracker.demo.organisations import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    organisation_specs,
    seed_organisations,
    seed_users,
)
from fundtracker.demo.outcomes import seed_outcomes
from fundtracker.demo.payments import seed_bank_accounts
from fundtracker.demo.projects import project_specs, reference_data, seed_projects, specs_by_code
from fundtracker.demo.publications import seed_publications
from fundtracker.demo.reminders import seed_reminders
from fundtracker.demo.schedule import almaty_today
from fundtracker.models import Role


def seed_demo(session: Session, today: date | None = None) -> str:
    """Create the demo organisations, users and projects that are missing, and the delivery
    records of projects that have none; return a report. `today` (default: today in Almaty)
    decides what has happened already.

    Only adds and flushes: the caller commits (or rolls back)."""
    regions, areas = reference_data(session)
    organisations, orgs_created = seed_organisations(session, regions)
    users, users_created = seed_users(session, organisations)
    officers = [user for spec, user, _ in users if spec.role == Role.OFFICER]
    projects_created = seed_projects(session, organisations, officers, regions, areas)
    delivery, journey = seed_delivery(session, today)
    seed_reminders(session, today or almaty_today())
    outcomes = seed_outcomes(
        session,
        today or almaty_today(),
        {code: spec.kind for code, spec in specs_by_code().items()},
    )
    seed_applications(session, today)
    meetings = seed_board(session, today or almaty_today())
    deliveries = seed_inkind(session, today or almaty_today())
    seed_bank_accounts(session)
    published = seed_publications(session, today or almaty_today())
    follow_ups = seed_follow_ups(session, today or almaty_today())

    lines = [
        "FundTracker demo data",
        f"  organisations: {len(organisations)} ({orgs_created} created)",
        f"  users:         {len(users)} ({users_created} created)",
        f"  projects:      {len(project_specs())} ({projects_created} created)",
        f"  delivery:      {delivery['projects']} projects planned: "
        f"{delivery['budget lines']} budget lines, {delivery['milestones']} milestones,",
        f"                 {delivery['tranches']} tranches, {delivery['updates']} updates, "
        f"{delivery['comments']} comments, {delivery['events']} timeline events",
        f"  journey project (grantee@{DEMO_DOMAIN}): {journey or '-'}",
        f"  outcomes:      {outcomes['project indicators']} indicators, {outcomes['results']} "
        f"results, {outcomes['stories']} stories",
        f"  published:     {len(published)} periods of outcome figures",
        f"  board:         {meetings} meetings of the board of trustees created",
        f"  in kind:       {deliveries} deliveries created",
        f"  follow-ups:    {follow_ups} after closure",
        "",
        f"Password of every demo account created by this command: {DEMO_PASSWORD}",
        "",
        f"  {'role':<9} {'email':<34} {'locale':<6} name / organisation",
    ]
    for spec, user, is_new in users:
        who = user.name
        if spec.organisation:
            who += f" / {organisation_specs()[spec.organisation - 1].name}"
        note = "" if is_new else " (existed already)"
        lines.append(f"  {spec.role.value:<9} {user.email:<34} {user.locale:<6} {who}{note}")
    return "\n".join(lines)
