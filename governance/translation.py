"""django-modeltranslation registrations: text the Steering Committee writes, in every
language of the network."""

from modeltranslation.translator import TranslationOptions, register

from .models import Motion, Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Motion)
class MotionTranslationOptions(TranslationOptions):
    fields = ("title", "text")
