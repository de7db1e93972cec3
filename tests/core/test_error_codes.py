"""Every code a service can raise has one message in the catalogue, in German
and English (issue 11, point 19): the API, imports and pages translate codes,
so a code without a message, or a raise that writes its own text, fails here."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.utils import translation

from core.errors import CATALOGUE, DomainError

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "crm", "contracts", "compliance")


def _import_all() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)


def _error_classes() -> set[str]:
    seen, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return seen


def _raises() -> list[tuple[str, int, str | None, bool]]:
    """(file, line, code literal or None, has a positional message) of every
    construction of a DomainError class in the apps' source."""
    names = _error_classes()
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else None
                name = func.id if isinstance(func, ast.Name) else name
                if name not in names:
                    continue
                code = next(
                    (
                        k.value.value
                        for k in node.keywords
                        if k.arg == "code" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                )
                found.append(
                    (str(path.relative_to(ROOT)), node.lineno, code, _text(node))
                )
    return found


def _text(node: ast.Call) -> bool:
    """Does the call pass a message text of its own (a string, a gettext call,
    a formatted string) instead of a code?"""
    for arg in node.args:
        if isinstance(arg, ast.Constant | ast.JoinedStr | ast.BinOp):
            return True
        if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in (
            "_", "gettext", "gettext_lazy", "ngettext",
        ):  # fmt: skip
            return True
    return False


@pytest.fixture(scope="module")
def raises():
    _import_all()
    return _raises()


def test_every_raised_code_and_every_class_code_has_a_message(raises):
    assert len(raises) > 40  # the scan sees the services
    missing = [
        (f, line, code) for f, line, code, _ in raises if code and code not in CATALOGUE
    ]
    assert missing == []
    classes = []
    todo = [DomainError]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    assert [c.__name__ for c in classes if c.code not in CATALOGUE] == []


def test_no_raise_writes_its_own_message(raises):
    assert [(f, line) for f, line, _code, positional in raises if positional] == []


def test_every_message_reads_in_german_and_english():
    _import_all()
    untranslated = []
    for code, message in CATALOGUE.items():
        with translation.override("en"):
            english = str(message)
        with translation.override("de"):
            german = str(message)
        if not english or german == english:
            untranslated.append(code)
    assert untranslated == []


def test_a_message_shows_its_values_the_readers_way():
    from datetime import date

    from contracts.services import LateNotice

    late = LateNotice(wanted=date(2026, 12, 31), next_end=date(2027, 3, 31))
    with translation.override("de"):
        assert "31.12.2026" in late.message and "31.03.2027" in late.message
    assert late.as_dict()["params"] == {
        "wanted": "2026-12-31",
        "next_end": "2027-03-31",
    }
    assert late.as_dict()["code"] == "notice_too_late"
