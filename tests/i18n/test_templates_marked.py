"""Every piece of user-facing text in templates/ is marked for translation.

A heuristic, not a parser of Django's grammar: strip comments, translated blocks, tags and
variables, then read what HTML would show (text, and the attributes people see or hear),
and flag anything with a letter in it."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Attributes whose value is shown or read aloud.
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "label"}
# Text that is the same in every language, on purpose. Keep it short.
ALLOWED = {
    "·",  # the separator in <title>
    "→",  # "from → to" in status changes
}

COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
TRANSLATED_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S
)
TEMPLATE_SYNTAX = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
LETTER = re.compile(r"[^\W\d_]")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and dict(attrs).get("type") in {"submit", "button", "reset"}
            )
            if visible and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def untranslated_text(source: str) -> list[str]:
    """The pieces of `source` (a template) that would reach a person untranslated."""
    source = COMMENT_BLOCK.sub(" ", source)
    source = TRANSLATED_BLOCK.sub(" ", source)
    source = TEMPLATE_SYNTAX.sub(" ", source)
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    pieces = (" ".join(text.split()) for text in parser.found)
    return [p for p in pieces if p and LETTER.search(p) and p not in ALLOWED]


def project_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES_DIR.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize(
    "template", project_templates(), ids=lambda p: str(p.relative_to(TEMPLATES_DIR))
)
def test_template_has_no_unmarked_text(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []


def test_there_are_templates_to_check():
    assert len(project_templates()) > 10


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<img src="x.png" alt="A rose">', ["A rose"]),
        ('<input type="submit" value="Send">', ["Send"]),
        ('<button aria-label="Close">{% translate "x" %}</button>', ["Close"]),
        ("<p>{{ name }}: Vote now</p>", [": Vote now"]),
        ("{% if x %}Nothing to see{% endif %}", ["Nothing to see"]),
        ("Plain text e-mail line", ["Plain text e-mail line"]),
        ("<p>Öppna</p>", ["Öppna"]),
    ],
)
def test_heuristic_flags_unmarked_text(source, expected):
    assert untranslated_text(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Hello" %}</p>',
        "{% blocktranslate with n=x %}Hello {{ n }}{% endblocktranslate %}",
        "{% blocktrans count n=x %}One{% plural %}Many{% endblocktrans %}",
        '<a href="/apply/" class="button button-secondary" id="apply">{{ label }}</a>',
        '<input type="hidden" name="decision" value="approve">',
        "{% comment %}Notes for developers{% endcomment %}{# and here #}",
        "<p title=\"{% translate 'Tip' %}\">{{ x }} &nbsp; → · 2026</p>",
        "<script nonce='{{ csp_nonce }}'>var a = 'b';</script><style>p{color:red}</style>",
    ],
)
def test_heuristic_accepts_marked_text_and_markup(source):
    assert untranslated_text(source) == []
