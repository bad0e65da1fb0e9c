from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers every app uses, and the record of background work (``core.jobs``)."""

    name = "core"
    verbose_name = "Core"
