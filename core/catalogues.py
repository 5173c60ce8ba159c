"""The project's translation catalogues under locale/: how they are extracted from the
source, compiled, and checked.

One place for the makemessages options, shared by `make messages`
(scripts/translations_status.sh) and the tests in tests/i18n/, so that what the tests call
"out of date" is exactly what `make messages` would change.

Run as `python -m core.catalogues update|status|check` (the script does).
"""

import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Folders makemessages never reads: environments, build output, test code (tests do not
# define user-facing strings) and npm's test tools (axe-core ships .html files).
IGNORE_PATTERNS = [".venv", "var", "node_modules", "tests", "locale", ".git", "build"]
MAKEMESSAGES_OPTIONS = {
    "ignore_patterns": IGNORE_PATTERNS,
    "no_obsolete": True,
    # File names only, no line numbers: moving code does not rewrite every catalogue.
    "add_location": "file",
    "verbosity": 0,
}
# A translation may equal its English msgid (Swedish "Status") only when a translator
# says so with this comment above the entry, so that copies of the English are caught.
SAME_AS_ENGLISH = "same-as-english"
LIST_AT_MOST = 15
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdfir]|%[sdf]")


def target_languages() -> list[str]:
    """Every site language except the source language (English)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def makemessages(*, source_root: Path = ROOT, locale_dir: Path = LOCALE_DIR) -> None:
    """Extract every marked string under `source_root` into `locale_dir`'s catalogues,
    keeping existing translations (msgmerge) and dropping strings no longer used."""
    previous = Path.cwd()
    os.chdir(source_root)
    try:
        with override_settings(LOCALE_PATHS=[locale_dir]):
            call_command(
                "makemessages",
                locale=target_languages(),
                symlinks=True,
                **MAKEMESSAGES_OPTIONS,
            )
    finally:
        os.chdir(previous)


def extracted_copy(workdir: Path) -> Path:
    """Run makemessages over the source into a copy of locale/ inside `workdir`, leaving
    the real catalogues untouched. Returns the copy's locale folder."""
    source = workdir / "source"
    source.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in IGNORE_PATTERNS or entry.name.startswith("."):
            continue
        (source / entry.name).symlink_to(entry)
    locale_copy = source / "locale"
    shutil.copytree(LOCALE_DIR, locale_copy, ignore=shutil.ignore_patterns("*.mo"))
    makemessages(source_root=source, locale_dir=locale_copy)
    return locale_copy


def entry_key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def msgids(path: Path) -> set[tuple[str | None, str, str]]:
    return {entry_key(e) for e in polib.pofile(str(path)) if not e.obsolete}


@dataclass
class CatalogueReport:
    language: str
    total: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    same_as_english: list[str] = field(default_factory=list)
    placeholder_mismatch: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

    @property
    def problems(self) -> dict[str, list[str]]:
        names = [
            "untranslated",
            "fuzzy",
            "same_as_english",
            "placeholder_mismatch",
            "obsolete",
            "header",
        ]
        return {name: getattr(self, name) for name in names if getattr(self, name)}


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def check_catalogue(language: str, path: Path | None = None) -> CatalogueReport:
    """Everything wrong with one catalogue: untranslated, fuzzy or obsolete entries,
    unexplained copies of the English, placeholders that differ from the msgid's."""
    path = path or po_path(language)
    catalogue = polib.pofile(str(path))
    report = CatalogueReport(language=language)
    if catalogue.metadata.get("Language") != language:
        report.header.append(f"Language header is {catalogue.metadata.get('Language')!r}")
    if "nplurals=2" not in catalogue.metadata.get("Plural-Forms", ""):
        report.header.append("Plural-Forms is not nplurals=2")
    if "fuzzy" in (catalogue.metadata_is_fuzzy or []):
        report.header.append("the header is marked fuzzy")
    for entry in catalogue:
        if entry.obsolete:
            report.obsolete.append(entry.msgid)
            continue
        report.total += 1
        translations = _translations(entry)
        if "fuzzy" in entry.flags:
            report.fuzzy.append(entry.msgid)
        elif not all(translations):
            report.untranslated.append(entry.msgid)
            continue
        english = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        if any(t in english for t in translations) and SAME_AS_ENGLISH not in entry.tcomment:
            report.same_as_english.append(entry.msgid)
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for translation in translations:
            if entry.msgid_plural:
                # A singular form may leave the number out ("one member" for "%d").
                if not set(PLACEHOLDER.findall(translation)) <= set(expected) | set(
                    PLACEHOLDER.findall(entry.msgid_plural)
                ):
                    report.placeholder_mismatch.append(entry.msgid)
            elif sorted(PLACEHOLDER.findall(translation)) != expected:
                report.placeholder_mismatch.append(entry.msgid)
    return report


def compiled_matches_source(language: str) -> list[str]:
    """Differences between locale/<language>/.../django.mo and its .po: what the running
    site would show that the catalogue does not say (or the reverse)."""
    po_file = po_path(language)
    mo_file = po_file.with_suffix(".mo")
    if not mo_file.exists():
        return [f"{mo_file.relative_to(ROOT)} is missing"]

    def table(catalogue) -> dict[tuple, tuple[str, ...]]:
        return {
            entry_key(e): tuple(_translations(e))
            for e in catalogue
            if not e.obsolete and "fuzzy" not in e.flags and all(_translations(e))
        }

    expected, actual = table(polib.pofile(str(po_file))), table(polib.mofile(str(mo_file)))
    differences = [f"not compiled: {key[1]!r}" for key in expected.keys() - actual.keys()]
    differences += [f"no longer in the .po: {key[1]!r}" for key in actual.keys() - expected]
    differences += [
        f"compiled translation differs: {key[1]!r}"
        for key in expected.keys() & actual.keys()
        if expected[key] != actual[key]
    ]
    return differences


def compilemessages() -> None:
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        call_command("compilemessages", ignore_patterns=IGNORE_PATTERNS, verbosity=0)
    finally:
        os.chdir(previous)


def print_status() -> int:
    """Print a line per language; return the number of catalogues with problems."""
    failing = 0
    for language in target_languages():
        report = check_catalogue(language)
        counts = ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in report.problems.items())
        print(f"{language}: {report.total} strings" + (f"; {counts}" if counts else "; complete"))
        for kind, items in report.problems.items():
            for item in items[:LIST_AT_MOST]:
                print(f"    {kind}: {item!r}")
            if len(items) > LIST_AT_MOST:
                print(f"    ... and {len(items) - LIST_AT_MOST} more {kind.replace('_', ' ')}")
        stale = compiled_matches_source(language)
        if stale:
            print(f"    .mo out of date ({len(stale)} differences): run `make messages`")
        failing += bool(report.problems or stale)
    return failing


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rosealliance.test_settings")
    django.setup()
    command = argv[0] if argv else "status"
    if command == "update":
        makemessages()
        compilemessages()
        return 1 if print_status() else 0
    if command == "status":
        return 1 if print_status() else 0
    print("usage: python -m core.catalogues [update|status]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
