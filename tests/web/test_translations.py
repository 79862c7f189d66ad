"""zh-Hans is the default language and English the source: every string has its Chinese.

The project catalog lives in ``linli/locale``; an app may keep its own catalog in
``linli/<app>/locale`` (Django finds both). Every catalog is held to the same bar.
"""

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
