"""Guards on how text is handed to translation. `pybabel extract` sees only a literal msgid, and
a translator sees only whole sentences: text built around a translation, or a translation built
from pieces, comes out English (or in the wrong order) in kk and ru however complete the
catalogues are."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fundtracker"
GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
PGETTEXT = {"pgettext", "lazy_pgettext", "npgettext", "_p"}


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _built_msgid(arg) -> str | None:
    if isinstance(arg, ast.JoinedStr):
        return "an f-string as the msgid"
    if isinstance(arg, ast.BinOp):
        return "a msgid built with an operator (% or +): pass the values as keyword arguments"
    if isinstance(arg, ast.Call) and _name(arg.func) == "format":
        return "a msgid built with .format(): pass the values as keyword arguments"
    return None


def python_problems(source: str, filename: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _name(inner.func) in GETTEXT | PGETTEXT:
                    problems.append(
                        f"{filename}:{inner.lineno}: a translation inside an f-string "
                        "(make the whole sentence one msgid with placeholders)"
                    )
        if isinstance(node, ast.Call) and node.args:
            name = _name(node.func)
            if name not in GETTEXT | PGETTEXT:
                continue
            index = 1 if name in PGETTEXT else 0
            why = _built_msgid(node.args[index]) if len(node.args) > index else None
            if why:
                problems.append(f"{filename}:{node.lineno}: {why}")
    return problems


def template_problems(source: str, filename: str) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    tree = env.parse(source)
    problems = []
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name in GETTEXT | PGETTEXT):
            continue
        index = 1 if call.node.name in PGETTEXT else 0
        if len(call.args) > index and not isinstance(call.args[index], nodes.Const):
            problems.append(f"{filename}:{call.lineno}: the msgid is not a literal")
    for concat in tree.find_all(nodes.Concat):
        if any(
            isinstance(n, nodes.Call) and isinstance(n.node, nodes.Name) and n.node.name in GETTEXT
            for n in concat.nodes
        ):
            problems.append(f"{filename}:{concat.lineno}: translated text glued with ~")
    return problems


def test_python_hands_whole_literal_sentences_to_gettext():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += python_problems(path.read_text(), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


def test_templates_hand_whole_literal_sentences_to_gettext():
    problems = []
    for path in sorted((PACKAGE / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            problems += template_problems(path.read_text(), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("x = f\"{body}\\n{_('Awarded: %(a)s.', a=1)}\"", "inside an f-string"),
        ('x = _(f"Hello {name}")', "f-string as the msgid"),
        ('x = _("Hello %s" % name)', "operator"),
        ('x = _l("Hello {}".format(name))', ".format()"),
        ('x = pgettext("status", f"{s}")', "f-string as the msgid"),
        ('x = _("Hello %(name)s", name=name)', None),
        ('x = pgettext("status", "Approved")', None),
    ],
)
def test_the_python_guard_finds_what_it_should(source, found):
    problems = python_problems(source, "example.py")
    if found is None:
        assert problems == []
    else:
        assert len(problems) == 1 and found in problems[0]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('{{ _("Hello " ~ name) }}', "not a literal"),
        ('{{ _("Hello") ~ name }}', "glued"),
        ('{{ _("Hello %(n)s", n=name) }}', None),
    ],
)
def test_the_template_guard_finds_what_it_should(source, found):
    problems = template_problems(source, "example.html")
    if found is None:
        assert problems == []
    else:
        assert len(problems) == 1 and found in problems[0]


def test_enum_labels_carry_a_context():
    """A status, a role or a kind named in labels.py means one thing; the same English word as a
    column header or a button means another ("Approved" the status is not "Approved" the date
    column). Every label there is a pgettext with a context, so each gets its own translation."""
    bare = [
        (lineno, message)
        for _, lineno, message, _comments, context in extract_from_dir(
            str(PACKAGE / "models"),
            method_map=[("labels.py", "python")],
            keywords={"_l": None, "_p": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)},
        )
        if context is None
    ]
    assert not bare, f"labels without a context: {bare[:10]}"
