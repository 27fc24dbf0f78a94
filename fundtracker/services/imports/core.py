"""The import's framework (issue #24): sheets and their columns, reading a workbook or a CSV,
parsing cells, and the plan a check produces (problems and changes) before anything is written.

A sheet module (`sheets/*.py`) subclasses `Sheet`: its columns are the contract shared by the
template, the project list's export and the import, so an export can be edited and imported
back. Its `check` reads the parsed rows and records problems and changes in the `Context`; its
`apply` writes the changes. `check` never writes; `apply` runs only when the whole workbook
checked clean, in one transaction (see `services/imports/__init__.py`).

Problems keep a message code and its parameters, not text: a preview stored with the batch is
shown in each reader's language.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from fundtracker.core.text import clean_line, clean_text
from fundtracker.models import User, bin_is_valid

LOCALES = ("kk", "ru", "en")
MAX_ROWS = 50_000  # per sheet; a portfolio of 1,000 projects has some 10,000 milestones
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)

# Column kinds.
TEXT, LINE, INT, MONEY, DATE, BOOL, CHOICE, EMAIL, BIN = (
    "text",  # several lines
    "line",  # one line
    "int",
    "money",  # tenge, either decimal mark; stored in tiyn
    "date",
    "bool",
    "choice",  # one of a reference list (Context.refs), by code or by name in any language
    "email",
    "bin",
)

# Every message a check can give. Sheet modules add theirs with `MESSAGES.update`.
MESSAGES: dict[str, Any] = {
    "not_a_workbook": _l("This file is neither an XLSX workbook nor a CSV file."),
    "empty": _l("The file has no rows to import."),
    "too_many_rows": _l("A sheet may have at most %(max)s rows."),
    "unknown_sheet": _l("The sheet “%(value)s” is not one of the template's sheets."),
    "unknown_csv": _l("Choose which sheet of the template this CSV file holds."),
    "missing_column": _l("This column is missing from the sheet."),
    "unknown_column": _l("The column “%(value)s” is not one of this sheet's columns."),
    "duplicate_column": _l("The column “%(value)s” appears twice."),
    "required": _l("This value is required."),
    "too_long": _l("At most %(max)s characters."),
    "not_a_number": _l("“%(value)s” is not a whole number."),
    "negative": _l("This cannot be negative."),
    "not_money": _l("“%(value)s” is not an amount in tenge (for example 1 250 000,50)."),
    "not_a_date": _l("“%(value)s” is not a date (write it as DD.MM.YYYY)."),
    "date_out_of_range": _l("%(value)s is not between 2000 and 2100."),
    "not_yes_no": _l("“%(value)s” is neither yes nor no."),
    "unknown_choice": _l("“%(value)s” is not one of the allowed values."),
    "not_an_email": _l("“%(value)s” is not an email address."),
    "bad_bin": _l("“%(value)s” is not a BIN: 12 digits with a valid check digit."),
    "duplicate_row": _l("This row repeats row %(row)s."),
    "changed_since_preview": _l(
        "The data changed since the preview: check the file again before importing it."
    ),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string: the header in the reader's language
    kind: str = LINE
    required: bool = False
    max_length: int | None = None
    choices: str | None = None  # the name of a reference list, for CHOICE
    example: Any = None  # the template's example row
    read_only: bool = False  # exported for reading, ignored on import (e.g. "Paid to date")
    width: int = 18  # in the template and the export, in characters
    negative: bool = False  # INT and MONEY: may be below zero


@dataclass(frozen=True)
class Problem:
    sheet: str | None  # a sheet's key
    row: int | None  # the spreadsheet's row number (the header is row 1)
    column: str | None  # a column's key
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        message = str(MESSAGES[self.code])
        return message % self.params if self.params else message

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "params": self.params,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        return cls(data["sheet"], data["row"], data["column"], data["code"], data["params"])


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Change:
    """What applying one row does. `fields` holds, for an update, each changed column's old and
    new value as text (for the preview); `values` the parsed values to write; `target` the object
    updated (None for a create)."""

    sheet: str
    row: int
    action: str  # CREATE, UPDATE or UNCHANGED
    key: str  # how the reader recognises it: a project code, a BIN, "P-001 · title"
    values: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    target: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "key": self.key,
            "fields": {name: list(pair) for name, pair in self.fields.items()},
        }


@dataclass
class Row:
    sheet: str
    number: int
    raw: dict[str, Any]  # column key -> the cell as read (None when empty)
    values: dict[str, Any] = field(default_factory=dict)  # column key -> parsed value
    ok: bool = True  # no problem in its cells

    def empty(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.raw.values())


class Sheet:
    """One kind of record. Subclasses set the class attributes and implement `check` and
    `apply`; `export_rows` gives the rows of the round-trip export."""

    key: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[tuple[Column, ...]]
    order: ClassVar[int]  # checked and applied in this order (organisations before projects)

    @classmethod
    def column(cls, key: str) -> Column:
        return next(c for c in cls.columns if c.key == key)

    @classmethod
    def writable(cls) -> tuple[Column, ...]:
        return tuple(c for c in cls.columns if not c.read_only)

    def check(self, rows: list[Row], ctx: Context) -> None:
        raise NotImplementedError

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def export_rows(self, session: Session, projects: list, locale: str) -> list[dict[str, Any]]:
        """Rows (column key -> value, as the template holds it) for `projects`."""
        raise NotImplementedError


SHEETS: dict[str, type[Sheet]] = {}


def register(sheet: type[Sheet]) -> type[Sheet]:
    SHEETS[sheet.key] = sheet
    return sheet


def ordered_sheets() -> list[type[Sheet]]:
    from fundtracker.services.imports import sheets  # noqa: F401  (registers them)

    return sorted(SHEETS.values(), key=lambda s: s.order)


class Context:
    """What a check knows and finds: the session and actor, the reference lists, the objects
    already in the database (loaded by each sheet as it needs), what earlier sheets plan to
    create (`planned`, e.g. the BINs of new organisations), and the problems and changes."""

    def __init__(self, session: Session, actor: User, today: date) -> None:
        self.session, self.actor, self.today = session, actor, today
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        self.planned: dict[str, dict[Any, Any]] = {}
        self.state: dict[str, Any] = {}  # sheet modules' own lookups, by their names
        self._refs: References | None = None
        self.progress = lambda done: None  # set by the runner: rows written so far

    @property
    def refs(self) -> References:
        if self._refs is None:
            self._refs = References(self.session)
        return self._refs

    def problem(
        self, sheet: str | None, row: int | None, column: str | None, code: str, /, **params
    ) -> None:
        self.problems.append(Problem(sheet, row, column, code, params))

    def change(self, change: Change) -> Change:
        self.changes.append(change)
        return change

    def changes_of(self, sheet: str) -> list[Change]:
        return [c for c in self.changes if c.sheet == sheet]

    def parse(self, sheet: type[Sheet], rows: list[Row]) -> list[Row]:
        """Parse every cell of `rows` by its column's kind. A cell that does not parse is a
        problem at its place, is missing from `row.values`, and leaves its row not `ok`."""
        for row in rows:
            for column in sheet.writable():
                raw = row.raw.get(column.key)
                try:
                    row.values[column.key] = parse_cell(column, raw, self)
                except CellProblem as problem:
                    row.ok = False
                    self.problem(sheet.key, row.number, column.key, problem.code, **problem.params)
        return rows

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter] = {}
        for change in self.changes:
            counts.setdefault(change.sheet, Counter())[change.action] += 1
        return {sheet: dict(counter) for sheet, counter in counts.items()}


class CellProblem(Exception):
    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code, self.params = code, params


# --- Reference lists -------------------------------------------------------------------------


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


class References:
    """The lists a CHOICE column takes its values from. Each maps what a reader may write (the
    code, or the name in kk, ru or en, in any case) to the stored value, and gives the name to
    write in the reader's language (`label`)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._lists: dict[str, tuple[dict[str, Any], dict[Any, dict[str, str]]]] = {}

    def _build(self, name: str) -> tuple[dict[str, Any], dict[Any, dict[str, str]]]:
        from fundtracker.services.imports import reference_lists

        entries = reference_lists.entries(self.session, name)  # [(value, code, {locale: name})]
        lookup: dict[str, Any] = {}
        names: dict[Any, dict[str, str]] = {}
        for value, code, localized in entries:
            names[value] = localized
            for text in (code, *localized.values()):
                if text:
                    lookup.setdefault(_norm(text), value)
        return lookup, names

    def _list(self, name: str):
        if name not in self._lists:
            self._lists[name] = self._build(name)
        return self._lists[name]

    def find(self, name: str, text: Any) -> Any | None:
        return self._list(name)[0].get(_norm(text))

    def label(self, name: str, value: Any, locale: str) -> str:
        return self._list(name)[1].get(value, {}).get(locale, str(value))

    def labels(self, name: str, locale: str) -> list[str]:
        return [names.get(locale, str(value)) for value, names in self._list(name)[1].items()]


# --- Cells -----------------------------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "да", "д", "иә", "ия", "и", "x", "✓"}
_NO = {"no", "n", "false", "0", "нет", "н", "жоқ", "ж", ""}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"(₸|kzt|тг\.?|тенге|теңге)$", re.IGNORECASE)


def parse_cell(column: Column, raw: Any, ctx: Context) -> Any:
    """The value of one cell as its column's kind wants it: None for an empty optional cell
    ("" for text, False for yes/no). Raises CellProblem with the message code and parameters."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        if column.required:
            raise CellProblem("required")
        return _EMPTY.get(column.kind)
    return _PARSERS[column.kind](column, raw, ctx)


_EMPTY = {TEXT: "", LINE: "", BOOL: False}


def _text(column: Column, raw: Any, ctx: Context) -> str:
    text = _as_text(raw)
    text = (clean_text(text) if column.kind == TEXT else clean_line(text)) or ""
    if column.required and not text:
        raise CellProblem("required")
    if column.max_length and len(text) > column.max_length:
        raise CellProblem("too_long", max=column.max_length)
    return text


def _bool(column: Column, raw: Any, ctx: Context) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _norm(_as_text(raw))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellProblem("not_yes_no", value=_shown(raw))


def _choice(column: Column, raw: Any, ctx: Context) -> Any:
    value = ctx.refs.find(column.choices or column.key, _as_text(raw))
    if value is None:
        raise CellProblem("unknown_choice", value=_shown(raw))
    return value


def _email(column: Column, raw: Any, ctx: Context) -> str:
    text = _as_text(raw).strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) or len(text) > 254:
        raise CellProblem("not_an_email", value=_shown(raw))
    return text


def _bin(column: Column, raw: Any, ctx: Context) -> str:
    text = _SPACES.sub("", _as_text(raw))
    if isinstance(raw, int | float) and len(text) < 12:  # a spreadsheet dropped the zeros
        text = text.zfill(12)
    if not bin_is_valid(text):
        raise CellProblem("bad_bin", value=_shown(raw))
    return text


_PARSERS = {
    TEXT: _text,
    LINE: _text,
    INT: lambda column, raw, ctx: _parse_int(raw, column.negative),
    MONEY: lambda column, raw, ctx: parse_money(raw, column.negative),
    DATE: lambda column, raw, ctx: parse_date(raw),
    BOOL: _bool,
    CHOICE: _choice,
    EMAIL: _email,
    BIN: _bin,
}


def _as_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _shown(raw: Any) -> str:
    """The cell as the reader wrote it, short enough for a message."""
    text = _as_text(raw)
    return text if len(text) <= 60 else text[:59] + "…"


def _parse_int(raw: Any, negative: bool) -> int:
    if isinstance(raw, bool):
        raise CellProblem("not_a_number", value=_shown(raw))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = _SPACES.sub("", _as_text(raw))
        if not re.fullmatch(r"-?\d{1,15}", text):
            raise CellProblem("not_a_number", value=_shown(raw))
        value = int(text)
    if value < 0 and not negative:
        raise CellProblem("negative")
    if abs(value) > 2**31 - 1:
        raise CellProblem("not_a_number", value=_shown(raw))
    return value


def parse_money(raw: Any, negative: bool = False) -> int:
    """Tenge as written in kk, ru or en (spaces or apostrophes between thousands, a comma or a
    point before the tiyn, "₸" or "KZT" after) -> tiyn. Raises CellProblem."""
    if isinstance(raw, bool):
        raise CellProblem("not_money", value=_shown(raw))
    if isinstance(raw, int):
        amount = Decimal(raw)
    elif isinstance(raw, float):
        amount = Decimal(repr(raw))
    else:
        text = _CURRENCY.sub("", _SPACES.sub("", _as_text(raw))).strip()
        text = _SPACES.sub("", text)
        # Both marks: the last one is the decimal mark, the other groups thousands.
        if "," in text and "." in text:
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_mark == "," else ",", "")
            text = text.replace(decimal_mark, ".")
        elif re.fullmatch(r"-?\d{1,3}[.,]\d{3}", text):
            # One mark before three digits groups thousands: tiyn have two decimals.
            text = text.replace(",", "").replace(".", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        elif text.count(",") > 1 or text.count(".") > 1:
            grouped = text.replace(",", "").replace(".", "")
            if not re.fullmatch(r"-?\d+", grouped):
                raise CellProblem("not_money", value=_shown(raw))
            text = grouped
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise CellProblem("not_money", value=_shown(raw))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellProblem("not_money", value=_shown(raw)) from None
    tiyn = amount * 100
    if tiyn != tiyn.to_integral_value() or abs(tiyn) >= Decimal(10) ** 17:
        raise CellProblem("not_money", value=_shown(raw))
    if tiyn < 0 and not negative:
        raise CellProblem("negative")
    return int(tiyn)


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")


def parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = _as_text(raw).strip()
        if re.fullmatch(r"\d{5}", text):  # an Excel serial number read from a CSV
            value = date.fromordinal(date(1899, 12, 30).toordinal() + int(text))
        else:
            for fmt in _DATE_FORMATS:
                try:
                    value = datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise CellProblem("not_a_date", value=_shown(raw))
    if not EARLIEST <= value <= LATEST:
        raise CellProblem("date_out_of_range", value=value.strftime("%d.%m.%Y"))
    return value


def money_text(tiyn: int | None) -> str:
    """Tiyn as the preview shows an amount: 1250000.50 (no grouping: it is compared, not read)."""
    if tiyn is None:
        return ""
    return f"{Decimal(tiyn) / 100:.2f}"


def shown(value: Any) -> str:
    """A parsed value as the preview shows it in 'old → new'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --- Reading files ---------------------------------------------------------------------------


def _header_names(sheet: type[Sheet]) -> dict[str, str]:
    """Every way a header may name a column: its key and its label in each language."""
    names: dict[str, str] = {}
    for column in sheet.columns:
        names[_norm(column.key)] = column.key
        for locale in LOCALES:
            with force_locale(locale):
                names.setdefault(_norm(str(column.label)), column.key)
    return names


def sheet_for_name(name: str) -> type[Sheet] | None:
    wanted = _norm(name)
    for sheet in ordered_sheets():
        if wanted == _norm(sheet.key):
            return sheet
        for locale in LOCALES:
            with force_locale(locale):
                if wanted == _norm(str(sheet.label)):
                    return sheet
    return None


# Sheets the template adds for people, not for import.
IGNORED_SHEETS = {
    "instructions": _l("Instructions"),
    "lists": _l("Lists"),
}


def _ignored(name: str) -> bool:
    wanted = _norm(name)
    for key, label in IGNORED_SHEETS.items():
        if wanted == key:
            return True
        for locale in LOCALES:
            with force_locale(locale):
                if wanted == _norm(str(label)):
                    return True
    return False


def _table(sheet: type[Sheet], cells: list[list[Any]], problems: list[Problem]) -> list[Row]:
    """Rows of one sheet from its cells (header first): headers matched to columns; an unknown,
    missing or repeated column is a problem. Empty rows are skipped."""
    if not cells:
        return []
    names = _header_names(sheet)
    header = cells[0]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        if title is None or str(title).strip() == "":
            continue
        key = names.get(_norm(str(title).rstrip("* ")))
        if key is None:
            problems.append(Problem(sheet.key, 1, None, "unknown_column", {"value": _shown(title)}))
        elif key in positions:
            problems.append(
                Problem(sheet.key, 1, key, "duplicate_column", {"value": _shown(title)})
            )
        else:
            positions[key] = index
    for column in sheet.writable():
        if column.required and column.key not in positions:
            problems.append(Problem(sheet.key, 1, column.key, "missing_column"))
    if len(cells) - 1 > MAX_ROWS:
        problems.append(Problem(sheet.key, None, None, "too_many_rows", {"max": MAX_ROWS}))
        return []
    rows = []
    for number, line in enumerate(cells[1:], start=2):
        raw = {
            key: (line[index] if index < len(line) else None) for key, index in positions.items()
        }
        row = Row(sheet.key, number, raw)
        if not row.empty() and not _is_example(sheet, row):
            rows.append(row)
    return rows


def _is_example(sheet: type[Sheet], row: Row) -> bool:
    """The template's example row, left in: every cell as the template wrote it. It is skipped,
    so a template filled below its example imports only what the reader wrote."""
    examples = {c.key: c.example for c in sheet.writable() if c.example is not None}
    if not examples:
        return False
    for key, value in row.raw.items():
        wanted = examples.get(key)
        if wanted is None:
            if not (value is None or (isinstance(value, str) and not value.strip())):
                return False
        elif value is None or _norm(_as_text(value)) != _norm(_as_text(wanted)):
            return False
    return all(key in row.raw for key in examples)


def read_file(
    data: bytes, filename: str, csv_sheet: str | None = None
) -> tuple[dict[str, list[Row]], list[Problem]]:
    """The rows of every sheet in an XLSX workbook, or of one CSV file (`csv_sheet` names its
    sheet, or the file's name does), and the problems found reading them."""
    problems: list[Problem] = []
    tables: dict[str, list[Row]] = {}
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    if not is_zip and (data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))):
        return {}, [Problem(None, None, None, "not_a_workbook")]
    if is_zip:
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
            return {}, [Problem(None, None, None, "not_a_workbook")]
        try:
            for ws in book.worksheets:
                if _ignored(ws.title):
                    continue
                sheet = sheet_for_name(ws.title)
                if sheet is None:
                    problems.append(Problem(None, None, None, "unknown_sheet", {"value": ws.title}))
                    continue
                cells = []
                for line in ws.iter_rows(values_only=True):
                    cells.append(list(line))
                    if len(cells) > MAX_ROWS + 1:
                        break
                tables[sheet.key] = _table(sheet, cells, problems)
        finally:
            book.close()
    else:
        sheet = sheet_for_name(csv_sheet) if csv_sheet else None
        if sheet is None:
            stem = re.sub(r"\.csv$", "", filename or "", flags=re.IGNORECASE)
            sheet = sheet_for_name(stem)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1251")  # 1C and Excel in Russian save CSV in Windows-1251
            except UnicodeDecodeError:
                return {}, [Problem(None, None, None, "not_a_workbook")]
        if "\x00" in text:
            return {}, [Problem(None, None, None, "not_a_workbook")]
        if sheet is None:
            return {}, [Problem(None, None, None, "unknown_csv")]
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        cells = [list(line) for line in csv.reader(io.StringIO(text), delimiter=delimiter)]
        tables[sheet.key] = _table(sheet, cells, problems)
    if not problems and not any(tables.values()):
        problems.append(Problem(None, None, None, "empty"))
    return tables, problems
