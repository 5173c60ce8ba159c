"""`{% shared_fragment "name" value ... %}...{% end_shared_fragment %}`: a piece of every
page (the header) rendered once per process for each language and each combination of the
values given (what the piece shows differently, such as a permission), then reused.

Rendering the header (a dozen URL reversals, translations, static file names, the language
list) cost more than a vote's own work. What differs per request inside it is filled in
after: the CSRF token (`{% csrf_token %}` inside renders a placeholder) and `language_next`
(the page the language switcher returns to). Nothing about the member may be inside: the
values given must be the same for everyone who sees that variant (tests/rosealliance/
test_page_chrome.py compares cached and fresh rendering).
"""

from django import template
from django.utils.html import escape
from django.utils.translation import get_language

register = template.Library()

_CSRF = "\x00csrf\x00"
_NEXT = "\x00next\x00"
_rendered: dict[tuple, str] = {}


class SharedFragmentNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, name, values, nodelist):
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context) -> str:
        values = tuple(bool(value.resolve(context)) for value in self.values)
        key = (self.name.resolve(context), get_language(), *values)
        html = _rendered.get(key)
        if html is None:
            with context.push(csrf_token=_CSRF, language_next=_NEXT):
                html = self.nodelist.render(context)
            _rendered[key] = html
        request = context.get("request")
        next_path = context.get("language_next") or (request.get_full_path() if request else "")
        # The page's own token (the csrf context processor's, shared with every form on the
        # page): masking a fresh one for each form costs more than the rest of this header.
        token = str(context.get("csrf_token", "")) if _CSRF in html else ""
        return html.replace(_CSRF, token).replace(_NEXT, escape(next_path))


@register.tag
def shared_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("shared_fragment needs a name")
    nodelist = parser.parse(("end_shared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )
