from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignupsConfig(AppConfig):
    """A customer's request for a workspace, on the public site (public schema).

    Kept apart from ``onboarding`` (which lives in each workspace's schema) so the signup
    table exists only in the public schema.
    """

    name = "onboarding.signups"
    label = "signups"
    verbose_name = _("Signups")
