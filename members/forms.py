from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import (
    NOTE_MAX_LENGTH,
    PSEUDONYM_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Country,
    Language,
    NoticeKind,
    Status,
)

EMAIL_MAX_LENGTH = 254


class ApplicationForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=PSEUDONYM_MAX_LENGTH,
        help_text=_("The name other members will see. It does not need to be your legal name."),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("Only coordinators see it. We send neutral messages only."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    status = forms.ChoiceField(
        label=_("I am"),
        choices=Status.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Only sex workers can vote, sit on the Steering Committee or speak for the "
            "network. Only you and the coordinators can see this."
        ),
    )
    note = forms.CharField(
        label=_("Anything you want the coordinators to know (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            try:
                password_validation.validate_password(password1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.Form):
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=PSEUDONYM_MAX_LENGTH)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)

    def clean(self):
        cleaned = super().clean()
        # The status is never a profile field. A submitted one means a tampered form:
        # refuse the whole submission rather than silently dropping part of it.
        if "status" in self.data or "state" in self.data:
            raise forms.ValidationError(
                _("Your status cannot be changed here. Ask for a status change instead."),
                code="status_not_editable",
            )
        return cleaned


class StatusChangeRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional, only coordinators see it)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"] = forms.ChoiceField(
            label=_("New status"),
            choices=[(v, label) for v, label in Status.choices if v != current_status],
            widget=forms.RadioSelect,
        )
        self.order_fields(["to_status", "reason"])


class DecisionForm(forms.Form):
    """A coordinator's decision on an application or a status change request."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
    )


class MembershipStateForm(forms.Form):
    """A coordinator suspends or reinstates a membership, always with a reason."""

    action = forms.ChoiceField(choices=[("suspend", "suspend"), ("reinstate", "reinstate")])
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH)


class ResignForm(forms.Form):
    """Leaving without erasing: an optional reason and the member's explicit confirmation."""

    reason = forms.CharField(
        label=_("Why (optional, only coordinators see it)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my membership and every role I hold end now."),
        required=True,
    )


class ErasureConfirmForm(forms.Form):
    """The member's explicit confirmation before their data is erased for good."""

    confirm = forms.BooleanField(
        label=_("I understand that my membership ends and my data is erased for good."),
        required=True,
        error_messages={
            "required": _("Tick the box to confirm that you want to leave and be erased.")
        },
    )


class NoticesForm(forms.Form):
    """Which notices a member wants. The coordinators' notice is offered to coordinators
    only; the form's choices are the kinds the member may choose between."""

    wanted = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["wanted"].choices = [
            (value, label) for value, label in NoticeKind.choices if value in kinds
        ]

    def opt_outs(self) -> set[str]:
        return set(self.kinds) - set(self.cleaned_data["wanted"])
