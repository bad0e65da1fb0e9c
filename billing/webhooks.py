"""The webhook ledger: verify, record once, process in a worker.

Intake (:func:`webhook_receive`) only verifies the signature on the raw body and records the
event id with its processing job (one transaction); a redelivered id is a no-op, unless the
event is still waiting, in which case its job is dispatched again. Processing
(:func:`webhook_event_process`) runs in a worker, dispatches to one handler per event type
and records the outcome on the row, so a failed event can be retried from the operations
console. An event that contradicts the
gateway or names a customer Rapport never linked is flagged and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from billing.gateways import gateway_named
from billing.gateways.base import BillingGateway, GatewayError, SignatureError
from billing.handlers import HANDLERS, EventRefusedError
from billing.models import WebhookEvent, WebhookEventStatus
from core.jobs.services import current_job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    event_id: str
    duplicate: bool
    #: A redelivered event that was not processed yet: its job was dispatched again.
    requeued: bool = False


def webhook_receive(*, payload: bytes, signature: str, gateway: BillingGateway) -> Receipt:
    """Verify and record one delivery; raises :class:`SignatureError` and stores nothing.

    The ledger row and its processing job commit together, so an event acknowledged with a
    200 is never left without a job, even when the broker is away (the job then waits for
    the sweeper). A redelivery of an event that is still waiting dispatches its job again
    instead of answering "duplicate" and doing nothing.
    """
    from billing.tasks import webhook_event_process_enqueue

    event = gateway.event_verify(payload=payload, signature=signature)
    event_id, event_type = str(event.get("id") or ""), str(event.get("type") or "")
    if not event_id or not event_type:
        raise SignatureError("The event has no id or type.")
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.create(
                event_id=event_id, event_type=event_type, gateway=gateway.name, payload=event
            )
            webhook_event_process_enqueue(event_pk=row.pk)
    except IntegrityError:
        existing = WebhookEvent.objects.filter(event_id=event_id).first()
        if existing is None or existing.status != WebhookEventStatus.RECEIVED:
            return Receipt(event_id, duplicate=True)
        with transaction.atomic():
            webhook_event_process_enqueue(event_pk=existing.pk)
        return Receipt(event_id, duplicate=True, requeued=True)
    return Receipt(event_id, duplicate=False)


#: Failures that say nothing about the event itself (the gateway or the database did not
#: answer): retried with backoff while the job has attempts left, the event still "received".
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (GatewayError, OperationalError, InterfaceError)


def webhook_event_process(*, event_id: int) -> WebhookEvent:
    """Run the event's handler once; a processed event is never handled again.

    The row stays locked while the handler runs, so two workers never handle one event at
    the same time. A failure is recorded with its error and leaves the handler's writes
    rolled back.
    """
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
            return event
        handler = HANDLERS.get(event.event_type)
        event.attempts += 1
        if handler is None:
            event.status = WebhookEventStatus.IGNORED
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "attempts", "processed_at"])
            return event
        try:
            with transaction.atomic():
                tenant = handler(event.payload, gateway_named(event.gateway))
        except EventRefusedError as refusal:
            logger.warning("Billing event %s flagged: %s", event.event_id, refusal)
            event.status = WebhookEventStatus.FLAGGED
            event.error = str(refusal)[:2000]
            event.processed_at = timezone.now()
        except Exception as error:
            job = current_job()
            if isinstance(error, TRANSIENT_ERRORS) and job is not None and not job.is_last_attempt:
                raise
            logger.exception("Billing event %s failed", event.event_id)
            event.status = WebhookEventStatus.FAILED
            event.error = f"{type(error).__name__}: {error}"[:2000]
        else:
            event.status = WebhookEventStatus.PROCESSED
            event.error = ""
            event.processed_at = timezone.now()
            if tenant is not None:
                event.tenant = tenant
        event.save(update_fields=["status", "error", "attempts", "processed_at", "tenant"])
        return event
