from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers every app uses; no models of its own."""

    name = "core"
    verbose_name = "Core"
