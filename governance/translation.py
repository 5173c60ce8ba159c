"""django-modeltranslation registrations: text the Steering Committee writes, in every
language of the network."""

from modeltranslation.translator import TranslationOptions, register

from .models import Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)
