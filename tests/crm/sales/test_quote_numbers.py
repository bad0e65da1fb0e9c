"""Quote numbers under concurrency: parallel quotes never share a number."""

from __future__ import annotations

import threading

from django.db import connection, transaction
from django_tenants.utils import schema_context

from crm.sales.models import SalesSettings
from crm.sales.services import _next_quote_number
from tenants.models import Tenant

WORKERS = 6


def test_parallel_quotes_get_distinct_consecutive_numbers(committed: None) -> None:
    schema = Tenant.objects.get(slug="alpha").schema_name
    barrier = threading.Barrier(WORKERS)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            with schema_context(schema):
                barrier.wait(timeout=10)
                with transaction.atomic():
                    numbers.append(_next_quote_number())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(WORKERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors
        assert sorted(numbers) == list(range(1, WORKERS + 1))
    finally:
        with schema_context(schema):
            SalesSettings.objects.all().delete()
