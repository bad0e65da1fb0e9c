"""Case pages: list, search, detail, reply, export, permissions and isolation from beta."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from crm.service.models import Case, CaseStatus
from crm.service.services import case_create, case_status_set
from tests.conftest import sign_in
from tests.factories import AdminFactory


def test_list_shows_cases_with_timer(make_case, client_as, admin) -> None:
    make_case(subject="Printer jams")
    response = client_as(admin).get("/cases/")
    assert response.status_code == 200
    assert "Printer jams" in response.content.decode()
    assert b'data-testid="sla-timer"' in response.content


def test_search_finds_by_subject_and_number(make_case, client_as, admin) -> None:
    make_case(subject="Printer jams")
    other = make_case(subject="Invoice wrong")
    client = client_as(admin)
    assert "Invoice wrong" not in client.get("/cases/?q=printer").content.decode()
    assert "Invoice wrong" in client.get(f"/cases/?q=%23{other.number}").content.decode()


def test_list_filters_by_status(make_case, client_as, admin) -> None:
    make_case(subject="Fresh one")
    page = client_as(admin).get("/cases/?status=resolved").content.decode()
    assert "Fresh one" not in page


def test_bad_filter_is_a_400(client_as, admin) -> None:
    assert client_as(admin).get("/cases/?priority=nonsense").status_code == 400


def test_create_case_through_the_form(client_as, admin, contact) -> None:
    response = client_as(admin).post(
        "/cases/new/",
        {"subject": "Cannot log in", "contact": contact.pk, "priority": "high", "channel": "phone"},
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Cannot log in")
    assert case.contact == contact
    assert case.first_response_due_at is not None


def test_detail_reply_and_resolve(make_case, client_as, admin) -> None:
    case = make_case()
    client = client_as(admin)
    client.post(f"/cases/{case.pk}/reply/", {"kind": "reply", "body": "Fixed it", "status": ""})
    client.post(f"/cases/{case.pk}/status/", {"status": "resolved"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Fixed it" in page
    assert 'data-testid="csat-link"' in page


def test_export_csv(make_case, client_as, admin) -> None:
    make_case(subject="Export me")
    response = client_as(admin).get("/cases/export/")
    body = b"".join(response.streaming_content).decode()
    assert "Export me" in body
    assert body.splitlines()[0].startswith('\ufeff"Number"')


def test_export_xlsx(make_case, client_as, admin) -> None:
    make_case()
    response = client_as(admin).get("/cases/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_read_only_user_sees_but_cannot_write(make_case, client_as, reader) -> None:
    case = make_case()
    client = client_as(reader)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.post(f"/cases/{case.pk}/status/", {"status": "closed"}).status_code == 403
    assert client.get("/cases/new/").status_code == 403


def test_rep_cannot_open_service_settings(client_as, rep) -> None:
    assert client_as(rep).get("/settings/service/").status_code == 403


def test_admin_saves_business_hours(client_as, admin) -> None:
    response = client_as(admin).post(
        "/settings/service/",
        {
            "section": "hours",
            "work_days": ["0", "1", "2", "3", "4", "5"],
            "work_starts": "08:00",
            "work_ends": "17:00",
            "warning_percent": "75",
        },
    )
    assert response.status_code == 302
    from crm.service.sla import service_settings

    assert service_settings().work_days == [0, 1, 2, 3, 4, 5]


def test_suggested_articles_match_subject_words(client_as, admin) -> None:
    from crm.service.models import Article

    Article.objects.create(title="Fixing printer jams", body="Open the tray.")
    Article.objects.create(title="Invoices", body="Billing.")
    page = client_as(admin).get("/cases/suggest/?subject=My+printer+is+broken").content.decode()
    assert "Fixing printer jams" in page
    assert "Invoices" not in page


def test_breach_report_counts(make_case, client_as, admin) -> None:
    make_case()
    response = client_as(admin).get("/cases/report/?group=priority")
    assert response.status_code == 200
    assert b'data-testid="report-cases">1<' in response.content


@pytest.mark.usefixtures("crm")
def test_beta_cannot_see_alpha_cases(make_case, beta) -> None:
    case = make_case(subject="Alpha secret")
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create(email="svc-admin@beta.example")
        case_create(by=beta_admin, fields={"subject": "Beta own"})
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    listing = client.get("/cases/?q=Alpha").content.decode()
    assert "Alpha secret" not in listing
    assert "Beta own" in client.get("/cases/").content.decode()
    beta_case_ids = set()
    with schema_context(beta.schema):
        beta_case_ids = set(Case.objects.values_list("pk", flat=True))
    if case.pk not in beta_case_ids:
        assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_global_search_finds_cases(make_case, client_as, admin) -> None:
    case = make_case(subject="Printer jams again")
    client = client_as(admin)
    assert "Printer jams again" in client.get("/search/?q=printer").content.decode()
    assert "Printer jams again" in client.get(f"/search/?q=%23{case.number}").content.decode()


@pytest.mark.usefixtures("crm")
def test_global_search_does_not_cross_workspaces(make_case, beta) -> None:
    make_case(subject="Alpha printer trouble")
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create(email="search-admin@beta.example")
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    assert "Alpha printer trouble" not in client.get("/search/?q=printer").content.decode()


def test_list_shows_the_satisfaction_average(make_case, client_as, admin) -> None:
    from crm.service.services import csat_answer

    for score in (5, 4):
        case = make_case()
        case_status_set(case=case, by=admin, status=CaseStatus.RESOLVED)
        csat_answer(case_id=case.pk, score=score, comment="")
    page = client_as(admin).get("/cases/").content.decode()
    assert "4.5 / 5 (2 answers)" in page
