"""zh-Hans is the default language and English the source: every string has its Chinese."""

from pathlib import Path

import polib

import linli

CATALOG = Path(linli.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(CATALOG / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalog_matches_the_source():
    po = {
        (e.msgid, e.msgstr) for e in polib.pofile(str(CATALOG / "django.po")) if not e.msgid_plural
    }
    mo = {
        (e.msgid, e.msgstr) for e in polib.mofile(str(CATALOG / "django.mo")) if not e.msgid_plural
    }
    assert po - mo == set(), "run `linli manage compilemessages` after editing django.po"
