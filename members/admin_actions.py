"""Admin actions that call a service per selected object, and the factory for the actions
that change someone's rights, power or a vote: a confirmation page stating what will happen
and asking for the reason first. Governance's admin uses both."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .models import REASON_MAX_LENGTH
from .selectors import member_for_user


def run_service_action(modeladmin, request, queryset, call, done_message) -> None:
    """An admin action's body: call a service per selected object, report refusals as
    admin messages and the number done with `done_message` (an ngettext with `count`).
    Governance's admin uses it too."""
    acting = member_for_user(request.user)
    done = 0
    for obj in queryset:
        try:
            call(obj, acting)
            done += 1
        except ValidationError as error:
            modeladmin.message_user(
                request, f"{obj}: {' '.join(error.messages)}", level=messages.ERROR
            )
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, level=messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


def confirmed_action(
    *,
    name,
    description,
    statement,
    call,
    done_message,
    reason_required=True,
    permissions=None,
    warnings=None,
):
    """An admin action that first shows what will happen (`statement`, with the selected
    objects, and `warnings(objects)`: what the person must know about those) and asks for
    a reason, then calls `call(obj, acting_member, reason)` per
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
            "admin/action_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "statement": statement,
                "objects": list(queryset),
                "warnings": warnings(list(queryset)) if warnings else [],
                "form": form,
                "action": name,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.opts,
                "changelist_url": request.get_full_path(),
            },
        )

    action.__name__ = name
    return admin.action(description=description, permissions=permissions)(action)
