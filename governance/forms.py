from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DecisionForm
from members.models import REASON_MAX_LENGTH, Country, Language

from . import receipts
from .models import Choice, Topic


class SpokespersonRequestForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"), choices=Country.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    ends_on = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The period cannot end before it starts."))
        return cleaned


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=REASON_MAX_LENGTH
    )


__all__ = [
    "BallotForm",
    "DecisionForm",
    "EndAssignmentForm",
    "ReceiptCheckForm",
    "SpokespersonRequestForm",
]


class BallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Choice.choices, widget=forms.RadioSelect
    )


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=receipts.CODE_MAX_LENGTH + 8,
        help_text=_("As shown after you voted, for example ABCD-EFGH-JKLM."),
    )


class ActDecisionForm(forms.Form):
    """A coordinator's decision on a proposed seat change: confirm, or decline with a
    reason (governance.services.acts)."""

    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("decline", "decline")])
    note = forms.CharField(max_length=REASON_MAX_LENGTH, required=False)
