"""What the CRM services call when a record changes: record the rule work for after commit.

The call happens inside the service's transaction and writes a job row there
(``core.jobs``), so the rules run in a worker once the change is committed, and a change that
rolls back triggers nothing. Without an active rule that could fire, nothing is recorded.

While a rule's actions run, :data:`_chain` holds the rules that led there: the changes they
make carry it, so a rule never fires on its own change and chains stop at
``AUTOMATION_MAX_CHAIN_DEPTH``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q

#: Rule ids whose actions are running now, outermost first.
_chain: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())

WATCHED_TYPES = ("contact", "company", "lead", "deal")
#: Records of one :func:`records_created` call per job.
CREATED_BATCH = 200


def current_chain() -> tuple[int, ...]:
    return _chain.get()


@contextmanager
def acting_for(chain: Iterable[int]) -> Iterator[None]:
    """Changes made in this block come from the rules in ``chain`` (the last one acting)."""
    token = _chain.set(tuple(chain))
    try:
        yield
    finally:
        _chain.reset(token)


def _could_fire(object_type: str, event: str, fields: list[str], stage_id: int | None) -> bool:
    from crm.automation.models import Rule, Trigger

    rules = Rule.objects.filter(is_active=True, object_type=object_type)
    if event == "created":
        wanted = Q(trigger__in=[Trigger.CREATED, Trigger.LEAD_SOURCE, Trigger.STAGE_ENTERED])
    elif event == "stage_entered":
        wanted = Q(trigger=Trigger.STAGE_ENTERED, trigger_stage_id=stage_id)
    else:
        wanted = Q(trigger=Trigger.FIELD_CHANGED, trigger_field__in=fields)
        if "source" in fields:
            wanted |= Q(trigger=Trigger.LEAD_SOURCE)
    return rules.filter(wanted).exists()


def record_changed(
    *,
    object_type: str,
    object_id: int,
    event: str,
    fields: Iterable[str] = (),
    stage_id: int | None = None,
) -> None:
    """A record was created (``created``), changed (``updated``, with the changed field names,
    custom ones as ``custom.<key>``) or a deal entered a stage (``stage_entered``)."""
    if object_type not in WATCHED_TYPES:
        return
    field_list = sorted(set(fields))
    if not _could_fire(object_type, event, field_list, stage_id):
        return
    from crm.automation.tasks import event_process_job

    event_process_job.enqueue(
        object_type=object_type,
        object_id=int(object_id),
        event=event,
        fields=field_list,
        stage_id=stage_id,
        chain=list(current_chain()),
    )


def records_created(*, object_type: str, object_ids: Sequence[int]) -> None:
    """Many records were created together (an import's chunk inserted in bulk): the rules
    their creation fires run as if each had been created alone (:func:`record_changed`),
    checked once for the lot and recorded as one job per :data:`CREATED_BATCH` records."""
    if object_type not in WATCHED_TYPES or not object_ids:
        return
    if not _could_fire(object_type, "created", [], None):
        return
    from crm.automation.tasks import events_process_job

    ids = [int(object_id) for object_id in object_ids]
    for start in range(0, len(ids), CREATED_BATCH):
        events_process_job.enqueue(
            object_type=object_type,
            object_ids=ids[start : start + CREATED_BATCH],
            event="created",
            chain=list(current_chain()),
        )
