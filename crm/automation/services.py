"""Writes of workflow rules: saving rules, and running them for events and sweeps.

Rules run in the workers (``crm.automation.tasks``), each job in one transaction. A
workspace runs at most ``AUTOMATION_RULE_RUNS_PER_MINUTE`` rule runs that act (done or failed)
per minute; the rest is deferred to a later job, never dropped. A chain of rules changing
each other's records stops after ``AUTOMATION_MAX_CHAIN_DEPTH`` rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.automation.models import (
    COUNTED_STATUSES,
    EVENT_TRIGGERS,
    Rule,
    RuleRun,
    RunStatus,
    Trigger,
)
from crm.automation.rules import (
    RECORD_MODELS,
    conditions_hold,
    max_chain_depth,
    rate_limit,
    rate_window_used,
    rule_apply,
    trigger_candidates,
    trigger_fires,
)
from crm.automation.webhooks import webhook_secret_new
from crm.models import AuditAction, ObjectType
from crm.services.audit import audit_record
from crm.services.common import ensure_admin

RULE_FIELDS = (
    "name", "is_active", "object_type", "trigger", "trigger_field", "trigger_stage",
    "trigger_days", "trigger_source", "trigger_hour", "match", "conditions", "actions",
)  # fmt: skip


def _needs_secret(actions: Iterable[Mapping[str, Any]]) -> bool:
    return any(action.get("kind") == "webhook" for action in actions)


def _audit(
    rule: Rule, *, by: Any, action: AuditAction, changes: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=by,
        action=action,
        object_type=ObjectType.SETTINGS,
        object_id=int(rule.pk),
        object_repr=(_("Workflow rule: %(name)s") % {"name": rule.name})[:200],
        changes=changes or {},
    )


@transaction.atomic
def rule_create(*, by: Any, fields: Mapping[str, Any]) -> Rule:
    """Save a new rule (an admin's); a rule with a webhook gets its signing secret."""
    ensure_admin(by)
    rule = Rule(created_by=by, **{k: v for k, v in fields.items() if k in RULE_FIELDS})
    if _needs_secret(rule.actions):
        rule.webhook_secret = webhook_secret_new()
    rule.full_clean()
    rule.save()
    _audit(rule, by=by, action=AuditAction.CREATE)
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, by: Any, fields: Mapping[str, Any]) -> tuple[Rule, bool]:
    """Change a rule; returns it and whether a webhook secret was made now (to show once)."""
    ensure_admin(by)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    changes = {}
    for name, value in fields.items():
        if name in RULE_FIELDS and getattr(rule, name) != value:
            changes[name] = [str(getattr(rule, name)), str(value)]
            setattr(rule, name, value)
    new_secret = _needs_secret(rule.actions) and not rule.webhook_secret
    if new_secret:
        rule.webhook_secret = webhook_secret_new()
    if "actions" in changes:
        rule.rotation = {}
    rule.full_clean()
    rule.save()
    if changes:
        _audit(rule, by=by, action=AuditAction.UPDATE, changes=changes)
    return rule, new_secret


@transaction.atomic
def rule_secret_renew(*, rule: Rule, by: Any) -> str:
    """A new webhook secret (the old one stops working); returned to be shown once."""
    ensure_admin(by)
    rule.webhook_secret = webhook_secret_new()
    rule.save(update_fields=["webhook_secret", "updated_at"])
    _audit(rule, by=by, action=AuditAction.UPDATE, changes={"webhook_secret": ["…", "…"]})
    return rule.webhook_secret


@transaction.atomic
def rule_delete(*, rule: Rule, by: Any) -> None:
    ensure_admin(by)
    _audit(rule, by=by, action=AuditAction.DELETE)
    rule.delete()


# --- Running -----------------------------------------------------------------------------------


def event_process(
    *,
    object_type: str,
    object_id: int,
    event: str,
    fields: Iterable[str] = (),
    stage_id: int | None = None,
    chain: Iterable[int] = (),
    rule_ids: Iterable[int] | None = None,
) -> int:
    """Run the rules a record's change fires; returns how many ran.

    Rules already in ``chain`` (whose actions led to this change) do not fire again; past the
    depth limit the rules that would fire are logged as skipped. Past the rate limit, the
    remaining rules wait in a new job until the minute frees up.
    """
    from crm.automation.tasks import event_process_job

    chain = [int(rule_id) for rule_id in chain]
    record = RECORD_MODELS[object_type]._default_manager.filter(pk=object_id).first()
    if record is None:  # deleted since: nothing to act on
        return 0
    rules = Rule.objects.filter(
        is_active=True, object_type=object_type, trigger__in=EVENT_TRIGGERS
    ).order_by("pk")
    if rule_ids is not None:
        rules = rules.filter(pk__in=list(rule_ids))
    fired = [
        rule
        for rule in rules.select_related("created_by")
        if rule.pk not in chain
        and trigger_fires(rule, record, event=event, fields=fields, stage_id=stage_id)
    ]
    if not fired:
        return 0
    if len(chain) >= max_chain_depth():
        for rule in fired:
            RuleRun.objects.create(
                rule=rule,
                object_type=object_type,
                object_id=record.pk,
                object_repr=str(record)[:200],
                status=RunStatus.SKIPPED,
                depth=len(chain),
                error=_("Not run: %(n)s rules in a row already changed this record.")
                % {"n": len(chain)},
            )
        return 0
    used, _wait = rate_window_used()
    limit = rate_limit()
    ran = 0
    for index, rule in enumerate(fired):
        if used >= limit:
            _used, wait = rate_window_used()
            event_process_job.enqueue(
                object_type=object_type,
                object_id=object_id,
                event=event,
                fields=list(fields),
                stage_id=stage_id,
                chain=chain,
                rule_ids=[r.pk for r in fired[index:]],
                delay_seconds=wait,
            )
            break
        run = rule_apply(rule, record, chain=chain)
        used += run.status in COUNTED_STATUSES
        ran += 1
        record.refresh_from_db()
    return ran


def events_process(
    *, object_type: str, object_ids: Iterable[int], event: str, chain: Iterable[int] = ()
) -> int:
    """:func:`event_process` for each record of a batch (records created together); returns
    how many rule runs ran. The rate limit defers what exceeds it exactly as for one record."""
    chain = list(chain)
    return sum(
        event_process(object_type=object_type, object_id=int(object_id), event=event, chain=chain)
        for object_id in object_ids
    )


def sweep_batch_size() -> int:
    return max(1, int(settings.AUTOMATION_SWEEP_BATCH))


def rule_sweep(*, rule_id: int, occasion: str = "", after_id: int = 0) -> int:
    """Run a scheduled or idle-deal rule over its records, a batch per job, in id order.

    Each record runs once per occasion (the day for schedules, the stay in a stage for idle
    deals); only records that meet the conditions are logged. Returns how many ran.
    """
    from crm.automation.tasks import rule_sweep_job

    rule = Rule.objects.filter(pk=rule_id, is_active=True).select_related("created_by").first()
    if rule is None:
        return 0
    batch = list(
        trigger_candidates(rule).filter(pk__gt=after_id).order_by("pk")[: sweep_batch_size()]
    )
    used, _wait = rate_window_used()
    limit = rate_limit()
    ran = 0
    done = set(
        RuleRun.objects.filter(rule=rule, object_id__in=[r.pk for r in batch])
        .exclude(occasion="")
        .values_list("object_id", "occasion")
    )
    for record in batch:
        key = occasion or f"idle:{record.stage_entered_at:%Y%m%dT%H%M%S}"
        if (record.pk, key) in done:
            continue
        if not conditions_hold(rule, record):
            continue
        if used >= limit:
            _used, wait = rate_window_used()
            rule_sweep_job.enqueue(
                rule_id=rule.pk, occasion=occasion, after_id=record.pk - 1, delay_seconds=wait
            )
            return ran
        run = rule_apply(rule, record, occasion=key)
        used += run.status in COUNTED_STATUSES
        ran += 1
    if len(batch) == sweep_batch_size():
        rule_sweep_job.enqueue(rule_id=rule.pk, occasion=occasion, after_id=batch[-1].pk)
    return ran


def workspace_now() -> datetime.datetime:
    """Now in the workspace's time zone."""
    from tenants.selectors import current_tenant

    try:
        zone = ZoneInfo(current_tenant().time_zone or "UTC")
    except Exception:  # an unknown zone name: UTC rather than no rules
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone)


def rules_due_enqueue(*, now: datetime.datetime | None = None) -> int:
    """Hourly: start today's scheduled rules whose hour has come, and the idle-deal rules."""
    from crm.automation.tasks import rule_sweep_job

    local = now or workspace_now()
    today = local.date()
    schema = str(getattr(connection, "schema_name", ""))
    started = 0
    scheduled = Rule.objects.filter(
        is_active=True, trigger=Trigger.SCHEDULE, trigger_hour__lte=local.hour
    ).exclude(last_scheduled_on=today)
    for rule in scheduled:
        rule.last_scheduled_on = today
        rule.save(update_fields=["last_scheduled_on"])
        rule_sweep_job.enqueue(
            rule_id=rule.pk,
            occasion=f"schedule:{today.isoformat()}",
            dedupe_key=f"automation.sweep:{schema}:{rule.pk}:{today.isoformat()}",
        )
        started += 1
    for rule in Rule.objects.filter(is_active=True, trigger=Trigger.DEAL_IDLE):
        rule_sweep_job.enqueue(
            rule_id=rule.pk, occasion="", dedupe_key=f"automation.sweep:{schema}:{rule.pk}:idle"
        )
        started += 1
    return started


@transaction.atomic
def care_touch_save(*, form: Any, by: Any) -> Any:
    """Save a care-touch kind's settings from its validated form (an admin's), audited."""
    ensure_admin(by)
    touch = form.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.SETTINGS,
        object_id=int(touch.pk),
        object_repr=(_("Care touch: %(kind)s") % {"kind": touch.get_kind_display()})[:200],
        changes={name: [None, str(form.cleaned_data.get(name))] for name in form.changed_data},
    )
    return touch
