"""Amounts, probabilities, durations and dates are refused with a message a user can act on;
the invariants among them hold in the database too, and old rows were corrected, audited."""

from __future__ import annotations

import datetime
import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from crm import services
from crm.errors import CrmError
from crm.models import Activity, AuditEntry, ContactCompany, Deal, Stage
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    stage_named,
)

migration = importlib.import_module("crm.migrations.0005_validation_constraints")

today = timezone.localdate


def _deal_form(owner, **overrides) -> dict:
    data = {
        "title": "Big one",
        "amount": "100",
        "currency": "EUR",
        "owner": owner.pk,
        "stage": stage_named("Qualified").pk,
        "expected_close_on": "",
        "probability": "",
        "lost_reason": "",
    }
    data.update(overrides)
    return data


# --- Amounts -------------------------------------------------------------------------------------


def test_a_negative_deal_amount_is_refused_with_a_clear_message(crm, admin, client_as) -> None:
    response = client_as(admin).post("/deals/new/", _deal_form(admin, amount="-500"))
    assert response.status_code == 400
    assert "An amount cannot be negative. Enter 0 or more." in response.content.decode()
    assert not Deal.objects.filter(title="Big one").exists()


def test_a_zero_amount_is_fine(crm, admin, client_as) -> None:
    response = client_as(admin).post("/deals/new/", _deal_form(admin, amount="0"))
    assert response.status_code == 302


def test_the_service_refuses_a_negative_amount(crm, rep) -> None:
    with pytest.raises(ValidationError) as raised:
        services.deal_create(by=rep, fields={"title": "X", "amount": Decimal("-1")})
    assert "amount" in raised.value.message_dict


def test_the_database_refuses_a_negative_amount(crm, rep) -> None:
    deal = DealFactory.create(owner=rep)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal("-1"))


def test_lead_conversion_refuses_a_negative_deal_amount(crm, admin, client_as) -> None:
    lead = LeadFactory.create(owner=admin)
    response = client_as(admin).post(
        f"/leads/{lead.pk}/convert/", {"create_deal": "on", "deal_title": "X", "deal_amount": "-3"}
    )
    assert response.status_code == 200
    assert "An amount cannot be negative." in response.content.decode()
    assert not Deal.objects.filter(title="X").exists()


# --- Probabilities ------------------------------------------------------------------------------


@pytest.mark.parametrize("probability", ["101", "-1"])
def test_a_deal_probability_outside_0_to_100_is_refused(crm, admin, client_as, probability) -> None:
    response = client_as(admin).post("/deals/new/", _deal_form(admin, probability=probability))
    assert response.status_code == 400
    assert "Enter a probability from 0 to 100." in response.content.decode()


def test_a_stage_probability_outside_0_to_100_is_refused(crm, admin) -> None:
    from crm.forms import StageForm

    form = StageForm({"name": "S", "probability": "150", "kind": "open", "colour": "blue"})
    assert form.errors["probability"] == ["Enter a probability from 0 to 100."]


# --- Expected close dates -----------------------------------------------------------------------


def test_an_open_deal_cannot_close_before_it_was_created(crm, admin, client_as) -> None:
    yesterday = (today() - timedelta(days=1)).isoformat()
    response = client_as(admin).post("/deals/new/", _deal_form(admin, expected_close_on=yesterday))
    assert response.status_code == 400
    assert "cannot be expected to close before it was created" in response.content.decode()


def test_an_edited_deal_is_compared_with_its_creation_day_not_today(crm, rep) -> None:
    deal = DealFactory.create(owner=rep)
    Deal.objects.filter(pk=deal.pk).update(created_at=timezone.now() - timedelta(days=90))
    deal.refresh_from_db()
    last_month = today() - timedelta(days=30)
    services.deal_update(deal=deal, by=rep, fields={"expected_close_on": last_month})
    with pytest.raises(ValidationError):
        services.deal_update(
            deal=deal, by=rep, fields={"expected_close_on": today() - timedelta(days=120)}
        )


def test_a_won_deal_may_carry_an_earlier_close_date(crm, admin, client_as) -> None:
    last_week = (today() - timedelta(days=7)).isoformat()
    response = client_as(admin).post(
        "/deals/new/", _deal_form(admin, stage=stage_named("Won").pk, expected_close_on=last_week)
    )
    assert response.status_code == 302


def test_a_close_date_more_than_ten_years_away_is_refused(crm, admin, client_as) -> None:
    far = today().replace(year=today().year + 11).isoformat()
    response = client_as(admin).post("/deals/new/", _deal_form(admin, expected_close_on=far))
    assert response.status_code == 400
    assert "more than 10 years away" in response.content.decode()


# --- Activities ---------------------------------------------------------------------------------


def _activity_form(owner, **overrides) -> dict:
    data = {"kind": "call", "subject": "Ring", "owner": owner.pk}
    data.update(overrides)
    return data


@pytest.mark.parametrize("minutes", ["0", "-5", "20000"])
def test_an_activity_duration_must_be_a_minute_to_a_week(crm, admin, client_as, minutes) -> None:
    response = client_as(admin).post(
        "/activities/new/", _activity_form(admin, duration_minutes=minutes)
    )
    assert response.status_code == 400
    assert "Enter a duration from 1 minute to 7 days" in response.content.decode()


def test_a_due_date_in_a_mistyped_year_is_refused(crm, admin, client_as) -> None:
    response = client_as(admin).post(
        "/activities/new/", _activity_form(admin, due_at="2205-01-01T10:00")
    )
    assert response.status_code == 400
    assert "more than 10 years from today" in response.content.decode()


def test_quick_add_refuses_a_mistyped_due_date_and_keeps_what_was_typed(
    crm, admin, client_as
) -> None:
    contact = ContactFactory.create(owner=admin)
    response = client_as(admin).post(
        f"/contacts/{contact.pk}/activities/",
        {"kind": "task", "subject": "Send the offer", "due_at": "2205-01-01T10:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than 10 years from today" in page
    assert 'value="Send the offer"' in page
    assert not contact.activities.exists()


def test_an_activity_cannot_be_done_in_the_future(crm, rep) -> None:
    with pytest.raises(ValidationError):
        services.activity_create(
            by=rep,
            fields={"kind": "call", "subject": "X", "done_at": timezone.now() + timedelta(days=1)},
        )


def test_an_activity_done_before_it_was_due_is_fine(crm, rep) -> None:
    activity = ActivityFactory.create(owner=rep, due_at=timezone.now() + timedelta(days=3))
    services.activity_complete(activity=activity, by=rep)
    activity.refresh_from_db()
    assert activity.done_at is not None
    assert activity.due_at is not None
    assert activity.done_at < activity.due_at


# --- People and companies -----------------------------------------------------------------------


def test_a_birthday_in_the_future_is_refused(crm, admin, client_as) -> None:
    response = client_as(admin).post(
        "/contacts/new/",
        {
            "last_name": "Lee",
            "owner": admin.pk,
            "company_role": "employee",
            "birthday": (today() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()


def test_a_company_role_cannot_end_before_it_starts(crm, rep) -> None:
    contact = ContactFactory.create(owner=rep)
    company = CompanyFactory.create(owner=rep)
    with pytest.raises(CrmError, match="end date cannot be before the start date"):
        services.contact_company_link(
            contact=contact,
            company=company,
            role="employee",
            by=rep,
            started_on=datetime.date(2024, 5, 1),
            ended_on=datetime.date(2024, 4, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactCompany.objects.create(
            contact=contact,
            company=company,
            started_on=datetime.date(2024, 5, 1),
            ended_on=datetime.date(2024, 4, 1),
        )


# --- The migration's corrections of older rows --------------------------------------------------


def _without_constraint(table: str, name: str) -> None:
    """Drop a constraint inside the test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def test_the_migration_sets_negative_amounts_to_zero_tags_and_audits_them(crm, rep) -> None:
    _without_constraint("crm_deal", "crm_deal_amount_not_negative")
    deal = DealFactory.create(owner=rep, title="Credit note")
    fine = DealFactory.create(owner=rep, amount=Decimal("10.00"))
    Deal.objects.filter(pk=deal.pk).update(amount=Decimal("-1500.00"))
    migration.correct_negative_amounts(apps, None)
    deal.refresh_from_db()
    assert deal.amount == Decimal("0.00")
    assert list(deal.tags.values_list("name", flat=True)) == ["Amount was negative"]
    entry = AuditEntry.objects.get(object_type="deal", object_id=deal.pk)
    assert entry.actor is None
    assert [Decimal(value) for value in entry.changes["amount"]] == [Decimal("-1500"), Decimal(0)]
    assert not fine.tags.exists()
    assert not AuditEntry.objects.filter(object_type="deal", object_id=fine.pk).exists()


def test_the_migration_swaps_reversed_role_dates_and_audits_it(crm, rep) -> None:
    _without_constraint("crm_contactcompany", "crm_contactcompany_period_in_order")
    contact = ContactFactory.create(owner=rep)
    link = ContactCompany.objects.create(
        contact=contact,
        company=CompanyFactory.create(owner=rep, name="Acme"),
        started_on=datetime.date(2024, 5, 1),
        ended_on=datetime.date(2024, 4, 1),
    )
    migration.swap_reversed_role_periods(apps, None)
    link.refresh_from_db()
    assert (link.started_on, link.ended_on) == (
        datetime.date(2024, 4, 1),
        datetime.date(2024, 5, 1),
    )
    entry = AuditEntry.objects.get(object_type="contact", object_id=contact.pk)
    assert entry.changes == {
        "companies": ["Acme: 2024-05-01 to 2024-04-01", "Acme: 2024-04-01 to 2024-05-01"]
    }


def test_the_migration_empties_zero_thresholds_and_durations(crm, rep) -> None:
    stage = stage_named("Proposal")
    Stage.objects.filter(pk=stage.pk).update(rotting_days=0)
    call = ActivityFactory.create(owner=rep)
    Activity.objects.filter(pk=call.pk).update(duration_minutes=0)
    migration.empty_zero_thresholds_and_durations(apps, None)
    stage.refresh_from_db()
    call.refresh_from_db()
    assert (stage.rotting_days, call.duration_minutes) == (None, None)
