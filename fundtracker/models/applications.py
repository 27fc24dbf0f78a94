"""Grant applications: calls for proposals, organisations' registrations, applications with
their budget, milestones, indicators and attachments, the workflow's transitions, and reviews."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundtracker.core.i18n import LANGUAGES
from fundtracker.models.base import (
    Base,
    TimestampMixin,
    UTCDateTime,
    localized,
    str_enum,
    utcnow,
)
from fundtracker.models.delivery import BudgetCategory

if TYPE_CHECKING:
    from fundtracker.models.organisation import Organisation
    from fundtracker.models.project import Project
    from fundtracker.models.reference import ProgrammeArea, Region
    from fundtracker.models.user import User


# A call's texts written in each language: (what `Call.missing_languages` calls it, the column
# name without its language).
CALL_TEXTS = (
    ("title", "title"),
    ("description", "description"),
    ("eligibility", "eligibility"),
    ("documents", "required_documents"),
)


def _text(obj, name: str) -> str:
    """A text column's value stripped ("" before a new row's defaults are set)."""
    return (getattr(obj, name) or "").strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def localized_language(obj, field: str, locale: str) -> str:
    """The language `localized(obj, field, locale)` takes its text from; `locale` when no
    language has any (a page marks a text in another language with lang="xx")."""
    for code in (locale, *LANGUAGES):
        if getattr(obj, f"{field}_{code}", None):
            return code
    return locale


class CallStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Call(TimestampMixin, Base):
    """A call for proposals. Opening and closing times are stored in UTC, entered and shown in
    Asia/Almaty."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="dates_in_order"),
        CheckConstraint("max_request > 0", name="max_request_positive"),
        CheckConstraint("max_request <= budget_envelope", name="max_within_envelope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("programme_areas.id"), index=True)
    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_kk: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # Who may apply, in each language.
    eligibility_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    eligibility_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    eligibility_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    budget_envelope: Mapped[int] = mapped_column(BigInteger)  # tiyn
    max_request: Mapped[int] = mapped_column(BigInteger)  # tiyn
    # The documents an applicant must attach, one per line, in each language (line N of one
    # language is the same document as line N of another).
    required_documents_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    required_documents_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    required_documents_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, "call_status"), default=CallStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    area: Mapped[ProgrammeArea] = relationship()
    criteria: Mapped[list[CallCriterion]] = relationship(
        back_populates="call",
        order_by="(CallCriterion.position, CallCriterion.id)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version_id}

    def title(self, locale: str) -> str:
        return localized(self, "title", locale)

    def description(self, locale: str) -> str:
        return localized(self, "description", locale)

    def eligibility(self, locale: str) -> str:
        return localized(self, "eligibility", locale)

    def _documents_by_language(self) -> dict[str, list[str]]:
        return {code: _lines(_text(self, f"required_documents_{code}")) for code in LANGUAGES}

    def document_names(self, locale: str) -> list[tuple[str, str]]:
        """(name, its language) of each document to attach: line N in `locale`, else in the
        first language that has a line N (as `localized` falls back, line by line)."""
        by_language = self._documents_by_language()
        count = max(len(lines) for lines in by_language.values())
        names = []
        for i in range(count):
            code = next(c for c in (locale, *LANGUAGES) if i < len(by_language.get(c, ())))
            names.append((by_language[code][i], code))
        return names

    def documents(self, locale: str) -> list[str]:
        """The documents to attach, one a line, in `locale` or the language it falls back to."""
        return [name for name, _code in self.document_names(locale)]

    def is_document(self, name: str) -> bool:
        """Whether `name` is one of the documents to attach, in any language."""
        return any(name in lines for lines in self._documents_by_language().values())

    def missing_documents(self, attached: set[str], locale: str) -> list[str]:
        """The documents (named as `documents(locale)` names them) none of whose names in any
        language is among `attached`: line N of each language names the same document."""
        by_language = self._documents_by_language().values()
        return [
            name
            for i, name in enumerate(self.documents(locale))
            if not any(i < len(lines) and lines[i] in attached for lines in by_language)
        ]

    def lang_of(self, field: str, locale: str) -> str:
        """The language `localized(self, field, locale)` is in (`locale` when none has it)."""
        return localized_language(self, field, locale)

    def missing_languages(self) -> dict[str, list[str]]:
        """What the call lacks in each language, e.g. {"ru": ["eligibility", "criteria"]}: its
        title; its description, eligibility and documents when another language has them (a
        document: when another language has more lines); a name of any of its criteria.
        Languages that lack nothing are left out."""
        missing: dict[str, list[str]] = {}
        documents = self._documents_by_language()
        most_documents = max(len(lines) for lines in documents.values())
        for code in LANGUAGES:
            lacking = [
                part
                for part, field in CALL_TEXTS
                if not _text(self, f"{field}_{code}")
                and (part == "title" or any(_text(self, f"{field}_{o}") for o in LANGUAGES))
            ]
            if "documents" not in lacking and len(documents[code]) < most_documents:
                lacking.append("documents")  # fewer lines than another language has
            if any(not _text(c, f"name_{code}") for c in self.criteria):
                lacking.append("criteria")
            if lacking:
                missing[code] = lacking
        return missing

    @property
    def archived(self) -> bool:
        return self.status == CallStatus.ARCHIVED

    def is_open(self, now: datetime) -> bool:
        """Accepting submissions: published, opened, and not yet at its closing time."""
        return self.status == CallStatus.PUBLISHED and self.opens_at <= now < self.closes_at


class CallCriterion(Base):
    """A scoring criterion of a call; reviewers score it 1-5 and `weight` weighs it."""

    __tablename__ = "call_criteria"
    __table_args__ = (CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name_kk: Mapped[str] = mapped_column(String(300), default="", server_default="")
    name_ru: Mapped[str] = mapped_column(String(300), default="", server_default="")
    name_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")

    def label(self, locale: str) -> str:
        return localized(self, "name", locale)

    def lang_of(self, field: str, locale: str) -> str:
        return localized_language(self, field, locale)


class OrganisationRegistration(Base):
    """An organisation that registered itself. It may draft applications at once but submit
    them only once an officer has verified it. Organisations the fund created itself have no
    registration and need no verification."""

    __tablename__ = "organisation_registrations"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    verified_by: Mapped[User | None] = relationship()


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SCREENED = "screened"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class BeneficiaryCategory(enum.StrEnum):
    CHILDREN = "children"
    CHILDREN_RARE_DISEASES = "children_rare_diseases"
    CHILDREN_AUTISM = "children_autism"
    PEOPLE_WITH_DISABILITIES = "people_with_disabilities"
    FAMILIES = "families"
    STUDENTS = "students"
    SPECIALISTS = "specialists"
    OTHER = "other"


application_regions = Table(
    "application_regions",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id"), primary_key=True, index=True),
)


class Application(TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("awarded_amount IS NULL OR awarded_amount > 0", name="award_positive"),
        Index("ix_applications_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"),
        default=ApplicationStatus.DRAFT,
        index=True,
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # The officer's eligibility checklist: {item key: bool}.
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    awarded_amount: Mapped[int | None] = mapped_column(BigInteger)  # tiyn, set at approval
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), unique=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    call: Mapped[Call] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship()
    project: Mapped[Project | None] = relationship()
    regions: Mapped[list[Region]] = relationship(
        secondary=application_regions, order_by="Region.code"
    )
    beneficiaries: Mapped[list[ApplicationBeneficiary]] = relationship(
        back_populates="application",
        order_by="ApplicationBeneficiary.id",
        cascade="all, delete-orphan",
    )
    budget_lines: Mapped[list[ApplicationBudgetLine]] = relationship(
        back_populates="application",
        order_by="ApplicationBudgetLine.id",
        cascade="all, delete-orphan",
    )
    milestones: Mapped[list[ApplicationMilestone]] = relationship(
        back_populates="application",
        order_by="(ApplicationMilestone.due_date, ApplicationMilestone.id)",
        cascade="all, delete-orphan",
    )
    indicators: Mapped[list[ApplicationIndicator]] = relationship(
        back_populates="application",
        order_by="ApplicationIndicator.id",
        cascade="all, delete-orphan",
    )
    files: Mapped[list[ApplicationFile]] = relationship(
        back_populates="application", order_by="ApplicationFile.id", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[ApplicationTransition]] = relationship(
        back_populates="application",
        order_by="ApplicationTransition.id",
        cascade="all, delete-orphan",
    )
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="application", order_by="ReviewAssignment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def returned(self) -> bool:
        return self.status == ApplicationStatus.RETURNED

    @property
    def requested_amount(self) -> int:
        """The request is the budget's total."""
        return sum(line.amount for line in self.budget_lines)

    @property
    def tranches_total(self) -> int:
        return sum(m.tranche_amount for m in self.milestones)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"


class ApplicationBeneficiary(Base):
    __tablename__ = "application_beneficiaries"
    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        UniqueConstraint("application_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BeneficiaryCategory] = mapped_column(
        str_enum(BeneficiaryCategory, "beneficiary_category")
    )
    count: Mapped[int] = mapped_column(Integer)

    application: Mapped[Application] = relationship(back_populates="beneficiaries")


class ApplicationBudgetLine(Base):
    __tablename__ = "application_budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(
        str_enum(BudgetCategory, "application_budget_category")
    )
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[int] = mapped_column(BigInteger)  # tiyn

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class ApplicationMilestone(Base):
    """A planned milestone with the payment tranche it unlocks (0: none)."""

    __tablename__ = "application_milestones"
    __table_args__ = (CheckConstraint("tranche_amount >= 0", name="tranche_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(Date)
    tranche_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # tiyn

    application: Mapped[Application] = relationship(back_populates="milestones")


class ApplicationIndicator(Base):
    """A planned outcome indicator; approval makes it one of the project's indicators
    (services.applications._indicators_for_project)."""

    __tablename__ = "application_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline: Mapped[int] = mapped_column(BigInteger, default=0)
    target: Mapped[int] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship(back_populates="indicators")


class ApplicationFile(Base):
    """An attachment: checked by content, stored outside the web root under a random name."""

    __tablename__ = "application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    # Which of the call's required documents this is ("" for any other).
    document: Mapped[str] = mapped_column(String(300), default="")
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="files")


class ApplicationTransition(Base):
    """One step of the workflow: who, when, from, to, why."""

    __tablename__ = "application_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        str_enum(ApplicationStatus, "application_from_status")
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_to_status")
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class ConflictDeclaration(enum.StrEnum):
    PENDING = "pending"  # not declared yet: the reviewer sees nothing of the application
    NONE = "none"  # no conflict: the reviewer may read and score
    CONFLICT = "conflict"  # a conflict: the reviewer is off the application


class ReviewAssignment(Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    conflict: Mapped[ConflictDeclaration] = mapped_column(
        str_enum(ConflictDeclaration, "conflict_declaration"),
        default=ConflictDeclaration.PENDING,
    )
    conflict_note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )

    # States pages show (actions come from services.workflow).
    @property
    def interests_pending(self) -> bool:
        return self.conflict == ConflictDeclaration.PENDING

    @property
    def conflicted(self) -> bool:
        return self.conflict == ConflictDeclaration.CONFLICT

    @property
    def cleared(self) -> bool:
        """No conflict declared: the reviewer reads and scores the application."""
        return self.conflict == ConflictDeclaration.NONE

    def weighted_score(self) -> float | None:
        """The criteria's scores weighted by the call's weights, on the 1-5 scale."""
        if self.submitted_at is None or not self.scores:
            return None
        weights = {c.id: c.weight for c in self.application.call.criteria}
        total = sum(weights.get(s.criterion_id, 0) for s in self.scores)
        if not total:
            return None
        return sum(s.score * weights.get(s.criterion_id, 0) for s in self.scores) / total


class ReviewScore(Base):
    __tablename__ = "review_scores"
    __table_args__ = (CheckConstraint("score >= 1 AND score <= 5", name="score_range"),)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("call_criteria.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
    criterion: Mapped[CallCriterion] = relationship()
