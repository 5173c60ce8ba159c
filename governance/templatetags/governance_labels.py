from django import template

from members.models import Country, Language

register = template.Library()


@register.filter
def country_labels(codes: list[str]) -> str:
    labels = dict(Country.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)


@register.filter
def language_labels(codes: list[str]) -> str:
    labels = dict(Language.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes)
