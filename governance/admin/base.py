"""What governance's admins share: add forms that call a service. Actions that change power
or a vote are made with `members.admin_actions.confirmed_action` (a confirmation page)."""

from django import forms
from django.core.exceptions import ValidationError

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
