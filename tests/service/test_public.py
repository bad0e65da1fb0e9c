"""Public pages: CSAT once per case, the help page and the web form, each on its own host."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from crm.models import Contact
from crm.service.models import Article, Case, CaseStatus
from crm.service.services import case_status_set
from crm.service.signing import csat_token


@pytest.fixture
def resolved(make_case, admin) -> Case:
    case = make_case()
    return case_status_set(case=case, by=admin, status=CaseStatus.RESOLVED)


def test_csat_answer_is_recorded_once(resolved, alpha) -> None:
    url = f"/support/csat/{csat_token(resolved)}/"
    client = Client(HTTP_HOST=alpha.host)
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "4", "comment": "Quick help"})
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert (resolved.csat_score, resolved.csat_comment) == (4, "Quick help")
    again = client.post(url, {"score": "1", "comment": "Changed my mind"})
    assert b'data-testid="csat-already"' in again.content
    resolved.refresh_from_db()
    assert resolved.csat_score == 4


def test_csat_link_is_404_on_another_workspace_host(resolved, beta) -> None:
    url = f"/support/csat/{csat_token(resolved)}/"
    assert Client(HTTP_HOST=beta.host).get(url).status_code == 404


def test_csat_forged_token_is_404(alpha) -> None:
    assert Client(HTTP_HOST=alpha.host).get("/support/csat/not-a-token/").status_code == 404


def test_csat_of_unresolved_case_is_404(make_case, alpha) -> None:
    case = make_case()
    assert Client(HTTP_HOST=alpha.host).get(f"/support/csat/{csat_token(case)}/").status_code == 404


def test_help_page_lists_only_public_articles(crm, alpha) -> None:
    public = Article.objects.create(
        title="How to reset", body="**Click** reset", visibility="public"
    )
    Article.objects.create(title="Internal pricing rules", body="secret", visibility="internal")
    client = Client(HTTP_HOST=alpha.host)
    page = client.get("/help/").content.decode()
    assert "How to reset" in page
    assert "Internal pricing rules" not in page
    article = client.get(f"/help/{public.pk}/").content.decode()
    assert "<strong>Click</strong>" in article


def test_internal_article_is_404_on_help_page(crm, alpha) -> None:
    internal = Article.objects.create(title="Internal", body="x", visibility="internal")
    assert Client(HTTP_HOST=alpha.host).get(f"/help/{internal.pk}/").status_code == 404


def test_public_article_is_404_on_another_workspace_host(crm, beta) -> None:
    public = Article.objects.create(title="Alpha help", body="x", visibility="public")
    with schema_context(beta.schema):
        exists_in_beta = Article.objects.filter(pk=public.pk).exists()
    client = Client(HTTP_HOST=beta.host)
    assert "Alpha help" not in client.get("/help/").content.decode()
    if not exists_in_beta:
        assert client.get(f"/help/{public.pk}/").status_code == 404


def test_article_markdown_does_not_run_html(crm, alpha) -> None:
    article = Article.objects.create(
        title="XSS", body="<script>alert(1)</script> [x](javascript:alert(1))", visibility="public"
    )
    page = Client(HTTP_HOST=alpha.host).get(f"/help/{article.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page


def _form_key(client: Client) -> str:
    page = client.get("/support/new/").content.decode()
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _submit(client: Client, key: str, **extra: str):
    data = {
        "form_key": key,
        "name": "Dana Doe",
        "email": "Dana@Example.com",
        "subject": "Broken widget",
        "description": "It broke.",
        **extra,
    }
    return client.post("/support/new/", data)


def test_web_form_opens_a_case_and_creates_the_contact(crm, admin, alpha) -> None:
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    response = _submit(client, _form_key(client))
    assert response.status_code == 200
    case = Case.objects.get(subject="Broken widget")
    assert case.channel == "web"
    assert case.contact is not None
    assert case.contact.email == "dana@example.com"


def test_web_form_links_an_existing_contact(crm, admin, contact, alpha) -> None:
    client = Client(HTTP_HOST=alpha.host)
    _submit(client, _form_key(client), email="CAROL@customer.example")
    assert Case.objects.get(subject="Broken widget").contact == contact
    assert Contact.objects.filter(email__iexact="carol@customer.example").count() == 1


def test_web_form_honeypot_records_nothing(crm, admin, alpha) -> None:
    client = Client(HTTP_HOST=alpha.host)
    response = _submit(client, _form_key(client), website="http://spam.example")
    assert response.status_code == 200
    assert not Case.objects.filter(subject="Broken widget").exists()


def test_web_form_refuses_a_forged_key(crm, admin, alpha) -> None:
    response = _submit(Client(HTTP_HOST=alpha.host), "forged:key")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_web_form_key_of_another_workspace_is_refused(crm, admin, alpha, beta) -> None:
    key = _form_key(Client(HTTP_HOST=beta.host))
    response = _submit(Client(HTTP_HOST=alpha.host), key)
    assert response.status_code == 400


@override_settings(SERVICE_FORM_RATE_LIMIT="2/h")
def test_web_form_is_rate_limited_per_ip(crm, admin, alpha) -> None:
    client = Client(HTTP_HOST=alpha.host)
    key = _form_key(client)
    assert _submit(client, key).status_code == 200
    assert _submit(client, key, subject="Second").status_code == 200
    assert _submit(client, key, subject="Third").status_code == 429
    assert not Case.objects.filter(subject="Third").exists()


def test_web_form_refuses_oversized_bodies(crm, admin, alpha) -> None:
    client = Client(HTTP_HOST=alpha.host)
    response = _submit(client, _form_key(client), description="x" * 20_000)
    assert response.status_code == 413
