"""factory_boy factories for the models; rows are flushed into the test's transaction."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import factory
from factory.alchemy import SQLAlchemyModelFactory
from PIL import Image
from sqlalchemy import select

from fundtracker.core.extensions import db
from fundtracker.core.storage import file_storage
from fundtracker.models import (
    Application,
    ApplicationBeneficiary,
    ApplicationBudgetLine,
    ApplicationIndicator,
    ApplicationMilestone,
    ApplicationStatus,
    ApplicationTransition,
    BeneficiaryCategory,
    BudgetCategory,
    BudgetLine,
    Call,
    CallCriterion,
    CallStatus,
    Dimension,
    EmailStatus,
    FileKind,
    Frequency,
    ImpactStory,
    IndicatorResult,
    IndicatorType,
    Milestone,
    Organisation,
    ProgrammeArea,
    Project,
    ProjectIndicator,
    ProjectStatus,
    Region,
    ReminderKind,
    ReminderRule,
    ReportKind,
    ReportStatus,
    ResultCell,
    ResultStatus,
    Role,
    StandardIndicator,
    StoredReport,
    Tranche,
    User,
    bin_is_valid,
)
from fundtracker.services import application_files, files, notifications
from fundtracker.services import applications as application_service
from fundtracker.services import reviews as review_service
from fundtracker.services.accounts import hash_password
from fundtracker.services.outcomes import period_of

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


def valid_bin(n: int) -> str:
    """The n-th valid BIN of a deterministic sequence."""
    seq = 0
    while True:
        stem = f"2{(n * 7919 + seq) % 10**10:010d}"
        for check in range(10):
            candidate = f"{stem}{check}"
            if bin_is_valid(candidate):
                return candidate
        seq += 1


def region(code: str = "KZ-71") -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def area(code: str = "healthcare") -> ProgrammeArea:
    return db.session.scalar(select(ProgrammeArea).where(ProgrammeArea.code == code))


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"«Қамқорлық-{n}» қоғамдық қоры")
    bin = factory.Sequence(valid_bin)
    region = factory.LazyFunction(region)
    address = "Астана, Мәңгілік Ел 55"
    contact_name = "Айгүл Серікова"
    contact_email = factory.Sequence(lambda n: f"org{n}@example.kz")


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.OFFICER
    locale = "en"
    active = True
    password_hash = _PASSWORD_HASH
    organisation = None

    class Params:
        grantee = factory.Trait(
            role=Role.GRANTEE, organisation=factory.SubFactory(OrganisationFactory)
        )


class ProjectFactory(BaseFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"QH-2025-{n:03d}")
    title_kk = factory.Sequence(lambda n: f"Сирек аурулары бар балаларды емдеу {n}")
    title_ru = factory.Sequence(lambda n: f"Лечение детей с редкими заболеваниями {n}")
    title_en = factory.Sequence(lambda n: f"Treatment of children with rare diseases {n}")
    summary_en = "Medicines and care for children with rare diseases."
    organisation = factory.SubFactory(OrganisationFactory)
    area = factory.LazyFunction(area)
    status = ProjectStatus.ACTIVE
    awarded_amount = 150_000_000_00
    start_date = date(2025, 1, 15)
    end_date = date(2026, 12, 31)
    officer = None

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        self.regions = list(extracted) if extracted else [region("KZ-71")]
        if create:
            db.session.flush()


class MilestoneFactory(BaseFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}: equipment delivered")
    description = "Equipment bought and installed."
    deliverables = "Acts of acceptance, photos."
    due_date = date(2099, 6, 30)


class TrancheFactory(BaseFactory):
    class Meta:
        model = Tranche

    project = factory.SubFactory(ProjectFactory)
    milestone = None
    amount = 50_000_000_00
    planned_date = date(2099, 7, 15)


class BudgetLineFactory(BaseFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    category = BudgetCategory.EQUIPMENT
    description = "Rehabilitation equipment"
    amount = 80_000_000_00


# The smallest sound PDF (the upload check parses the structure): a catalog, a page tree and
# one page, with its cross-reference table.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>\n"
    b"endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n203\n%%EOF\n"
)


def stored_file(
    project, uploader, name="акт.pdf", content=PDF_BYTES, kind=FileKind.DOCUMENT, update=None
):
    """A real stored file (on disk under the app's upload folder)."""
    return files.store(
        db.session,
        file_storage(),
        uploader,
        project,
        io.BytesIO(content),
        name,
        kind,
        update=update,
    )


# Reminders and notifications ---------------------------------------------------------------------


class ReminderRuleFactory(BaseFactory):
    class Meta:
        model = ReminderRule

    kind = ReminderKind.MILESTONE_DUE
    days = 5
    send_time = time(9, 0)
    to_grantee = True
    to_officer = False
    grace_days = 2
    active = True


def notification(user, subject="Reminder: report due", url="/projects"):
    return notifications.notify(db.session, user, subject=subject, body="Body", url=url)


def failed_email(user, error="ConnectionRefusedError(111, 'Connection refused')"):
    email = notifications.queue_email(
        db.session, user, "Reminder: report due", "Text", "<p>Html</p>"
    )
    email.status = EmailStatus.FAILED
    email.attempts = notifications.MAX_ATTEMPTS
    email.last_error = error
    db.session.flush()
    return email


# Reports ---------------------------------------------------------------------------------------


class StoredReportFactory(BaseFactory):
    """A queued report (no file yet); pass `project` for a project report."""

    class Meta:
        model = StoredReport

    kind = ReportKind.BOARD
    locale = "en"
    period_start = date(2026, 1, 1)
    period_end = date(2026, 3, 31)
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    status = ReportStatus.QUEUED
    progress = 0

    class Params:
        for_project = factory.Trait(kind=ReportKind.PROJECT)


# Outcomes -----------------------------------------------------------------------------------------


class StandardIndicatorFactory(BaseFactory):
    class Meta:
        model = StandardIndicator

    code = factory.Sequence(lambda n: f"IND-{n:03d}")
    name_kk = factory.Sequence(lambda n: f"Сирек ауру бойынша ем алған балалар {n}")
    name_ru = factory.Sequence(lambda n: f"Дети, получившие лечение редкого заболевания {n}")
    name_en = factory.Sequence(lambda n: f"Children treated for a rare disease {n}")
    unit_en = "children"
    type = IndicatorType.COUNT


class ProjectIndicatorFactory(BaseFactory):
    class Meta:
        model = ProjectIndicator

    project = factory.SubFactory(ProjectFactory)
    standard = factory.SubFactory(StandardIndicatorFactory)
    type = IndicatorType.COUNT
    baseline = 0
    target = 100
    cumulative = False
    frequency = Frequency.QUARTERLY
    by_region = True
    by_sex = True
    by_age = False


def indicator_result(indicator, start, value, status=ResultStatus.REPORTED, cells=None, **kw):
    """A result for the period of `indicator` that starts on `start`, with breakdown cells given
    as {"sex": {"female": 3, ...}}."""
    _, end = period_of(indicator.frequency, start)
    result = IndicatorResult(
        indicator=indicator, period_start=start, period_end=end, value=value, status=status, **kw
    )
    for dimension, values in (cells or {}).items():
        for category, v in values.items():
            result.cells.append(
                ResultCell(dimension=Dimension(dimension), category=category, value=v)
            )
    db.session.add(result)
    db.session.flush()
    return result


def impact_story(
    project, author, consent=True, title="Айдана жүре бастады", body="Оңалтудан кейін.", **kw
):
    story = ImpactStory(
        project=project,
        title=title,
        body=body,
        consent=consent,
        author_id=author.id,
        **kw,
    )
    db.session.add(story)
    db.session.flush()
    return story


def photo_with_gps() -> bytes:
    """A JPEG whose EXIF names the camera and the place it was taken."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2025:05:01 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 15.0, 0.0)
    gps[3] = "E"
    gps[4] = (76.0, 53.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test photo has GPS
    return data


# Grant applications ------------------------------------------------------------------------------


class CallFactory(BaseFactory):
    """A published call, open from a year ago to far in the future."""

    class Meta:
        model = Call

    area = factory.LazyFunction(area)
    title_kk = factory.Sequence(lambda n: f"Сирек аурулар бойынша конкурс {n}")
    title_ru = factory.Sequence(lambda n: f"Конкурс по редким заболеваниям {n}")
    title_en = factory.Sequence(lambda n: f"Rare diseases call {n}")
    description_en = "Treatment and rehabilitation of children with rare diseases."
    eligibility_en = "Registered non-profit organisations of Kazakhstan."
    opens_at = datetime(2025, 1, 1, 4, 0, tzinfo=UTC)
    closes_at = datetime(2099, 12, 31, 13, 0, tzinfo=UTC)
    budget_envelope = 500_000_000_00
    max_request = 100_000_000_00
    required_documents_en = "Charter"
    status = CallStatus.PUBLISHED

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        # (English name, weight) pairs, or ({"name_kk": ..., ...}, weight) for other languages.
        specs = extracted or [("Relevance", 40), ("Feasibility", 30), ("Value for money", 30)]
        self.criteria = [
            CallCriterion(
                **(names if isinstance(names, dict) else {"name_en": names}),
                weight=weight,
                position=i,
            )
            for i, (names, weight) in enumerate(specs)
        ]
        if create:
            db.session.flush()


class ApplicationFactory(BaseFactory):
    """A complete draft: one budget line, two milestones whose tranches add up to it, an
    indicator, beneficiaries, a region; the Charter is not attached (see `attach_charter`)."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(
        lambda o: UserFactory(role=Role.GRANTEE, organisation=o.organisation)
    )
    status = ApplicationStatus.DRAFT
    title = factory.Sequence(lambda n: f"Rehabilitation centre {n}")
    summary = "A rehabilitation centre for children in Kyzylorda."
    start_date = date(2099, 1, 1)
    end_date = date(2099, 12, 31)
    screening = factory.LazyFunction(dict)

    @factory.post_generation
    def contents(self, create, extracted, **kwargs):
        self.transitions = [
            ApplicationTransition(
                actor_id=self.created_by.id, from_status=None, to_status=self.status
            )
        ]
        if extracted is False:
            if create:
                db.session.flush()
            return
        self.regions = [region("KZ-43")]
        self.beneficiaries = [
            ApplicationBeneficiary(category=BeneficiaryCategory.CHILDREN_RARE_DISEASES, count=40)
        ]
        self.budget_lines = [
            ApplicationBudgetLine(
                category=BudgetCategory.EQUIPMENT, description="Equipment", amount=60_000_000_00
            )
        ]
        self.milestones = [
            ApplicationMilestone(
                title="Equipment installed",
                due_date=date(2099, 6, 30),
                tranche_amount=40_000_000_00,
            ),
            ApplicationMilestone(
                title="Centre opened", due_date=date(2099, 11, 30), tranche_amount=20_000_000_00
            ),
        ]
        self.indicators = [
            ApplicationIndicator(name="Children treated", unit="children", baseline=0, target=40)
        ]
        if create:
            db.session.flush()


def attach_charter(application, uploader=None):
    return application_files.attach(
        db.session,
        file_storage(),
        uploader or application.created_by,
        application,
        io.BytesIO(PDF_BYTES),
        "Жарғы.pdf",
        "Charter",
    )


def application_in(status, **kwargs):
    """An application in `status`, with the transitions that lead there recorded by the
    workflow itself and, from under review on, a reviewer's submitted scores."""
    S = ApplicationStatus  # noqa: N806
    application = ApplicationFactory(**kwargs)
    applicant = application.created_by
    if status == S.DRAFT:
        return application
    attach_charter(application)
    application_service.transition(db.session, applicant, application, S.SUBMITTED)
    officer = UserFactory(role=Role.OFFICER)
    if status == S.SUBMITTED:
        return application
    if status in (S.RETURNED, S.REJECTED):
        application_service.transition(db.session, officer, application, status, "Reason")
        return application
    application_service.transition(db.session, officer, application, S.SCREENED)
    if status == S.SCREENED:
        return application
    reviewer = UserFactory(role=Role.REVIEWER)
    assignment = review_service.assign_reviewer(db.session, officer, application, reviewer)
    review_service.declare_conflict(db.session, reviewer, assignment, False)
    review_service.submit_scores(
        db.session,
        reviewer,
        assignment,
        {c.id: (4, "Good") for c in application.call.criteria},
    )
    return application


def application_scored(call, *scores: int):
    """An application of `call` under review, with one reviewer per score who gave it that score
    on every criterion (no scores: screened, no reviewer yet)."""
    application = application_in(ApplicationStatus.SCREENED, call=call)
    officer = UserFactory(role=Role.OFFICER)
    for score in scores:
        reviewer = UserFactory(role=Role.REVIEWER)
        assignment = review_service.assign_reviewer(db.session, officer, application, reviewer)
        review_service.declare_conflict(db.session, reviewer, assignment, False)
        review_service.submit_scores(
            db.session, reviewer, assignment, {c.id: (score, "") for c in call.criteria}
        )
    return application


# The board of trustees' register (issue #21) ---------------------------------------------------

_board_numbers = iter(range(1, 10**6))


def board_decision(
    kind: str,
    *,
    outcome: str = "approved",
    amount: int | None = None,
    end_date: date | None = None,
    application=None,
    project=None,
    tranche=None,
    held_on: date = date(2026, 11, 20),
):
    """A decision of a meeting held with a quorum, on one item linked to what it decides."""
    from fundtracker.models import (
        AgendaItem,
        AgendaKind,
        BoardDecision,
        BoardMeeting,
        DecisionOutcome,
        MeetingStatus,
    )

    n = next(_board_numbers)
    meeting = BoardMeeting(
        number=f"T-{n}",
        held_on=held_on,
        status=MeetingStatus.HELD,
        members_total=7,
        members_present=5,
        attendees="",
        location="",
    )
    item = AgendaItem(
        position=1,
        kind=AgendaKind(kind),
        application=application,
        project=project if project is not None else (tranche.project if tranche else None),
        tranche=tranche,
        title=f"Item {n}",
        notes="",
        amount=amount,
        end_date=end_date,
    )
    meeting.items.append(item)
    item.decision = BoardDecision(
        number=f"T-{n}/1", outcome=DecisionOutcome(outcome), text_en="Decided.", amount=amount
    )
    db.session.add(meeting)
    db.session.flush()
    return item.decision
