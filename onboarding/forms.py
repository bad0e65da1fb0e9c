"""The public signup and "find my workspace" forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from core.locales import country_choices
from tenants.models import INTERNAL_STATUSES, Tenant
from tenants.users.models import User
from tenants.validators import SLUG_MAX_LENGTH, validate_workspace_slug


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be used as a workspace address, or ``None`` when it is free."""
    try:
        validate_workspace_slug(slug)
    except ValidationError as error:
        return " ".join(error.messages)
    if Tenant.objects.filter(slug=slug).exists():
        return str(_("This address is already taken."))
    return None


def public_plan_choices() -> list[tuple[str, str]]:
    """Evaluated per form, so plan edits by provider ops show up without a restart."""
    return [(plan.slug, plan.name) for plan in Plan.objects.public()]


class SignupForm(forms.Form):
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
    )
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=SLUG_MAX_LENGTH,
        help_text=_("Lowercase letters, digits and hyphens; you can't change it later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    admin_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Work email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False, choices=public_plan_choices)
    country = forms.ChoiceField(
        label=_("Country"),
        help_text=_("Sets your currency and time zone; you can change both later."),
        choices=country_choices,
    )
    language = forms.ChoiceField(label=_("Language of the workspace"), choices=settings.LANGUAGES)

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"]).strip().lower()
        problem = slug_problem(slug)
        if problem:
            raise ValidationError(problem)
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(
                email=cleaned.get("email", ""), full_name=cleaned.get("admin_name", "")
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class WorkspaceLookupForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class WorkspaceSignInForm(forms.Form):
    """The public "Sign in" page: which workspace address to go to."""

    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=SLUG_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def clean_slug(self) -> Tenant:
        slug = str(self.cleaned_data["slug"]).strip().lower()
        slug = slug.removeprefix("https://").removeprefix("http://").split(".", 1)[0]
        customer = Tenant.objects.exclude(status__in=INTERNAL_STATUSES)
        tenant = customer.filter(slug=slug).first() if slug else None
        if tenant is None:
            raise ValidationError(
                _("No workspace has this address. Check the spelling, or find it by e-mail.")
            )
        return tenant
