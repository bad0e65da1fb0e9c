"""Exit 0 when a Celery worker answers, so scripts can wait for one."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task and wait for a worker to answer."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--timeout", type=float, default=20.0)

    def handle(self, *args: Any, timeout: float = 20.0, **options: Any) -> None:
        try:
            answer = ping.delay().get(timeout=timeout)
        except Exception as error:
            raise CommandError(f"No worker answered within {timeout:g} s: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Worker answered: {answer}"))
