"""Workflow rules: triggers, conditions, actions, loop protection, rate limits, dry runs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services as crm
from crm.automation.models import Rule, RuleRun, RunStatus
from crm.automation.rules import conditions_hold, value_matches
from crm.automation.selectors import rule_dry_run
from crm.automation.services import event_process, rules_due_enqueue
from crm.models import Activity, AuditEntry, Contact, Deal, Tag
from tests.crm.automation.conftest import run_jobs, waiting
from tests.crm.factories import CustomFieldFactory, stage_named

pytestmark = pytest.mark.usefixtures("crm")


# --- Triggers ----------------------------------------------------------------------------------


def test_record_created_runs_the_rule_after_commit_in_a_job(admin, rep, make_rule) -> None:
    rule = make_rule(
        actions=[{"kind": "create_activity", "title": "Call the new contact", "due_days": 2}]
    )
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    assert Activity.objects.count() == 0  # nothing in the request: a job waits
    assert len(waiting("automation.event_process")) == 1
    assert run_jobs() == ["done"]
    task = Activity.objects.get()
    assert task.subject == "Call the new contact"
    assert task.owner == rep
    assert task.contact == contact
    assert task.due_at is not None
    assert (task.due_at - timezone.now()).days == 1  # due in two days, less a moment
    run = RuleRun.objects.get(rule=rule)
    assert run.status == RunStatus.DONE
    assert run.object_id == contact.pk


def test_without_a_rule_that_could_fire_no_job_is_recorded(rep, make_rule) -> None:
    make_rule(object_type="company")
    crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    assert waiting("automation.event_process") == []


def test_field_changed_fires_only_for_its_field(rep, make_rule) -> None:
    rule = make_rule(trigger="field_changed", trigger_field="city")
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    crm.contact_update(contact=contact, by=rep, fields={"title": "CEO"})
    run_jobs()
    assert not RuleRun.objects.filter(rule=rule).exists()
    crm.contact_update(contact=contact, by=rep, fields={"city": "Shanghai"})
    run_jobs()
    assert RuleRun.objects.get(rule=rule).status == RunStatus.DONE
    assert [t.name for t in contact.tags.all()] == ["auto"]


def test_field_changed_watches_custom_fields(rep, make_rule) -> None:
    CustomFieldFactory(object_type="contact", key="tier", label="Tier", field_type="text")
    rule = make_rule(trigger="field_changed", trigger_field="custom.tier")
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    crm.contact_update(contact=contact, by=rep, fields={"custom": {"tier": "gold"}})
    run_jobs()
    assert RuleRun.objects.get(rule=rule).status == RunStatus.DONE


def test_deal_entering_the_chosen_stage_fires(rep, make_rule) -> None:
    proposal = stage_named("Proposal")
    rule = make_rule(object_type="deal", trigger="stage_entered", trigger_stage=proposal)
    deal = crm.deal_create(by=rep, fields={"title": "Big one"})
    run_jobs()
    assert not RuleRun.objects.exists()
    crm.deal_move(deal=deal, stage=stage_named("Contact made"), by=rep)
    run_jobs()
    assert not RuleRun.objects.exists()
    crm.deal_move(deal=deal, stage=proposal, by=rep)
    run_jobs()
    assert RuleRun.objects.get(rule=rule).object_id == deal.pk


def test_a_deal_created_in_the_stage_enters_it(rep, make_rule) -> None:
    proposal = stage_named("Proposal")
    rule = make_rule(object_type="deal", trigger="stage_entered", trigger_stage=proposal)
    crm.deal_create(by=rep, fields={"title": "Straight in"}, stage=proposal)
    run_jobs()
    assert RuleRun.objects.filter(rule=rule, status=RunStatus.DONE).count() == 1


def test_lead_from_the_chosen_source_fires(rep, make_rule) -> None:
    rule = make_rule(object_type="lead", trigger="lead_source", trigger_source="event")
    crm.lead_create(by=rep, fields={"name": "From the web", "source": "website"})
    crm.lead_create(by=rep, fields={"name": "Met at the fair", "source": "event"})
    run_jobs()
    assert [r.object_repr for r in RuleRun.objects.filter(rule=rule)] == ["Met at the fair"]


def test_idle_deals_fire_once_per_stay_in_a_stage(rep, make_rule) -> None:
    rule = make_rule(
        object_type="deal",
        trigger="deal_idle",
        trigger_days=10,
        actions=[{"kind": "create_activity", "title": "Revive it", "due_days": 0}],
    )
    idle = crm.deal_create(by=rep, fields={"title": "Sleeping"})
    busy = crm.deal_create(by=rep, fields={"title": "Moving"})
    Deal.objects.filter(pk=idle.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(days=11)
    )
    run_jobs()
    assert rules_due_enqueue() == 1
    run_jobs()
    assert list(Activity.objects.values_list("deal_id", flat=True)) == [idle.pk]
    rules_due_enqueue()  # next hour: the same stay is not acted on again
    run_jobs()
    assert Activity.objects.count() == 1
    assert RuleRun.objects.filter(rule=rule, object_id=busy.pk).count() == 0


def test_a_scheduled_rule_runs_once_a_day_from_its_local_hour(rep, make_rule) -> None:
    rule = make_rule(
        trigger="schedule",
        trigger_hour=8,
        conditions=[{"field": "city", "operator": "equals", "value": "Beijing"}],
    )
    crm.contact_create(by=rep, fields={"full_name": "In Beijing", "city": "beijing"})
    crm.contact_create(by=rep, fields={"full_name": "Elsewhere", "city": "Paris"})
    run_jobs()
    morning = datetime.datetime(2026, 5, 4, 7, 0, tzinfo=datetime.UTC)
    assert rules_due_enqueue(now=morning) == 0  # 07:00: not yet
    assert rules_due_enqueue(now=morning.replace(hour=9)) == 1
    run_jobs()
    assert [r.object_repr for r in RuleRun.objects.filter(rule=rule)] == ["In Beijing"]
    assert rules_due_enqueue(now=morning.replace(hour=10)) == 0  # once a day


# --- Conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "operator", "expected", "holds"),
    [
        ("Shanghai", "equals", "shanghai", True),
        ("Shanghai", "not_equals", "Beijing", True),
        ("Shanghai", "not_equals", "SHANGHAI", False),
        ("Shanghai Tower", "contains", "tower", True),
        (Decimal("1500.00"), "gt", "1000", True),
        (Decimal("500"), "gt", "1000", False),
        (Decimal("500"), "lt", "1000", True),
        (datetime.date(2026, 1, 2), "gt", "2026-01-01", True),
        ("", "empty", "", True),
        (None, "empty", "", True),
        ("x", "not_empty", "", True),
        ([], "not_empty", "", False),
        (["vip", "partner"], "equals", "VIP", True),
        (["vip"], "not_equals", "partner", True),
        ("abc", "gt", "10", False),
    ],
)
def test_comparisons(actual, operator, expected, holds) -> None:
    assert value_matches(actual, operator, expected) is holds


def test_conditions_read_custom_fields_and_related_names(rep, make_rule) -> None:
    CustomFieldFactory(
        object_type="contact", key="employees", label="Employees", field_type="number"
    )
    contact = crm.contact_create(
        by=rep, fields={"full_name": "Li Na", "custom": {"employees": "250"}}
    )
    rule = make_rule(
        conditions=[
            {"field": "custom.employees", "operator": "gt", "value": "100"},
            {"field": "owner", "operator": "equals", "value": rep.email},
        ]
    )
    assert conditions_hold(rule, contact)


def test_all_needs_every_condition_any_needs_one(rep, make_rule) -> None:
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na", "city": "Shanghai"})
    conditions = [
        {"field": "city", "operator": "equals", "value": "Shanghai"},
        {"field": "title", "operator": "not_empty", "value": ""},
    ]
    assert not conditions_hold(make_rule(conditions=conditions, match="all"), contact)
    assert conditions_hold(make_rule(conditions=conditions, match="any"), contact)


def test_a_record_not_meeting_the_conditions_is_logged_and_left_alone(rep, make_rule) -> None:
    rule = make_rule(conditions=[{"field": "city", "operator": "equals", "value": "Paris"}])
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na", "city": "Shanghai"})
    run_jobs()
    assert RuleRun.objects.get(rule=rule).status == RunStatus.NOT_MATCHED
    assert not contact.tags.exists()


# --- Actions -----------------------------------------------------------------------------------


def test_assign_a_fixed_owner(rep, other_rep, make_rule) -> None:
    make_rule(actions=[{"kind": "assign_owner", "mode": "fixed", "user": other_rep.pk}])
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    contact.refresh_from_db()
    assert contact.owner == other_rep


def test_round_robin_takes_turns_and_keeps_the_rotation(rep, other_rep, manager, make_rule) -> None:
    rule = make_rule(
        object_type="lead",
        actions=[{"kind": "assign_owner", "mode": "round_robin", "users": [rep.pk, other_rep.pk]}],
    )
    owners = []
    for name in ("one", "two", "three"):
        lead = crm.lead_create(by=manager, fields={"name": name})
        run_jobs()
        lead.refresh_from_db()
        owners.append(lead.owner)
    assert owners == [rep, other_rep, rep]
    assert Rule.objects.get(pk=rule.pk).rotation == {"0": 0}


def test_set_a_standard_and_a_custom_field(rep, make_rule) -> None:
    CustomFieldFactory(object_type="lead", key="segment", label="Segment", field_type="text")
    make_rule(
        object_type="lead",
        actions=[
            {"kind": "set_field", "field": "status", "value": "contacted"},
            {"kind": "set_field", "field": "custom.segment", "value": "SME"},
        ],
    )
    lead = crm.lead_create(by=rep, fields={"name": "Acme"})
    run_jobs()
    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert lead.custom == {"segment": "SME"}


def test_add_a_tag_reuses_an_existing_tag_whatever_its_case(rep, make_rule) -> None:
    existing = Tag.objects.create(name="VIP")
    make_rule(actions=[{"kind": "add_tag", "tag": "vip"}])
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    assert list(contact.tags.all()) == [existing]


def test_a_failing_action_undoes_the_others_and_is_logged(rep, make_rule) -> None:
    rule = make_rule(
        actions=[
            {"kind": "add_tag", "tag": "first"},
            {"kind": "set_field", "field": "email_opt_out", "value": "not a boolean"},
        ]
    )
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    run = RuleRun.objects.get(rule=rule)
    assert run.status == RunStatus.FAILED
    assert run.error
    assert not contact.tags.exists()


def test_changes_are_audited_as_the_rules_author(admin, rep, make_rule) -> None:
    make_rule(actions=[{"kind": "set_field", "field": "city", "value": "Taipei"}])
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    entry = AuditEntry.objects.filter(object_id=contact.pk, action="update").get()
    assert entry.actor == admin
    assert entry.changes["city"] == ["", "Taipei"]


# --- Loop protection and rate limits -----------------------------------------------------------


def test_a_rules_own_change_does_not_trigger_it_again(rep, make_rule) -> None:
    rule = make_rule(
        trigger="field_changed",
        trigger_field="city",
        actions=[{"kind": "set_field", "field": "city", "value": "Hangzhou"}],
    )
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    crm.contact_update(contact=contact, by=rep, fields={"city": "Suzhou"})
    run_jobs()
    assert RuleRun.objects.filter(rule=rule).count() == 1
    assert waiting("automation.event_process") == []


@override_settings(AUTOMATION_MAX_CHAIN_DEPTH=2)
def test_a_chain_of_rules_stops_at_the_depth_limit(rep, make_rule) -> None:
    first = make_rule(
        name="title → city",
        trigger="field_changed",
        trigger_field="title",
        actions=[{"kind": "set_field", "field": "city", "value": "A"}],
    )
    second = make_rule(
        name="city → country",
        trigger="field_changed",
        trigger_field="city",
        actions=[{"kind": "set_field", "field": "country", "value": "B"}],
    )
    third = make_rule(
        name="country → title",
        trigger="field_changed",
        trigger_field="country",
        actions=[{"kind": "set_field", "field": "title", "value": "C"}],
    )
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    crm.contact_update(contact=contact, by=rep, fields={"title": "CEO"})
    run_jobs()
    assert RuleRun.objects.get(rule=first).status == RunStatus.DONE
    assert RuleRun.objects.get(rule=second).status == RunStatus.DONE
    stopped = RuleRun.objects.get(rule=third)
    assert stopped.status == RunStatus.SKIPPED
    assert stopped.depth == 2
    contact.refresh_from_db()
    assert contact.title == "CEO"


@override_settings(AUTOMATION_RULE_RUNS_PER_MINUTE=2)
def test_runs_beyond_the_rate_limit_are_deferred_not_dropped(rep, make_rule) -> None:
    rules = [
        make_rule(name=f"r{i}", actions=[{"kind": "add_tag", "tag": f"t{i}"}]) for i in range(3)
    ]
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    run_jobs()
    assert RuleRun.objects.count() == 2
    deferred = waiting("automation.event_process")
    assert len(deferred) == 1
    assert deferred[0].kwargs["rule_ids"] == [rules[2].pk]
    assert deferred[0].available_at > timezone.now() + datetime.timedelta(seconds=30)
    # A minute later the deferred run happens.
    RuleRun.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    deferred[0].available_at = timezone.now()
    deferred[0].save(update_fields=["available_at"])
    run_jobs()
    assert sorted(t.name for t in contact.tags.all()) == ["t0", "t1", "t2"]


def test_a_deleted_record_runs_nothing(rep, make_rule) -> None:
    make_rule()
    contact = crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    Contact.objects.filter(pk=contact.pk).delete()
    assert event_process(object_type="contact", object_id=contact.pk, event="created") == 0


# --- Dry run -----------------------------------------------------------------------------------


def test_a_dry_run_lists_matches_and_writes_nothing(rep, make_rule) -> None:
    crm.contact_create(by=rep, fields={"full_name": "In Paris", "city": "Paris"})
    crm.contact_create(by=rep, fields={"full_name": "In Rome", "city": "Rome"})
    rule = make_rule(
        conditions=[{"field": "city", "operator": "equals", "value": "paris"}],
        actions=[
            {"kind": "create_activity", "title": "Say bonjour", "due_days": 1},
            {"kind": "add_tag", "tag": "fr"},
        ],
    )
    counts = (Activity.objects.count(), RuleRun.objects.count(), AuditEntry.objects.count(),
              Tag.objects.count())  # fmt: skip
    dry = rule_dry_run(rule)
    assert (dry.checked, dry.matched) == (2, 1)
    record, lines = dry.examples[0]
    assert str(record) == "In Paris"
    assert len(lines) == 2
    assert counts == (Activity.objects.count(), RuleRun.objects.count(),
                      AuditEntry.objects.count(), Tag.objects.count())  # fmt: skip


# --- Isolation ---------------------------------------------------------------------------------


def test_rules_and_runs_stay_in_their_workspace(rep, make_rule, beta) -> None:
    from tests.factories import UserFactory

    make_rule()
    with schema_context(beta.schema):
        beta_rep = UserFactory.create()
        crm.contact_create(by=beta_rep, fields={"full_name": "Beta person"})
        assert waiting("automation.event_process") == []
        assert Rule.objects.count() == 0
    crm.contact_create(by=rep, fields={"full_name": "Alpha person"})
    run_jobs()
    assert RuleRun.objects.count() == 1
    with schema_context(beta.schema):
        assert RuleRun.objects.count() == 0


@override_settings(AUTOMATION_RULE_RUNS_PER_MINUTE=1)
def test_a_sweep_beyond_the_rate_limit_continues_later(rep, make_rule) -> None:
    rule = make_rule(trigger="schedule", trigger_hour=0)
    contacts = [crm.contact_create(by=rep, fields={"full_name": f"P{i}"}) for i in range(3)]
    run_jobs()
    RuleRun.objects.all().delete()
    from crm.automation.services import rule_sweep

    assert rule_sweep(rule_id=rule.pk, occasion="schedule:2026-05-04") == 1
    later = waiting("automation.rule_sweep")
    assert len(later) == 1
    assert later[0].kwargs["after_id"] == contacts[1].pk - 1
    assert later[0].available_at > timezone.now() + datetime.timedelta(seconds=30)


def test_rule_jobs_refuse_to_run_without_a_workspace() -> None:
    from core.jobs.services import MissingTenantError
    from crm.automation.tasks import event_process_job

    with schema_context("public"), pytest.raises(MissingTenantError):
        event_process_job.enqueue(object_type="contact", object_id=1, event="created")


def test_send_an_email_template_mails_the_new_contact_through_the_crm(rep, make_rule) -> None:
    """The template goes out through the CRM's e-mail (merge fields filled, logged on the
    contact's timeline)."""
    from django.core import mail

    from crm.mailing.models import EmailTemplate

    template = EmailTemplate.objects.create(
        name="Welcome", subject="Welcome", body="Dear {{ contact.first_name }}, thanks!"
    )
    make_rule(actions=[{"kind": "send_email", "template": template.pk}])
    contact = crm.contact_create(
        by=rep, fields={"first_name": "Na", "last_name": "Li", "email": "li.na@x.example"}
    )
    run_jobs()
    run_jobs("mailing.")
    assert [m.to for m in mail.outbox] == [["li.na@x.example"]]
    assert "Dear Na, thanks!" in mail.outbox[0].body
    assert Activity.objects.filter(contact=contact, kind="email").exists()


def test_send_an_email_template_respects_an_opt_out_and_says_so(rep, make_rule) -> None:
    from django.core import mail

    from crm.mailing.models import EmailTemplate

    template = EmailTemplate.objects.create(name="Hi", subject="Hi", body="Hello")
    make_rule(actions=[{"kind": "send_email", "template": template.pk}])
    crm.contact_create(
        by=rep,
        fields={"full_name": "Bo Chen", "email": "bo@x.example", "email_opt_out": True},
    )
    run_jobs()
    run_jobs("mailing.")
    assert mail.outbox == []
    run = RuleRun.objects.get()
    assert run.status == RunStatus.DONE
    assert "opted out" in run.result
