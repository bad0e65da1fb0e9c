"""Webhook intake and processing: signed events posted to the live endpoint.

Run: ``make bench BENCH=webhooks`` or ``.venv/bin/python bench/webhooks.py [--events N]``

A live WSGI server (one request at a time, like one gunicorn sync worker) serves the public
host; a real Celery worker consumes from Redis. The benchmark posts N correctly signed,
Stripe-shaped events (subscription updates and paid invoices for a few sandbox
subscriptions), one after another, and times each acknowledgement (the 200). The worker
processes them concurrently; processed events/s is N over the time from the first
acknowledgement to the last event processed. Baselines measured in the same run: ``/healthz``
(a request that does one ``SELECT 1``) and redelivered event ids (the ledger's duplicate
no-op).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    celery_worker,
    configure,
    drop_database,
    live_server,
    percentile,
    summarise,
)

DATABASE = "rapport_bench_webhooks"


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers={"Host": f"localhost:{port}", **headers})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def get(port: int, path: str) -> tuple[int, float]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": f"localhost:{port}"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def make_events(count: int, tenants: int) -> list[bytes]:
    """Signed-ready payloads: alternating subscription updates and paid invoices."""
    from django.utils import timezone

    from billing.models import SandboxCustomer, SandboxSubscription
    from billing.sandbox import objects
    from tenants.services import tenant_create

    subscriptions = []
    for index in range(tenants):
        tenant = tenant_create(name=f"Bench {index}", slug=f"bench-{index}-{uuid.uuid4().hex[:4]}")
        now = timezone.now()
        customer = SandboxCustomer.objects.create(customer_id=objects.new_id("cus"))
        subscriptions.append(
            SandboxSubscription.objects.create(
                subscription_id=objects.new_id("sub"),
                item_id=objects.new_id("si"),
                customer=customer,
                price_lookup_key="growth_month",
                quantity=1 + index,
                status="active",
                current_period_start=now,
                current_period_end=now + timedelta(days=30),
                metadata={"tenant_id": str(tenant.pk)},
            )
        )
    payloads = []
    created = int(time.time())
    for index in range(count):
        subscription = subscriptions[index % len(subscriptions)]
        if index % 2 == 0:
            kind, data = "customer.subscription.updated", objects.subscription_object(subscription)
        else:
            kind = "invoice.paid"
            data = {
                "id": objects.new_id("in"),
                "object": "invoice",
                "amount_paid": 2900,
                "amount_due": 2900,
                "currency": "eur",
                "parent": {"subscription_details": {"subscription": subscription.subscription_id}},
            }
        payloads.append(json.dumps(objects.event_object(kind, data, created)).encode())
    return payloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", 500)))
    parser.add_argument("--tenants", type=int, default=5)
    args = parser.parse_args()

    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["STRIPE_SECRET_KEY"] = ""
    configure(DATABASE, redis_db=13)
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Max, Min

    from billing.models import WebhookEvent, WebhookEventStatus
    from billing.signatures import signature_header
    from tenants.services import public_tenant_ensure, template_ensure

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        payloads = make_events(args.events, args.tenants)
        secret = settings.BILLING_SANDBOX_WEBHOOK_SECRET
        with celery_worker(), live_server() as port:
            for _ in range(20):  # warm the server's connection and URL resolver
                get(port, "/healthz")
            health = [get(port, "/healthz")[1] for _ in range(100)]
            acks: list[float] = []
            for body in payloads:
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature_header(payload=body, secret=secret),
                }
                status, elapsed = post(port, "/billing/webhook/", body, headers)
                assert status == 200, status
                acks.append(elapsed)
            duplicates = []
            for body in payloads[:100]:
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature_header(payload=body, secret=secret),
                }
                status, elapsed = post(port, "/billing/webhook/", body, headers)
                assert status == 200, status
                duplicates.append(elapsed)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                pending = WebhookEvent.objects.filter(status=WebhookEventStatus.RECEIVED).count()
                if not pending:
                    break
                time.sleep(0.05)
        counts = {
            status: WebhookEvent.objects.filter(status=status).count()
            for status in WebhookEventStatus.values
        }
        assert counts[WebhookEventStatus.PROCESSED] == args.events, counts
        span = WebhookEvent.objects.aggregate(first=Min("received_at"), last=Max("processed_at"))
        seconds = (span["last"] - span["first"]).total_seconds()
        processed_per_s = args.events / seconds
        ack_p50 = percentile(acks, 0.5) * 1000
        ack_p95 = percentile(acks, 0.95) * 1000
        print(f"Events: {args.events} over {args.tenants} workspaces; ledger: {counts}")
        print(summarise("baseline GET /healthz", health))
        print(summarise("webhook acknowledge", acks))
        print(summarise("duplicate acknowledge", duplicates))
        print(f"processed {args.events} events in {seconds:.2f}s by one worker")
        print(
            f"BENCH webhooks n={args.events} ack_p50_ms={ack_p50:.2f} ack_p95_ms={ack_p95:.2f} "
            f"processed_per_s={processed_per_s:.1f}"
        )
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
