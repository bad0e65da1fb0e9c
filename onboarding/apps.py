from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    """The customer's journey: public signup, then the in-workspace guided start."""

    name = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self) -> None:
        from core.dashboard import dashboard_contribution_add
        from onboarding.dashboard import GuidedStartOnDashboard

        dashboard_contribution_add(GuidedStartOnDashboard())
