"""Forms for signing in, inviting and joining a workspace, and a person's own profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from core.widgets import LongSelect
from tenants.users.models import Role, User, normalize_email
from tenants.users.notifications import (
    NotificationKind,
    notification_enabled,
    notification_kinds_for,
)
from tenants.users.selectors import email_taken, time_zone_names, workspace_time_zone_name


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with email and password (the user model's username is the email)."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class StaffAuthenticationForm(EmailAuthenticationForm):
    """Provider-operations sign-in: only staff accounts of the public schema are accepted."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(
                _("This sign-in is for Rapport operations staff only."), code="not_staff"
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"placeholder": "name@company.com"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """The invitee chooses their name and password; Django's password validators apply."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _add_class(widget: forms.Widget, css: str) -> None:
    classes = str(widget.attrs.get("class", "")).split()
    if css not in classes:
        widget.attrs["class"] = " ".join([*classes, css])


class TablerForm(forms.BaseForm):
    """Tabler classes on every widget, and ``is-invalid`` on those with errors, so templates
    render ``{{ field }}`` as is. Forms that add fields in ``__init__`` call
    :meth:`style_widgets` afterwards."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                _add_class(widget, "form-check-input")
            elif isinstance(widget, forms.Select):
                _add_class(widget, "form-select")
            else:
                _add_class(widget, "form-control")

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                _add_class(self.fields[name].widget, "is-invalid")


class ProfileNameForm(TablerForm, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )


class EmailChangeForm(TablerForm, forms.Form):
    """A new address for the signed-in person, confirmed with their current password.

    The password keeps someone who finds an unlocked, signed-in browser from moving the
    account to their own inbox (and then resetting the password from there).
    """

    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if email == normalize_email(self.user.email):
            raise forms.ValidationError(_("This is already your email address."), code="same")
        if email_taken(email, by_other_than=self.user):
            raise forms.ValidationError(
                _("This address is already used by another account in this workspace."),
                code="taken",
            )
        return email

    def clean_current_password(self) -> str:
        password = str(self.cleaned_data["current_password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("Your current password was entered incorrectly. Please enter it again."),
                code="password_incorrect",
            )
        return password


class ProfilePasswordForm(TablerForm, PasswordChangeForm):
    """Django's password change: the current password, then the new one twice. The page has
    other forms above it, so it takes no autofocus."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class PreferencesForm(TablerForm, forms.Form):
    """Language and time zone; empty means "the workspace's default"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = dict(settings.LANGUAGES)
        default_language = languages.get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            required=False,
            choices=[
                ("", _("Workspace default (%(language)s)") % {"language": default_language}),
                *settings.LANGUAGES,
            ],
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            required=False,
            widget=LongSelect,
            choices=[
                ("", _("Workspace default (%(zone)s)") % {"zone": workspace_time_zone_name()}),
                *[(name, name.replace("_", " ")) for name in time_zone_names()],
            ],
        )
        self.style_widgets()


class NotificationsForm(TablerForm, forms.Form):
    """One switch per email ``user`` can receive; always-on ones are shown, disabled."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = notification_kinds_for(user)
        for kind in self.kinds:
            self.fields[kind.key] = forms.BooleanField(
                label=str(kind.label),
                help_text=str(kind.description),
                required=False,
                disabled=not kind.optional,
                initial=notification_enabled(user, kind.key),
            )
        self.style_widgets()

    def rows(self) -> list[tuple[forms.BoundField, NotificationKind]]:
        return [(self[kind.key], kind) for kind in self.kinds]
