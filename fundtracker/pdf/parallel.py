"""Printing a long report on every core: the board report's HTML is cut into parts (the cover
and contents, the summary sections, groups of project pages, the appendix), each printed by
WeasyPrint in a process of its own, and the parts' PDFs are joined into one file that reads as
if printed whole.

What ties the parts together, and how it is kept right:

- **Page numbers** ("Page 7 of 88" in the margins). WeasyPrint lays out a document's pages
  first and its margin boxes last, when the number of pages is known. Each worker stops there
  (`_Numbering`), tells the parent how many pages its part has and where its anchors are, and
  waits for its first page's number and the total, which the parent knows once every part is
  laid out. A part's pages do not depend on those numbers (they are in the margins).
- **The contents** list the page of every section and project, which only the other parts know.
  Their numbers sit in fixed boxes (print.css), so the contents part is laid out first with
  placeholders and printed again with the real numbers (a few pages); if the pages of the two
  prints differ, the join is refused and the report printed whole.
- **Links** of the contents point at anchors in other parts: each part carries empty anchors
  (`ft-stubs`) for the links it has and not their targets, so WeasyPrint keeps the links, and
  the joined file's destinations are the real ones.
- **Bookmarks** are made anew for the whole file from every page's headings (WeasyPrint's own
  algorithm), so projects nest under "Projects" as in a whole print.
- **Tags** (PDF/UA): the parts' structure trees are put under one Document element and their
  parent trees renumbered; pages and link annotations follow the new numbers.
- **Running strings** (the title, "Page", "of", the author in the margins) are set by the
  body in the head's style, which every part has; a section's by its heading, in its part.

Workers start from a fork server that has WeasyPrint imported (fast, and no threads of the app
are forked). Each worker holds one part; the parent holds none (it only joins). It joins the
parts as they arrive (`Joiner`): the small parts are done first, and each is copied into the
file while the large ones still print, so what is left after the last part is its own copy,
putting pages and structure in order, and writing the file (about a third of a whole join).
"""

from __future__ import annotations

import copy
import gc
import io
import logging
import multiprocessing
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import SimpleNamespace

import pikepdf

log = logging.getLogger(__name__)

PART_MARK = re.compile(r"<!--ft:part (\w+)-->")
# How long a worker may stay silent before the print is given up (seconds).
WORKER_TIMEOUT = 300


class JoinRefused(Exception):
    """The parts cannot be joined into the same file a whole print gives."""


class Placeholders:
    """`toc_pages` for the first print of the contents: every number is "888", as wide as any
    the report can have in its fixed box."""

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, anchor: str) -> str:
        return "888"


@dataclass
class Part:
    kind: str
    html: str
    # Anchors this part holds only as empty stand-ins for its links (see _with_stubs).
    stubs: frozenset[str] = frozenset()


def split(html: str, groups: int) -> list[Part]:
    """The parts of a report marked with <!--ft:part KIND--> comments: the cover (with the
    contents), the front sections, `groups` groups of project pages of about equal length, and
    the appendix. Every part is a whole HTML document with the report's head."""
    start = html.index("<body>") + len("<body>")
    end = html.rindex("</body>")
    head, body, tail = html[:start], html[start:end], html[end:]
    pieces = PART_MARK.split(body)[1:]
    marked = list(zip(pieces[::2], pieces[1::2], strict=True))
    projects = [text for kind, text in marked if kind == "project"]
    parts: list[tuple[str, str]] = []
    for kind, text in marked:
        if kind != "project":
            parts.append((kind, text))
        elif not any(k == "projects" for k, _ in parts):
            parts.extend(("projects", "".join(g)) for g in _balanced(projects, groups))
    result = []
    for kind, text in parts:
        text, stubs = _with_stubs(text)
        result.append(Part(kind, head + text + tail, stubs))
    return result


def _balanced(pieces: list[str], groups: int) -> list[list[str]]:
    """`pieces` in order, cut into min(groups, len(pieces)) runs of about equal length: a run
    ends where the next piece's middle would pass its share."""
    groups = max(1, min(groups, len(pieces)))
    total = sum(len(p) for p in pieces)
    runs: list[list[str]] = [[]]
    done = 0
    for index, piece in enumerate(pieces):
        if runs[-1] and len(runs) < groups:
            past_share = done + len(piece) / 2 > total * len(runs) / groups
            if past_share or len(pieces) - index <= groups - len(runs):
                runs.append([])
        runs[-1].append(piece)
        done += len(piece)
    return runs


LINK = re.compile(r'<a href="#([^"]+)"')
ID = re.compile(r' id="([^"]+)"')


def _with_stubs(text: str) -> tuple[str, frozenset[str]]:
    """`text` with empty anchors for the links it has and not their targets, just before its
    last closing tag (inside its last element, so no page is added); and their names. (Ids
    are the template's own: section names and project-<id>.)"""
    missing = sorted(set(LINK.findall(text)) - set(ID.findall(text)))
    if not missing:
        return text, frozenset()
    stubs = "".join(f'<span id="{name}"></span>' for name in missing)
    at = text.rindex("</")
    block = f'<div class="ft-stubs" style="height: 0; overflow: hidden">{stubs}</div>'
    return text[:at] + block + text[at:], frozenset(missing)


# ---------------------------------------------------------------------------------------------
# The worker: one part, in a process of its own.


class _Numbering:
    """Patches WeasyPrint's layout (in the worker only) so that the margin boxes, made after the
    pages, get the page numbers of the whole report: `handshake(pages)` is asked, once, for
    (number of the part's first page - 1, total pages)."""

    def __init__(self, handshake: Callable[[list], tuple[int, int]]):
        self.handshake = handshake
        self.pages: list = []
        self.numbers: tuple[int, int] | None = None

    def install(self) -> None:
        from weasyprint import layout

        original_pages, original_margins = layout.make_all_pages, layout.make_margin_boxes

        def make_all_pages(*args):
            self.pages = list(original_pages(*args))
            return self.pages

        def make_margin_boxes(context, page, state):
            if self.numbers is None:
                self.numbers = self.handshake(self.pages)
            offset, total = self.numbers
            state = copy.deepcopy(state)
            counters = state[1]
            counters["page"] = [counters["page"][-1] + offset]
            counters["pages"] = [total]
            return original_margins(context, page, state)

        layout.make_all_pages, layout.make_margin_boxes = make_all_pages, make_margin_boxes


def anchors_of(pages: list) -> dict[str, int]:
    """Where each anchor (element id) of laid-out pages is: its page's index."""
    found: dict[str, int] = {}
    for number, page in enumerate(pages):
        for box in page.descendants():
            style = getattr(box, "style", None)
            name = style["anchor"] if style is not None else None
            if name and name not in found:
                found[name] = number
    return found


def _work(conn: Connection, html: str, static_root: str, fixed: tuple[int, int] | None) -> None:
    """Print one part. Messages to the parent: ("pages", n) as the layout goes, ("laid out",
    pages, anchors) before the margins, ("done", pdf, outline pages) at the end, ("error",
    text) on failure. From the parent: (offset, total) after "laid out" (unless `fixed`)."""
    try:
        from weasyprint import HTML

        from fundtracker.pdf import render

        # What the fork server loaded stays: the collector need not walk it again and again
        # while the layout makes and drops hundreds of thousands of objects (a quarter of the
        # part's time otherwise).
        gc.freeze()

        def handshake(pages: list) -> tuple[int, int]:
            conn.send(("laid out", len(pages), anchors_of(pages)))
            if fixed is not None:
                return fixed
            return conn.recv()

        _Numbering(handshake).install()
        progress = logging.getLogger("weasyprint.progress")
        progress.addHandler(render._PagesLaidOut(lambda n: conn.send(("pages", n))))
        progress.setLevel(logging.INFO)
        progress.propagate = False
        fetcher = render.BundledAssetFetcher(Path(static_root))
        document = HTML(string=html, base_url=render.ASSET_ORIGIN, url_fetcher=fetcher).render(
            **render.PDF_OPTIONS
        )
        # Uncompressed: the join compresses the whole file once (qpdf, in C++), which costs
        # less than pydyf's object streams and compression in every part.
        pdf = document.write_pdf(
            finisher=render.declare_pdfua, uncompressed_pdf=True, **render.PDF_OPTIONS
        )
        outline = [(page.height, page.bookmarks) for page in document.pages]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        fetched = (fetcher.requested, fetcher.served, fetcher.refused)
        cpu = usage.ru_utime + usage.ru_stime
        conn.send(("done", pdf, outline, fetched, (usage.ru_maxrss / 1024, cpu)))
    except BaseException as error:  # noqa: BLE001 - told to the parent, which gives up
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# The parent: start the workers, number the pages, join.


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pikepdf", "fundtracker.pdf._preload"])
    return context


def warm() -> None:
    """Start the fork server (WeasyPrint imported, fonts set up: a second or two) now, not
    when the first report is asked for."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


@dataclass
class Printed:
    pdf: bytes
    pages: int
    fetched: tuple[list[str], list[str], list[str]]  # URLs the parts asked for, got, were refused
    peak_mb: float  # the largest peak memory of a part's process
    parts: int
    cpu: float  # CPU seconds of all the parts' processes


@dataclass
class _Worker:
    part: Part
    process: multiprocessing.Process
    conn: Connection
    pages: int | None = None
    anchors: dict | None = None
    laid: int = 0
    offset: int = 0
    expected: int | None = None
    pdf: bytes | None = None
    outline: list | None = None
    fetched: tuple = ((), (), ())  # the URLs its fetcher was asked for, served, refused
    usage: tuple[float, float] = (0.0, 0.0)  # peak memory (MB), CPU seconds


def _start(context, html: str, static_root: str, fixed=None) -> tuple:
    parent, child = context.Pipe()
    process = context.Process(
        target=_work, args=(child, html, static_root, fixed), name="report-part", daemon=True
    )
    process.start()
    child.close()
    return process, parent


def print_parts(
    parts: list[Part],
    contents_html: Callable[[dict[str, int]], str],
    static_root: str,
    pages_done: Callable[[int], None] | None = None,
) -> Printed:
    """Print `parts` in parallel and join them.
    `contents_html(pages)` is the cover part again with the contents' page numbers (anchor ->
    page). Raises JoinRefused when the parts cannot give the same file as a whole print."""
    context = _context()
    workers = []
    started = time.monotonic()
    try:
        for part in parts:
            process, conn = _start(context, part.html, static_root)
            workers.append(_Worker(part, process, conn))
        _until(workers, lambda w: w.pages is not None, pages_done)
        total = sum(w.pages for w in workers)
        numbers, first = {}, 0
        for worker in workers:
            worker.offset = first
            for name, page in worker.anchors.items():
                if name not in worker.part.stubs:
                    numbers.setdefault(name, first + page + 1)
            first += worker.pages
        cover = workers[0]
        # The cover part again, with its numbers, while the others finish.
        process, conn = _start(context, contents_html(numbers), static_root, (0, total))
        cover.process.kill()
        cover.conn.close()
        workers[0] = again = _Worker(cover.part, process, conn)
        again.expected, again.offset = cover.pages, 0
        for worker in workers[1:]:
            worker.conn.send((worker.offset, total))
        laid_out = time.monotonic()
        joiner = Joiner(len(workers))

        def arrived(worker: _Worker) -> None:
            if worker is again and again.pages != again.expected:
                raise JoinRefused(f"contents: {again.expected} pages, then {again.pages}")
            joiner.add(workers.index(worker), worker.pdf, worker.part.stubs)
            worker.pdf = b""  # copied: its bytes are no longer needed

        _until(workers, lambda w: w.pdf is not None, None, arrived)
        printed = time.monotonic()
        fetched = tuple([url for w in workers for url in w.fetched[i]] for i in range(3))
        pdf = joiner.finish([p for w in workers for p in w.outline])
        log.info(
            "report printed in %d parts: laid out %.2f s, printed %.2f s, joined %.2f s after",
            len(workers),
            laid_out - started,
            printed - laid_out,
            time.monotonic() - printed,
        )
        peak = max(w.usage[0] for w in workers)
        cpu = sum(w.usage[1] for w in workers)
        return Printed(pdf, total, fetched, peak, len(workers), cpu)
    finally:
        for worker in workers:
            worker.conn.close()
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(5)


def _until(
    workers: list[_Worker],
    done: Callable[[_Worker], bool],
    pages_done,
    arrived: Callable[[_Worker], None] | None = None,
) -> None:
    """Read the workers' messages until `done` holds for every one; `arrived(worker)` hears of
    each part printed."""
    told = 0.0
    while not all(done(w) for w in workers):
        waiting = {w.conn: w for w in workers if not done(w)}
        ready = wait(list(waiting), timeout=WORKER_TIMEOUT)
        if not ready:
            raise JoinRefused("a part printed nothing for too long")
        for conn in ready:
            worker = waiting[conn]
            try:
                message = conn.recv()
            except EOFError as error:
                raise JoinRefused(f"the {worker.part.kind} part's process ended") from error
            kind = message[0]
            if kind == "pages":
                worker.laid = message[1]
            elif kind == "laid out":
                worker.pages, worker.anchors = message[1], message[2]
                worker.laid = message[1]
            elif kind == "done":
                worker.pdf, worker.outline, worker.fetched, worker.usage = message[1:]
                if arrived is not None:
                    arrived(worker)
            else:
                raise JoinRefused(f"the {worker.part.kind} part: {message[1]}")
        if pages_done is not None and time.monotonic() - told >= 1.0:
            told = time.monotonic()
            pages_done(sum(w.laid for w in workers))


# ---------------------------------------------------------------------------------------------
# Joining.


def _pairs(array) -> list[tuple]:
    items = list(array)
    return list(zip(items[::2], items[1::2], strict=True))


class Joiner:
    """One tagged PDF of the parts, joined as they arrive: `add(index, pdf, stubs)` in any
    order (each part's PDF with the anchors it only stands in for) copies a part into the first
    part's file as soon as that one is there, so that most of the joining is done while the last
    parts still print; `finish(outline_pages)` puts the pages and structure elements in order
    and writes the file. The catalog (metadata, language, output intent) is the first part's.
    `outline_pages` is (height, bookmarks) of every page in order."""

    def __init__(self, count: int):
        self.count = count
        self.waiting: dict[int, tuple[pikepdf.Pdf, frozenset[str]]] = {}
        # Per part after the first: its pages and top structure elements, copied into the base.
        self.copied: dict[int, tuple[list, list]] = {}
        self.base: pikepdf.Pdf | None = None
        self.nums: list[tuple[int, object]] = []
        self.next_key = 0
        self.dests: dict[str, object] = {}
        self.named_by: dict[str, int] = {}

    def add(self, index: int, data: bytes, stubs: frozenset[str]) -> None:
        part = pikepdf.open(io.BytesIO(data))
        if stubs:
            _prune(part.Root.StructTreeRoot.K[0])
        if index:
            self.waiting[index] = (part, stubs)
        else:
            self._start(part, stubs)
        if self.base is not None:
            for waiting in sorted(self.waiting):
                self._copy(waiting, *self.waiting.pop(waiting))

    def _start(self, base: pikepdf.Pdf, stubs: frozenset[str]) -> None:
        self.base = base
        tree = base.Root.StructTreeRoot
        self.nums = [(int(k), v) for k, v in _pairs(tree.ParentTree.Nums)]
        self.next_key = max(k for k, _ in self.nums) + 1
        if "/Names" in base.Root and "/Dests" in base.Root.Names:
            for name, dest in _pairs(base.Root.Names.Dests.Names):
                if str(name) not in stubs:
                    self._name(str(name), dest, 0)

    def _name(self, name: str, dest, index: int) -> None:
        """A destination of part `index`; the earliest part's wins (as in a whole print)."""
        if name not in self.dests or self.named_by[name] > index:
            self.dests[name], self.named_by[name] = dest, index

    def _copy(self, index: int, part: pikepdf.Pdf, stubs: frozenset[str]) -> None:
        base = self.base
        part_tree = part.Root.StructTreeRoot
        pairs = _pairs(part_tree.ParentTree.Nums)
        named = []
        if "/Names" in part.Root and "/Dests" in part.Root.Names:
            named = [
                (str(name), dest)
                for name, dest in _pairs(part.Root.Names.Dests.Names)
                if str(name) not in stubs
            ]
        # The pages first, one by one (qpdf copies a page only when asked for it: elsewhere a
        # page not copied yet would be null); they join the page tree in order at the end.
        pages = [base.copy_foreign(page.obj) for page in part.pages]
        # Then one copy of everything else the part brings: qpdf walks all that an object
        # reaches on each copy, and a structure element reaches the whole tree through its
        # parent.
        bundle = part.make_indirect(
            pikepdf.Array(
                [
                    pikepdf.Array(part_tree.K[0].K),
                    pikepdf.Array([value for _, value in pairs]),
                    pikepdf.Array([dest[0] for _, dest in named]),
                ]
            )
        )
        kids, values, dest_pages = base.copy_foreign(bundle)
        offset = self.next_key
        for (key, _), value in zip(pairs, values, strict=True):
            self.nums.append((int(key) + offset, value))
            self.next_key = max(self.next_key, int(key) + offset + 1)
        for page in pages:
            page.StructParents = int(page.StructParents) + offset
            for annotation in page.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        for (name, dest), page in zip(named, dest_pages, strict=True):
            self._name(name, pikepdf.Array([page, *[dest[i] for i in range(1, len(dest))]]), index)
        self.copied[index] = (list(pages), list(kids))
        part.close()

    def finish(self, outline_pages: list[tuple]) -> bytes:
        base = self.base
        if base is None or len(self.copied) != self.count - 1:
            raise JoinRefused("a part is missing")
        tree = base.Root.StructTreeRoot
        document = tree.K[0]
        for index in range(1, self.count):
            pages, kids = self.copied[index]
            for page in pages:
                base.pages.append(pikepdf.Page(page))
            for kid in kids:
                kid.P = document
                document.K.append(kid)
        ordered = sorted(self.nums, key=lambda n: n[0])
        nums = pikepdf.Array([x for key, value in ordered for x in (key, value)])
        tree.ParentTree = base.make_indirect(pikepdf.Dictionary(Nums=nums))
        tree.ParentTreeNextKey = self.next_key
        if "/Names" not in base.Root:
            base.Root.Names = pikepdf.Dictionary()
        base.Root.Names.Dests = pikepdf.Dictionary(
            Names=pikepdf.Array(
                [x for name in sorted(self.dests) for x in (pikepdf.String(name), self.dests[name])]
            )
        )
        _outline(base, outline_pages)
        out = io.BytesIO()
        # Object streams, as WeasyPrint writes them: the structure tree is thousands of objects.
        base.save(
            out, fix_metadata_version=False, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
        return out.getvalue()


def join(pdfs: list[tuple[bytes, frozenset[str]]], outline_pages: list[tuple]) -> bytes:
    """One tagged PDF of the parts `pdfs` (each with the anchors it only stands in for), in
    order (see Joiner)."""
    joiner = Joiner(len(pdfs))
    for index, (data, stubs) in enumerate(pdfs):
        joiner.add(index, data, stubs)
    return joiner.finish(outline_pages)


def _prune(element: pikepdf.Dictionary) -> bool:
    """Drop the structure elements under `element` that hold nothing (the stand-in anchors'
    spans and their block); True if `element` itself holds nothing then."""
    kids = element.get("/K")
    if not isinstance(kids, pikepdf.Array):
        return kids is None
    kept = [
        kid
        for kid in kids
        if not (isinstance(kid, pikepdf.Dictionary) and "/S" in kid and _prune(kid))
    ]
    if len(kept) != len(kids):
        element.K = pikepdf.Array(kept)
    return not kept


def _outline(pdf: pikepdf.Pdf, outline_pages: list[tuple]) -> None:
    """The bookmarks of the whole file, nested as WeasyPrint nests them in a whole print."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    previous = 0
    scale = 0.75  # PDF points per CSS pixel
    for number, (height, bookmarks) in enumerate(outline_pages):
        page = SimpleNamespace(bookmarks=bookmarks, height=height)
        matrix = Matrix(a=scale, d=-scale, f=height * scale)
        previous = make_page_bookmark_tree(page, skipped, last_by_depth, previous, number, matrix)

    def items(tree: list) -> list[pikepdf.OutlineItem]:
        made = []
        for label, (page, x, y), children, state in tree:
            item = pikepdf.OutlineItem(label, page, pikepdf.PageLocation.XYZ, left=x, top=y, zoom=0)
            item.children.extend(items(children))
            item.is_closed = state == "closed"
            made.append(item)
        return made

    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    with pdf.open_outline() as outline:
        outline.root.extend(items(root))
