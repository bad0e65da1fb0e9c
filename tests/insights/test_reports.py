"""The report builder: groupings, measures in the base currency, custom-field filters and
groupings, visibility, exports, saving and sharing, and scheduled e-mails."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from crm.insights.models import SavedReport
from crm.insights.report_mail import reports_send_due
from crm.insights.services import saved_report_create
from crm.models import ExchangeRate
from tests.crm.factories import CustomFieldFactory, DealFactory, stage_named


def _deals(manager, rep) -> None:
    """Proposal: 1000 EUR (manager, region north) and 100 USD = 90 EUR (rep, north);
    Qualified: 500 EUR (manager, south)."""
    ExchangeRate.objects.create(
        currency="USD", base_currency="EUR", rate=Decimal("0.90"), valid_from=timezone.localdate()
    )
    CustomFieldFactory.create(object_type="deal", key="region", label="Region")
    DealFactory.create(
        owner=manager,
        stage=stage_named("Proposal"),
        amount=Decimal(1000),
        custom={"region": "north"},
    )
    DealFactory.create(
        owner=rep,
        stage=stage_named("Proposal"),
        amount=Decimal(100),
        currency="USD",
        custom={"region": "north"},
    )
    DealFactory.create(
        owner=manager,
        stage=stage_named("Qualified"),
        amount=Decimal(500),
        custom={"region": "south"},
    )


def _rows(response) -> list[tuple[str, str, object]]:
    result = response.context["run"].result
    return [(row.first, row.second, row.value) for row in result.rows]


def test_sum_by_stage_in_the_base_currency(crm, manager, rep, client_as) -> None:
    """Sum of amount by stage: Proposal 1000 + 90 = 1090.00, Qualified 500.00."""
    _deals(manager, rep)
    response = client_as(manager).get(
        "/insights/reports/?record=deal&by=stage&measure=sum&field=amount"
    )
    assert response.status_code == 200
    assert sorted(_rows(response)) == [
        ("Proposal", "", Decimal("1090.00")),
        ("Qualified", "", Decimal("500.00")),
    ]


def test_two_groupings_and_a_custom_field(crm, manager, rep, client_as) -> None:
    """Count by region then owner."""
    _deals(manager, rep)
    response = client_as(manager).get("/insights/reports/?record=deal&by=cf_region&then=owner")
    assert sorted(_rows(response)) == [
        ("north", str(manager.full_name), 1),
        ("north", str(rep.full_name), 1),
        ("south", str(manager.full_name), 1),
    ]


def test_owners_are_named_and_in_name_order(crm, manager, rep, client_as) -> None:
    """Grouped by owner id in SQL, shown by name, ordered by name as a reader expects."""
    _deals(manager, rep)
    response = client_as(manager).get("/insights/reports/?record=deal&by=owner")
    expected = sorted([(str(manager.full_name), "", 2), (str(rep.full_name), "", 1)])
    assert _rows(response) == expected


def test_custom_field_filter(crm, manager, rep, client_as) -> None:
    _deals(manager, rep)
    response = client_as(manager).get("/insights/reports/?record=deal&by=stage&cf_region=south")
    assert _rows(response) == [("Qualified", "", 1)]


def test_dates_by_month(crm, manager, rep, client_as) -> None:
    _deals(manager, rep)
    response = client_as(manager).get("/insights/reports/?record=deal&by=created&step=month")
    [(label, _second, count)] = _rows(response)
    assert (label, count) == (date_format(timezone.localdate(), "YEAR_MONTH_FORMAT"), 3)


def test_a_rep_reports_on_own_records_only(crm, manager, rep, client_as) -> None:
    _deals(manager, rep)
    response = client_as(rep).get("/insights/reports/?record=deal&by=stage")
    assert _rows(response) == [("Proposal", "", 1)]


def test_exports_csv_and_xlsx(crm, manager, rep, client_as) -> None:
    _deals(manager, rep)
    client = client_as(manager)
    csv_response = client.get("/insights/reports/?record=deal&by=stage&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().splitlines()[0] == "Stage,Count"
    xlsx = client.get("/insights/reports/?record=deal&by=stage&format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_sum_needs_a_number(crm, manager, client_as) -> None:
    response = client_as(manager).get("/insights/reports/?record=deal&by=stage&measure=sum")
    assert response.status_code == 400


def test_save_and_share(crm, manager, rep, client_as) -> None:
    """A shared report shows in others' list; a private one does not."""
    client_as(manager).post(
        "/insights/reports/save/",
        {"name": "By stage", "query": "record=deal&by=stage", "shared": "on", "hour": 8},
    )
    saved_report_create(
        by=manager, name="Mine", query="record=deal&by=owner", shared=False, frequency="", hour=8
    )
    names = [r.name for r in client_as(rep).get("/insights/reports/").context["saved"]]
    assert names == ["By stage"]


def test_scheduled_report_is_mailed_once_at_its_hour(crm, manager, rep, settings) -> None:
    """A daily report at 09:00 goes out at 09:10 UTC (the owner's zone), once."""
    _deals(manager, rep)
    manager.time_zone = "UTC"
    manager.save(update_fields=["time_zone"])
    saved_report_create(
        by=manager,
        name="Daily",
        query="record=deal&by=stage",
        shared=False,
        frequency="daily",
        hour=9,
    )
    nine = timezone.now().astimezone(datetime.UTC).replace(hour=9, minute=10)
    assert reports_send_due(now=nine.replace(hour=8)) == 0
    assert reports_send_due(now=nine) == 1
    assert reports_send_due(now=nine + datetime.timedelta(minutes=20)) == 0
    [message] = mail.outbox
    assert message.to == [manager.email]
    assert message.attachments[0][0] == "report.csv"
    assert SavedReport.objects.get().last_sent_at == nine


def test_reports_are_isolated(crm, manager, beta) -> None:
    from django_tenants.utils import schema_context

    saved_report_create(
        by=manager,
        name="Alpha only",
        query="record=deal&by=stage",
        shared=True,
        frequency="",
        hour=8,
    )
    with schema_context(beta.schema):
        assert not SavedReport.objects.exists()
