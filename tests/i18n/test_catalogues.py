"""The translation catalogues under locale/ are complete, current and compiled.

`make messages` fixes what these tests find (see README, "Translations")."""

import shutil
import subprocess

import pytest

from core import catalogues

LANGUAGES = catalogues.target_languages()


def test_every_site_language_but_english_has_a_catalogue():
    assert set(LANGUAGES) == {"sv", "nb", "fi", "is"}
    for language in LANGUAGES:
        assert catalogues.po_path(language).exists(), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    """No untranslated, fuzzy or obsolete entry, no unexplained copy of the English, and
    the same %(placeholders)s as the English."""
    report = catalogues.check_catalogue(language)
    assert report.problems == {}, f"run `make messages` and fix: {report.problems}"
    assert report.total > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_catalogue_and_counts_it_complete(language):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext is missing: `make install` installs it"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", catalogues.po_path(language)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # e.g. "164 translated messages." with neither "fuzzy" nor "untranslated" after it.
    assert "translated messages." in result.stderr
    assert "fuzzy" not in result.stderr
    assert "untranslated" not in result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    assert catalogues.compiled_matches_source(language) == [], "run `make messages`"


def test_catalogues_hold_every_marked_string_and_nothing_else(tmp_path):
    """What makemessages would extract now equals what the catalogues hold: a string
    marked (or changed) in the code without a translation fails here."""
    extracted = catalogues.extracted_copy(tmp_path)
    for language in LANGUAGES:
        current = catalogues.msgids(catalogues.po_path(language))
        fresh = catalogues.msgids(catalogues.po_path(language, extracted))
        assert fresh - current == set(), f"{language}: new strings, run `make messages`"
        assert current - fresh == set(), f"{language}: unused strings, run `make messages`"
    # The real catalogues were not touched.
    assert not any(catalogues.LOCALE_DIR.rglob("django.pot"))


# --- The checks themselves catch what they are meant to catch ------------------------

BAD_CATALOGUE = """\
msgid ""
msgstr ""
"Language: sv\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Untranslated"
msgstr ""

#, fuzzy
msgid "Fuzzy"
msgstr "Luddig"

msgid "Copied"
msgstr "Copied"

# same-as-english
msgid "Status"
msgstr "Status"

msgid "Hello %(name)s"
msgstr "Hej %(namn)s"

msgid "%(count)d member"
msgid_plural "%(count)d members"
msgstr[0] "en medlem"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr "Borta"
"""


def test_catalogue_check_finds_each_kind_of_problem(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(BAD_CATALOGUE, encoding="utf-8")
    problems = catalogues.check_catalogue("sv", path).problems
    assert problems == {
        "untranslated": ["Untranslated", "%(count)d member"],
        "fuzzy": ["Fuzzy"],
        "same_as_english": ["Copied"],
        "placeholder_mismatch": ["Hello %(name)s"],
        "obsolete": ["Gone"],
    }


def test_catalogue_check_finds_wrong_header(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(BAD_CATALOGUE.replace("Language: sv", "Language: nb"), encoding="utf-8")
    assert "header" in catalogues.check_catalogue("sv", path).problems
