"""zh-Hans is the default language and English the source: every string has its Chinese.

The project catalog lives in ``linli/locale``; an app may keep its own catalog in
``linli/<app>/locale`` (Django finds both). Every catalog is held to the same bar.
"""

import re
from pathlib import Path

import polib
import pytest

import linli

PACKAGE = Path(linli.__file__).parent
CATALOGS = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_the_project_catalog_is_found():
    assert PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_message_is_translated(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_catalog_matches_the_source(po_path):
    po = {(e.msgid, e.msgstr) for e in polib.pofile(str(po_path)) if not e.msgid_plural}
    mo_path = po_path.with_suffix(".mo")
    mo = {(e.msgid, e.msgstr) for e in polib.mofile(str(mo_path)) if not e.msgid_plural}
    assert po - mo == set(), "run `linli manage compilemessages` after editing django.po"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_message_is_defined_twice(po_path):
    """Catalogs merge as a union (.gitattributes): a string added on two branches appears twice,
    and msgfmt would refuse the file."""
    keys = [(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(po_path))]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_translations_keep_every_placeholder(po_path):
    """A translation that drops %(name)s loses the figure it names (and msgfmt refuses it); a
    stale guess left by makemessages (a "#|" previous msgid) is usually the cause."""
    placeholder = re.compile(r"%\((\w+)\)[sdfr]")
    lost = []
    for entry in polib.pofile(str(po_path)):
        if "python-format" not in entry.flags:
            continue
        names = set(placeholder.findall(entry.msgid_plural or entry.msgid))
        # zh-Hans has one plural form: it must carry what the plural source names.
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        lost += [entry.msgid for text in translations if set(placeholder.findall(text)) != names]
    assert lost == []


_MARKERS = {  # django.utils.translation's functions: the argument that holds the msgid
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
    "npgettext": 1,
    "npgettext_lazy": 1,
}


def _marked_strings(path: Path) -> list[tuple[str, int]]:
    """(msgid, line) of each literal string a module marks for translation, whatever name
    it imports the marker under (``_``, ``_l``, ``gettext_lazy``)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    markers = {
        alias.asname or alias.name: _MARKERS[alias.name]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in _MARKERS
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            index = markers.get(node.func.id)
            if index is not None and len(node.args) > index:
                argument = node.args[index]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.append((argument.value, node.lineno))
    return found


# ``{% translate "…" %}`` with a literal (the template asks for "%" doubled, as Django does).
_TEMPLATE_LITERAL = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")


def _translated_msgids() -> set[str]:
    """The msgids with a zh-Hans translation: ours, and Django's own."""
    import django

    django_catalogs = Path(django.__file__).parent.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    return {
        entry.msgid
        for path in [*CATALOGS, *django_catalogs]
        for entry in polib.pofile(str(path))
        if entry.translated()
    }


def test_every_string_the_code_marks_has_its_chinese():
    """A string marked in the code but missing from every catalog shows in English on a
    zh-Hans page (catalog entries are added by hand, not by makemessages)."""
    known = _translated_msgids()
    missing = [
        f"{path.relative_to(PACKAGE)}:{line}: {msgid!r}"
        for path in sorted(PACKAGE.glob("**/*.py"))
        if "migrations" not in path.parts
        for msgid, line in _marked_strings(path)
        if msgid not in known
    ]
    assert missing == []


def test_every_string_a_template_translates_has_its_chinese():
    known = _translated_msgids()
    missing = [
        f"{path.relative_to(PACKAGE)}: {match.group(2)!r}"
        for path in sorted(PACKAGE.glob("**/templates/**/*.html"))
        for match in _TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8"))
        if match.group(2).replace("%", "%%") not in known
    ]
    assert missing == []
