"""What governance's admins share: add forms that call a service, and one factory for
every action that changes power or a vote, which first shows a confirmation page stating
what will happen and asking for the reason."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from members.admin import run_service_action
from members.models import REASON_MAX_LENGTH
from members.selectors import member_for_user


class ServiceAdminForm(forms.ModelForm):
    """An add form whose clean() calls the service. A refusal becomes a form error; on
    success the saved object replaces the unsaved instance, and save_model does nothing."""

    acting_member = None  # set per request by ServiceAddAdminMixin.get_form

    def call_service(self, data: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self.call_service(cleaned)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return cleaned


class ServiceAddAdminMixin:
    add_form: type[ServiceAdminForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "BoundAddForm", (self.add_form,), {"acting_member": member_for_user(request.user)}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        # The service saved it in form.clean(); admin's transaction covers both.
        if change:
            raise ValidationError("Changes go through actions.")

    def save_related(self, request, form, formsets, change):
        pass

    def get_readonly_fields(self, request, obj=None):
        # The add form is the service's input; an existing row is only read.
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


def confirmed_action(*, name, description, statement, call, done_message, reason_required=True):
    """An admin action that first shows what will happen (`statement`, with the selected
    objects) and asks for a reason, then calls `call(obj, acting_member, reason)` per
    object when the page is submitted. Refusals are admin messages, never errors."""

    def action(modeladmin, request, queryset):
        confirmed = request.POST.get("confirmed") == "yes"
        form = ReasonForm(request.POST if confirmed else None, required=reason_required)
        if confirmed and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service_action(
                modeladmin,
                request,
                queryset,
                lambda obj, by: call(obj, by, reason),
                done_message,
            )
            return None
        return TemplateResponse(
            request,
            "admin/governance/action_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "statement": statement,
                "objects": list(queryset),
                "form": form,
                "action": name,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.opts,
                "changelist_url": request.get_full_path(),
            },
        )

    action.__name__ = name
    return admin.action(description=description)(action)
