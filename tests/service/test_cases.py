"""Case lifecycle: numbering, SLA schedule, replies, pause while waiting, escalation, audit."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from crm.errors import CrmError
from crm.models import AuditEntry
from crm.service.models import Case, CaseEvent, CaseStatus, Queue, SlaPolicy
from crm.service.services import (
    case_note,
    case_reply,
    case_status_set,
    case_update,
    sla_breaches_escalate,
)
from crm.service.sla import timer_of
from tests.conftest import after_commit

LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _london(workspace_in_london) -> None:
    SlaPolicy.objects.update_or_create(
        priority="normal", defaults={"first_response_minutes": 240, "resolution_minutes": 18 * 60}
    )


def test_numbers_are_sequential_per_workspace(make_case) -> None:
    first, second = make_case(), make_case()
    assert second.number == first.number + 1


def test_opening_computes_due_times_in_business_hours(make_case, clock) -> None:
    """Opened Friday 16:00 with a 4-hour first-response target: due Monday 11:00."""
    clock(london(2026, 3, 6, 16))
    case = make_case()
    assert case.first_response_due_at == london(2026, 3, 9, 11)
    # 18 business hours: Friday 2h, Monday 9h, Tuesday 7h → Tuesday 16:00.
    assert case.resolution_due_at == london(2026, 3, 10, 16)
    assert case.status == CaseStatus.NEW
    assert CaseEvent.objects.filter(case=case, kind="created").exists()


def test_due_times_skip_a_public_holiday(make_case, clock) -> None:
    """Opened the Thursday before Easter at 17:00: Good Friday is skipped, due Monday 12:00."""
    clock(london(2026, 4, 2, 17))
    case = make_case()
    assert case.first_response_due_at == london(2026, 4, 6, 12)


def test_priority_change_reschedules(make_case, clock, admin) -> None:
    clock(london(2026, 3, 2, 9))
    case = make_case()
    case = case_update(case=case, by=admin, fields={"priority": "urgent"})
    assert case.first_response_due_at == london(2026, 3, 2, 10)  # urgent default: 1 hour
    assert CaseEvent.objects.filter(case=case, kind="priority").exists()


def test_reply_is_first_response_and_emails_the_customer(make_case, clock, admin) -> None:
    clock(london(2026, 3, 2, 9))
    case = make_case()
    clock(london(2026, 3, 2, 10))
    with after_commit():
        event = case_reply(case=case, by=admin, body="We are on it.")
    case.refresh_from_db()
    assert case.first_responded_at == london(2026, 3, 2, 10)
    assert case.status == CaseStatus.OPEN
    assert [m.to for m in mail.outbox] == [["carol@customer.example"]]
    assert "We are on it." in mail.outbox[0].body
    event.refresh_from_db()
    assert event.email_state == "sent"


def test_internal_note_is_not_emailed(make_case, admin) -> None:
    case = make_case()
    with after_commit():
        case_note(case=case, by=admin, body="Customer is a VIP")
    assert mail.outbox == []
    assert CaseEvent.objects.filter(case=case, kind="note").count() == 1


def test_waiting_on_customer_pauses_the_clock(make_case, clock, admin) -> None:
    """Two business hours spent waiting push the resolution due time out by two business hours."""
    clock(london(2026, 3, 2, 9))
    case = make_case()
    assert case.resolution_due_at == london(2026, 3, 3, 18)  # 18 business hours
    case_status_set(case=case, by=admin, status=CaseStatus.WAITING)
    case.refresh_from_db()
    assert timer_of(case, now=london(2026, 3, 2, 10)).state == "paused"
    clock(london(2026, 3, 2, 11))
    case_status_set(case=case, by=admin, status=CaseStatus.OPEN)
    case.refresh_from_db()
    assert case.paused_business_minutes == 120
    # Two business hours later: past Tuesday's close, so Wednesday 11:00.
    assert case.resolution_due_at == london(2026, 3, 4, 11)


def test_waiting_over_a_weekend_costs_only_business_time(make_case, clock, admin) -> None:
    clock(london(2026, 3, 6, 17))
    case = make_case()
    case_status_set(case=case, by=admin, status=CaseStatus.WAITING)
    clock(london(2026, 3, 9, 10))
    case_status_set(case=case, by=admin, status=CaseStatus.OPEN)
    case.refresh_from_db()
    assert case.paused_business_minutes == 120


def test_timer_warns_before_breach(make_case, clock) -> None:
    clock(london(2026, 3, 2, 9))
    case = make_case()
    assert timer_of(case, now=london(2026, 3, 2, 10)).state == "ok"
    assert timer_of(case, now=london(2026, 3, 2, 12, 30)).state == "warning"  # 80% of 4h
    assert timer_of(case, now=london(2026, 3, 2, 13, 1)).state == "breached"


def test_escalation_reassigns_to_queue_manager_and_emails(make_case, clock, manager) -> None:
    clock(london(2026, 3, 2, 9))
    queue = Queue.objects.create(name="Support", manager=manager)
    case = make_case(queue=queue)
    clock(london(2026, 3, 2, 14))
    with after_commit():
        assert sla_breaches_escalate() == 1
    case.refresh_from_db()
    assert case.first_response_breached_at is not None
    assert case.assignee == manager
    assert case.escalated_at is not None
    assert [m.to for m in mail.outbox] == [[manager.email]]
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"breach", "escalation"} <= kinds


def test_escalation_is_idempotent(make_case, clock, manager) -> None:
    clock(london(2026, 3, 2, 9))
    make_case(queue=Queue.objects.create(name="Support", manager=manager))
    clock(london(2026, 3, 2, 14))
    with after_commit():
        assert sla_breaches_escalate() == 1
        assert sla_breaches_escalate() == 0
    assert len(mail.outbox) == 1
    assert CaseEvent.objects.filter(kind="escalation").count() == 1


def test_paused_case_is_not_escalated(make_case, clock, admin) -> None:
    clock(london(2026, 3, 2, 9))
    case = make_case()
    case_status_set(case=case, by=admin, status=CaseStatus.WAITING)
    clock(london(2026, 3, 4, 9))
    assert sla_breaches_escalate() == 0


def test_resolving_sends_the_csat_link(make_case, admin) -> None:
    case = make_case()
    with after_commit():
        case_status_set(case=case, by=admin, status=CaseStatus.RESOLVED)
    case.refresh_from_db()
    assert case.resolved_at is not None
    assert len(mail.outbox) == 1
    assert "/support/csat/" in mail.outbox[0].body


def test_changes_are_audited(make_case, admin) -> None:
    case = make_case()
    case_status_set(case=case, by=admin, status=CaseStatus.RESOLVED)
    actions = list(
        AuditEntry.objects.filter(object_type="case", object_id=case.pk).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "update"]


def test_read_only_user_cannot_reply(make_case, reader) -> None:
    case = make_case()
    with pytest.raises(CrmError):
        case_reply(case=case, by=reader, body="Hi")
    assert Case.objects.get(pk=case.pk).first_responded_at is None


def test_beat_records_one_escalation_job_per_workspace_and_window(alpha, clock) -> None:
    """Two beat ticks in the same five minutes record alpha's SLA check once."""
    from core.jobs.models import Job
    from crm.service.tasks import sla_escalate_due_task

    clock(london(2026, 3, 2, 10, 1))
    sla_escalate_due_task()
    clock(london(2026, 3, 2, 10, 3))
    sla_escalate_due_task()
    jobs = Job.objects.filter(handler="service.sla_escalate", schema_name=alpha.schema)
    assert jobs.count() == 1
