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
