"""Evaluating rules: which fields a condition reads, whether it holds, what actions do.

Values are compared the way a person reads them: numbers as numbers, dates as dates, text
without regard to case; a related record (owner, stage, company) matches its id or its name
(an owner also its e-mail address), a choice its stored value or its label, tags any one tag.
Companies, contacts and deals (through their company) also offer their customer value
(``crm.insights.flags``): the RFM segment (its code or its label in any language), "at risk"
and "top 20 %" (true/false).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.automation.hooks import acting_for
from crm.automation.models import (
    COUNTED_STATUSES,
    ActionKind,
    Match,
    Operator,
    Rule,
    RuleRun,
    RunStatus,
    Trigger,
)
from crm.insights.flags import RULE_VALUE_FIELDS, rule_value_field
from crm.models import ActivityKind, Company, Contact, CustomFieldDefinition, Deal, Lead
from crm.models import Tag as CrmTag

RECORD_MODELS: dict[str, type[models.Model]] = {
    "contact": Contact,
    "company": Company,
    "lead": Lead,
    "deal": Deal,
}

#: Standard fields conditions may read, per record type.
CONDITION_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": (
        "full_name", "title", "email", "phone", "city", "country", "birthday",
        "email_opt_out", "owner", "tags", "created_at",
    ),
    "company": ("name", "domain", "industry", "size", "city", "country", "owner", "tags",
                "created_at"),
    "lead": ("name", "company_name", "email", "phone", "source", "status", "owner", "tags",
             "created_at"),
    "deal": ("title", "amount", "currency", "probability", "expected_close_on", "stage",
             "company", "owner", "tags", "created_at"),
}  # fmt: skip

#: Standard fields a "set a field" action may write, per record type.
SETTABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("title", "city", "country", "email_opt_out", "phone_opt_out"),
    "company": ("industry", "size", "city", "country"),
    "lead": ("status", "source", "company_name"),
    "deal": ("probability", "expected_close_on", "lost_reason"),
}


def field_label(object_type: str, path: str) -> str:
    """The field's name as users see it (a custom field's label)."""
    if path.startswith("value."):
        labels = dict(RULE_VALUE_FIELDS.get(object_type, ()))
        return str(labels.get(path, path))
    if path.startswith("custom."):
        definition = CustomFieldDefinition.objects.filter(
            object_type=object_type, key=path.removeprefix("custom.")
        ).first()
        return definition.label if definition else path
    model = RECORD_MODELS[object_type]
    try:
        return str(model._meta.get_field(path).verbose_name)  # type: ignore[union-attr]
    except Exception:  # an unknown name is shown as stored
        return path


def field_choices(object_type: str, *, settable: bool = False) -> list[tuple[str, str]]:
    """``(path, label)`` of the fields a condition reads (or an action sets), custom included."""
    names = (SETTABLE_FIELDS if settable else CONDITION_FIELDS)[object_type]
    choices = [(name, field_label(object_type, name).capitalize()) for name in names]
    if not settable:  # customer-value flags (precomputed hourly) can be read, not set
        choices += [(path, str(label)) for path, label in RULE_VALUE_FIELDS.get(object_type, ())]
    for definition in CustomFieldDefinition.objects.for_type(object_type):
        choices.append((f"custom.{definition.key}", definition.label))
    return choices


def field_known(object_type: str, path: str, *, settable: bool = False) -> bool:
    return path in {name for name, _label in field_choices(object_type, settable=settable)}


# --- Reading values ----------------------------------------------------------------------------


def field_value(record: models.Model, path: str) -> Any:
    """The value a condition compares: plain values, or a list of names for related records."""
    if path.startswith("custom."):
        return (getattr(record, "custom", None) or {}).get(path.removeprefix("custom."))
    if path.startswith("value."):
        return rule_value_field(record, path)
    if path == "tags":
        return [tag.name for tag in record.tags.all()]  # type: ignore[attr-defined]
    model_field = record._meta.get_field(path)
    if model_field.is_relation:
        related = getattr(record, path)
        if related is None:
            return None
        names = [str(related.pk), str(related)]
        email = getattr(related, "email", "")
        if email:
            names.append(email)
        return names
    value = getattr(record, path)
    if getattr(model_field, "choices", None) and value:
        display = getattr(record, f"get_{path}_display")()
        return [str(value), str(display)]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().casefold()


def _equal(actual: Any, expected: str) -> bool:
    number, wanted_number = _number(actual), _number(expected)
    if number is not None and wanted_number is not None:
        return number == wanted_number
    if isinstance(actual, datetime.date):
        return _date(actual) == _date(expected)
    wanted = _text(expected)
    if isinstance(actual, bool):
        return wanted in ({"true", "yes", "1"} if actual else {"false", "no", "0"})
    return _text(actual) == wanted


def _order(actual: Any, expected: str) -> int | None:
    """-1, 0 or 1 comparing ``actual`` with ``expected``; ``None`` when they don't compare."""
    number, wanted_number = _number(actual), _number(expected)
    if number is not None and wanted_number is not None:
        return (number > wanted_number) - (number < wanted_number)
    day, wanted_day = _date(actual), _date(expected)
    if day is not None and wanted_day is not None:
        return (day > wanted_day) - (day < wanted_day)
    return None


def value_matches(actual: Any, operator: str, expected: str) -> bool:
    """Whether ``actual <operator> expected`` holds (see the module docstring)."""
    if operator == Operator.EMPTY:
        return _is_empty(actual)
    if operator == Operator.NOT_EMPTY:
        return not _is_empty(actual)
    values = actual if isinstance(actual, list) else [actual]
    if operator == Operator.NOT_EQUALS:
        return not any(v is not None and _equal(v, expected) for v in values)
    if _is_empty(actual):
        return False
    if operator == Operator.EQUALS:
        return any(_equal(v, expected) for v in values)
    if operator == Operator.CONTAINS:
        return any(_text(expected) in _text(v) for v in values)
    wanted = 1 if operator == Operator.GREATER else -1
    return any(_order(v, expected) == wanted for v in values)


def conditions_hold(rule: Rule, record: models.Model) -> bool:
    """The rule's conditions on ``record``, combined by AND or OR (none: always)."""
    if not rule.conditions:
        return True
    results = (
        value_matches(field_value(record, c["field"]), c["operator"], str(c.get("value", "") or ""))
        for c in rule.conditions
    )
    return all(results) if rule.match == Match.ALL else any(results)


# --- Triggers ----------------------------------------------------------------------------------


def trigger_fires(
    rule: Rule, record: models.Model, *, event: str, fields: Iterable[str], stage_id: int | None
) -> bool:
    """Whether a record's change (``created``, ``updated``, ``stage_entered``) fires ``rule``."""
    changed = set(fields)
    if rule.trigger == Trigger.CREATED:
        return event == "created"
    if rule.trigger == Trigger.FIELD_CHANGED:
        return event == "updated" and rule.trigger_field in changed
    if rule.trigger == Trigger.STAGE_ENTERED:
        if event == "created":
            return getattr(record, "stage_id", None) == rule.trigger_stage_id
        return event == "stage_entered" and stage_id == rule.trigger_stage_id
    if rule.trigger == Trigger.LEAD_SOURCE:
        came_from = event == "created" or (event == "updated" and "source" in changed)
        return came_from and getattr(record, "source", None) == rule.trigger_source
    return False


def idle_deals(rule: Rule, *, now: datetime.datetime | None = None) -> QuerySet[Deal]:
    """Open deals that have stayed in their stage for at least the rule's days."""
    now = now or timezone.now()
    days = int(rule.trigger_days or 0)
    return Deal.objects.open().filter(stage_entered_at__lte=now - timedelta(days=days))


def trigger_candidates(rule: Rule) -> QuerySet[Any]:
    """The existing records a rule's trigger concerns (dry runs and scheduled sweeps)."""
    model = RECORD_MODELS[rule.object_type]
    records: QuerySet[Any] = model._default_manager.all()
    if rule.trigger == Trigger.STAGE_ENTERED:
        records = records.filter(stage_id=rule.trigger_stage_id)
    elif rule.trigger == Trigger.LEAD_SOURCE:
        records = records.filter(source=rule.trigger_source)
    elif rule.trigger == Trigger.DEAL_IDLE:
        records = idle_deals(rule)
    related = ["owner", "stage", "company"] if rule.object_type == "deal" else ["owner"]
    return records.select_related(*related).prefetch_related("tags")


# --- Actions -----------------------------------------------------------------------------------


class ActionError(Exception):
    """An action could not be done (a message for the run log)."""


def rule_actor(rule: Rule) -> Any:
    """Who the rule's changes are made (and audited) as: its author, else an active admin."""
    from tenants.users.models import User

    author = rule.created_by
    if author is not None and author.is_active and author.can_write:
        return author
    admin = User.objects.filter(is_active=True, role="admin").order_by("pk").first()
    if admin is None:
        raise ActionError(_("No active admin to act as."))
    return admin


def _users(ids: Iterable[Any]) -> list[Any]:
    from tenants.users.models import User

    wanted = [int(i) for i in ids]
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    return [found[i] for i in wanted if i in found]


def _record_update(
    record: models.Model, *, by: Any, fields: dict[str, Any], tags: list[CrmTag] | None = None
) -> None:
    from crm import services

    r: Any = record
    kind = record._meta.model_name
    if kind == "contact":
        services.contact_update(contact=r, by=by, fields=fields, tags=tags)
    elif kind == "company":
        services.company_update(company=r, by=by, fields=fields, tags=tags)
    elif kind == "lead":
        services.lead_update(lead=r, by=by, fields=fields, tags=tags)
    else:
        services.deal_update(deal=r, by=by, fields=fields, tags=tags)


def _assign_target(rule: Rule, index: int, action: dict[str, Any], *, advance: bool) -> Any:
    """The owner an assign action gives: the fixed user, or the next one in the rotation."""
    if action.get("mode") == "round_robin":
        people = _users(action.get("users") or [])
        if not people:
            raise ActionError(_("None of the rotation's users is active."))
        key = str(index)
        if advance:
            locked = Rule.objects.select_for_update().get(pk=rule.pk)
            position = (int(locked.rotation.get(key, -1)) + 1) % len(people)
            locked.rotation[key] = position
            locked.save(update_fields=["rotation"])
            rule.rotation = locked.rotation
        else:
            position = (int(rule.rotation.get(key, -1)) + 1) % len(people)
        return people[position]
    people = _users([action.get("user")] if action.get("user") else [])
    if not people:
        raise ActionError(_("The chosen owner is not an active user."))
    return people[0]


def action_describe(rule: Rule, index: int, action: dict[str, Any]) -> str:
    """What the action would do, in a sentence (dry runs, the rule's page)."""
    kind = action.get("kind")
    if kind == ActionKind.CREATE_ACTIVITY:
        return _("Create the activity “%(title)s” for the owner, due in %(days)s days") % {
            "title": action.get("title", ""),
            "days": action.get("due_days", 0),
        }
    if kind == ActionKind.ASSIGN_OWNER:
        if action.get("mode") == "round_robin":
            names = ", ".join(str(u) for u in _users(action.get("users") or []))
            return _("Assign the owner in turn among: %(names)s") % {"names": names}
        people = _users([action["user"]] if action.get("user") else [])
        return _("Assign the owner: %(name)s") % {"name": people[0] if people else "?"}
    if kind == ActionKind.SET_FIELD:
        return _("Set %(field)s to “%(value)s”") % {
            "field": field_label(rule.object_type, action.get("field", "")),
            "value": action.get("value", ""),
        }
    if kind == ActionKind.ADD_TAG:
        return _("Add the tag “%(tag)s”") % {"tag": action.get("tag", "")}
    if kind == ActionKind.SEND_EMAIL:
        template = _email_template(action)
        return _("Send the e-mail template “%(name)s”") % {"name": template or "?"}
    if kind == ActionKind.WEBHOOK:
        return _("Call the webhook %(url)s") % {"url": action.get("url", "")}
    return str(kind)


def _email_template(action: dict[str, Any]) -> Any:
    from crm.mailing.models import EmailTemplate

    return EmailTemplate.objects.filter(pk=action.get("template") or 0).first()


def _email_recipients(record: Any) -> list[Any]:
    """Who a rule's e-mail goes to: the contact itself, or a deal's contacts."""
    from crm.models import Contact, Deal

    if isinstance(record, Contact):
        return [record]
    if isinstance(record, Deal):
        return list(record.contacts.order_by("pk"))
    raise ActionError(_("E-mail templates go to contacts: use a contact or a deal rule."))


def _email_send(rule: Rule, action: dict[str, Any], record: Any, by: Any) -> str:
    """Send the action's template through the CRM's e-mail (opt-outs respected, logged on
    each contact's timeline); say who was left out and why."""
    from crm.mailing.services import email_send

    template = _email_template(action)
    if template is None:
        raise ActionError(_("The e-mail template of this action was deleted."))
    recipients = _email_recipients(record)
    if not recipients:
        return _("No e-mail sent: the deal has no contacts.")
    result = email_send(
        sender=by,
        contacts=recipients,
        subject=template.subject,
        body=template.body,
        template=template,
    )
    done = _("E-mail “%(name)s” queued for %(count)d contact(s)") % {
        "name": template.name,
        "count": result.sendable,
    }
    return f"{done}. {result.summary}".strip() if result.summary else done


def record_payload(record: models.Model) -> dict[str, Any]:
    """The record as a webhook receives it (JSON-safe)."""
    data: dict[str, Any] = {"type": record._meta.model_name, "id": record.pk, "name": str(record)}
    names = CONDITION_FIELDS.get(str(record._meta.model_name), ())
    for name in names:
        if name in ("tags", "created_at"):
            continue
        value = (
            getattr(record, f"{name}_id", None)
            if record._meta.get_field(name).is_relation
            else getattr(record, name)
        )
        data[name] = value
    data["tags"] = sorted(tag.name for tag in record.tags.all())  # type: ignore[attr-defined]
    data["custom"] = getattr(record, "custom", {}) or {}
    return json.loads(json.dumps(data, default=str))


def _action_run(rule: Rule, index: int, action: dict[str, Any], record: Any, run: RuleRun) -> str:
    from crm import services

    kind = action.get("kind")
    by = rule_actor(rule)
    if kind == ActionKind.CREATE_ACTIVITY:
        link = {str(record._meta.model_name): record}
        activity = services.activity_create(
            by=by,
            fields={
                "kind": action.get("activity_kind") or ActivityKind.TASK,
                "subject": str(action.get("title", ""))[:200],
                "due_at": timezone.now() + timedelta(days=int(action.get("due_days") or 0)),
                "owner": record.owner,
                **link,
            },
        )
        return _("Activity “%(title)s” created (#%(id)s)") % {
            "title": activity.subject,
            "id": activity.pk,
        }
    if kind == ActionKind.ASSIGN_OWNER:
        owner = _assign_target(rule, index, action, advance=True)
        _record_update(record, by=by, fields={"owner": owner})
        return _("Owner set to %(name)s") % {"name": owner}
    if kind == ActionKind.SET_FIELD:
        path, value = str(action.get("field", "")), action.get("value", "")
        if not field_known(rule.object_type, path, settable=True):
            raise ActionError(_("The field %(field)s can no longer be set.") % {"field": path})
        if path.startswith("custom."):
            _record_update(record, by=by, fields={"custom": {path.removeprefix("custom."): value}})
        else:
            _record_update(record, by=by, fields={path: value})
        return _("%(field)s set to “%(value)s”") % {
            "field": field_label(rule.object_type, path),
            "value": value,
        }
    if kind == ActionKind.ADD_TAG:
        name = str(action.get("tag", "")).strip()[:60]
        tag = CrmTag.objects.filter(name__iexact=name).first() or CrmTag.objects.create(name=name)
        current = list(record.tags.all())
        if tag not in current:
            _record_update(record, by=by, fields={}, tags=[*current, tag])
        return _("Tag “%(tag)s” added") % {"tag": tag.name}
    if kind == ActionKind.SEND_EMAIL:
        return _email_send(rule, action, record, by)
    if kind == ActionKind.WEBHOOK:
        from crm.automation.tasks import webhook_deliver_job

        body = json.dumps(
            {
                "rule": {"id": rule.pk, "name": rule.name},
                "record": record_payload(record),
                "run": run.pk,
                "sent_at": timezone.now().isoformat(),
            },
            sort_keys=True,
        )
        webhook_deliver_job.enqueue(run_id=run.pk, url=str(action.get("url", "")), body=body)
        return _("Webhook %(url)s queued") % {"url": action.get("url", "")}
    raise ActionError(_("Unknown action %(kind)s.") % {"kind": kind})


# --- Running a rule ------------------------------------------------------------------------------


@dataclass
class Outcome:
    run: RuleRun
    lines: list[str] = field(default_factory=list)


def rule_apply(
    rule: Rule, record: Any, *, chain: Iterable[int] = (), occasion: str = ""
) -> RuleRun:
    """Check the conditions and run the actions for one record; log the run.

    The actions run in a savepoint: one that fails undoes the others, and the run is logged
    as failed with the error. Changes the actions make carry the chain (loop protection).
    """
    chain = tuple(chain)
    run = RuleRun(
        rule=rule,
        object_type=rule.object_type,
        object_id=record.pk,
        object_repr=str(record)[:200],
        depth=len(chain),
        occasion=occasion,
    )
    if not conditions_hold(rule, record):
        run.status = RunStatus.NOT_MATCHED
        run.save()
        return run
    run.status = RunStatus.DONE
    run.save()
    lines: list[str] = []
    try:
        with transaction.atomic(), acting_for((*chain, rule.pk)):
            for index, action in enumerate(rule.actions):
                if index:  # the next action sees what the previous one changed
                    record.refresh_from_db()
                lines.append(_action_run(rule, index, action, record, run))
    except Exception as error:  # any failure of an action is the run's result, not a crash
        run.status = RunStatus.FAILED
        run.error = _error_text(error)[:2000]
    run.result = "\n".join(lines)
    run.save(update_fields=["status", "result", "error"])
    return run


def _error_text(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    if messages:
        return " ".join(str(m) for m in messages)
    return str(error) or type(error).__name__


def rate_window_used(*, now: datetime.datetime | None = None) -> tuple[int, float]:
    """Counted runs in the last minute, and seconds until the oldest of them leaves it."""
    now = now or timezone.now()
    start = now - timedelta(seconds=60)
    runs = RuleRun.objects.filter(status__in=COUNTED_STATUSES, created_at__gt=start)
    count = runs.count()
    oldest = runs.order_by("created_at").values_list("created_at", flat=True).first()
    wait = (oldest - start).total_seconds() if oldest else 0.0
    return count, max(1.0, wait)


def rate_limit() -> int:
    return max(1, int(settings.AUTOMATION_RULE_RUNS_PER_MINUTE))


def max_chain_depth() -> int:
    return max(1, int(settings.AUTOMATION_MAX_CHAIN_DEPTH))
