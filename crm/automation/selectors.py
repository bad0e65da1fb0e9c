"""Reads for the rule pages: rules, their run log, and the dry run (which writes nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from crm.automation.models import Rule, RuleRun
from crm.automation.rules import action_describe, conditions_hold, trigger_candidates


def rules_list() -> QuerySet[Rule]:
    return Rule.objects.select_related("trigger_stage").order_by("name", "id")


def rule_runs(rule: Rule) -> QuerySet[RuleRun]:
    return RuleRun.objects.filter(rule=rule).order_by("-created_at", "-id")


@dataclass
class DryRun:
    """What a rule would do to existing records now."""

    checked: int
    matched: int
    #: The first matching records, each with what the actions would do.
    examples: list[tuple[Any, list[str]]] = field(default_factory=list)
    #: More records exist than were checked (the newest ones were).
    truncated: bool = False


def rule_dry_run(rule: Rule, *, show: int = 50) -> DryRun:
    """Evaluate the rule's conditions on its trigger's existing records; write nothing.

    The newest ``AUTOMATION_DRY_RUN_MAX`` records are checked.
    """
    limit = int(settings.AUTOMATION_DRY_RUN_MAX)
    records = list(trigger_candidates(rule).order_by("-pk")[: limit + 1])
    truncated = len(records) > limit
    records = records[:limit]
    described = [action_describe(rule, index, action) for index, action in enumerate(rule.actions)]
    result = DryRun(checked=len(records), matched=0, truncated=truncated)
    for record in records:
        if conditions_hold(rule, record):
            result.matched += 1
            if len(result.examples) < show:
                result.examples.append((record, described))
    return result
