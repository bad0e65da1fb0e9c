"""Quotes: numbers, versions, PDF, sending, and the customer's public answer."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.errors import CrmError
from crm.models import Activity, Deal, StageKind
from crm.sales import services
from crm.sales.documents import quote_pdf, quote_token
from crm.sales.models import DealLine, Product, Quote, QuoteStatus
from tenants.users.models import Role, User
from tests.conftest import Workspace, after_commit
from tests.core.test_pdf import pdf_font_names
from tests.crm.factories import DealFactory
from tests.factories import UserFactory


def test_quote_numbers_follow_each_other(quote: Quote, deal: Deal, rep: User) -> None:
    second = services.quote_create(deal=deal, by=rep)
    assert (quote.number, second.number) == (1, 2)
    assert second.reference == "Q-00002"


def test_a_quote_copies_the_deal_lines_and_totals(quote: Quote) -> None:
    assert [(line.name, line.quantity) for line in quote.lines.all()] == [("Widget", 3)]
    assert (quote.subtotal, quote.tax, quote.total) == (
        Decimal("30.00"), Decimal("5.70"), Decimal("35.70"),
    )  # fmt: skip
    assert quote.status == QuoteStatus.DRAFT
    assert quote.contact is not None


def test_a_deal_without_lines_has_no_quote(deal: Deal, rep: User) -> None:
    with pytest.raises(CrmError):
        services.quote_create(deal=deal, by=rep)


def test_revising_keeps_the_earlier_version_as_it_was(quote: Quote, deal: Deal, rep: User) -> None:
    line = DealLine.objects.get(deal=deal)
    services.deal_line_update(line=line, by=rep, fields={"quantity": Decimal(10)})
    revision = services.quote_revise(quote=quote, by=rep)
    quote.refresh_from_db()
    assert (revision.number, revision.version, revision.reference) == (1, 2, "Q-00001-v2")
    assert revision.total == Decimal("119.00")
    assert quote.total == Decimal("35.70")
    assert [line.quantity for line in quote.lines.all()] == [3]
    assert quote.superseded_at is not None


def test_an_earlier_version_is_read_only(quote: Quote, rep: User) -> None:
    services.quote_revise(quote=quote, by=rep)
    quote.refresh_from_db()
    with pytest.raises(CrmError):
        services.quote_update(quote=quote, by=rep, fields={"terms": "changed"})
    with pytest.raises(CrmError):
        services.quote_revise(quote=quote, by=rep)


def test_quote_pdf_is_a_pdf_with_the_chinese_font(
    deal: Deal, widget: Product, rep: User, admin: User, caplog: pytest.LogCaptureFixture
) -> None:
    services.product_update(product=widget, by=admin, fields={"name": "联系人管理 聯絡人"})
    services.deal_line_add(deal=deal, by=rep, fields={"product": widget})
    quote = services.quote_create(deal=deal, by=rep)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = quote_pdf(quote)
    assert pdf.startswith(b"%PDF")
    assert {"Rapport-Latin", "Rapport-SC"} <= pdf_font_names(pdf)
    assert ".notdef" not in caplog.text


def test_sending_mails_the_pdf_and_marks_the_quote_sent(quote: Quote, rep: User) -> None:
    with after_commit():
        services.quote_send(quote=quote, by=rep, to="buyer@example.com", message="Hello")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert quote.sent_to == "buyer@example.com"
    (message,) = mail.outbox
    assert message.to == ["buyer@example.com"]
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("Q-00001.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert reverse("quote_public", args=[quote_token(quote)]) in message.body
    assert Activity.objects.filter(
        deal=quote.deal, kind="email", subject__contains="Q-00001"
    ).exists()


def test_an_expired_quote_is_not_sent(quote: Quote, rep: User) -> None:
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    quote.refresh_from_db()
    with pytest.raises(CrmError):
        services.quote_send(quote=quote, by=rep, to="buyer@example.com")


# --- The public page ---------------------------------------------------------------------------


def _public(quote: Quote) -> str:
    return reverse("quote_public", args=[quote_token(quote)])


def test_the_customer_accepts_once_and_the_deal_is_won(
    sent_quote: Quote, deal: Deal, alpha_client: Client
) -> None:
    response = alpha_client.post(_public(sent_quote), {"decision": "accept", "name": "Li Wei"})
    assert response.status_code == 302
    sent_quote.refresh_from_db()
    deal.refresh_from_db()
    assert sent_quote.status == QuoteStatus.ACCEPTED
    assert sent_quote.answered_by_name == "Li Wei"
    assert deal.stage.kind == StageKind.WON
    assert deal.won_at is not None
    assert Activity.objects.filter(deal=deal, subject__contains="accepted by Li Wei").exists()


def test_a_second_answer_shows_the_recorded_one(sent_quote: Quote, alpha_client: Client) -> None:
    alpha_client.post(_public(sent_quote), {"decision": "decline", "name": "Li Wei"})
    response = alpha_client.post(_public(sent_quote), {"decision": "accept", "name": "Someone"})
    sent_quote.refresh_from_db()
    assert response.status_code == 409
    assert sent_quote.status == QuoteStatus.DECLINED
    assert "Declined by Li Wei" in response.content.decode()
    assert "answered already" in response.content.decode()


def test_declining_logs_an_activity_and_leaves_the_deal_open(
    sent_quote: Quote, deal: Deal, alpha_client: Client
) -> None:
    alpha_client.post(_public(sent_quote), {"decision": "decline", "name": "Li Wei"})
    deal.refresh_from_db()
    assert deal.stage.kind == StageKind.OPEN
    assert Activity.objects.filter(deal=deal, subject__contains="declined").exists()


def test_an_expired_quote_cannot_be_accepted(sent_quote: Quote, alpha_client: Client) -> None:
    Quote.objects.filter(pk=sent_quote.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    response = alpha_client.post(_public(sent_quote), {"decision": "accept", "name": "Li Wei"})
    sent_quote.refresh_from_db()
    assert sent_quote.status == QuoteStatus.EXPIRED
    assert "expired" in response.content.decode()
    assert sent_quote.deal.stage.kind == StageKind.OPEN


def test_a_replaced_version_cannot_be_accepted(
    sent_quote: Quote, rep: User, alpha_client: Client
) -> None:
    services.quote_revise(quote=sent_quote, by=rep)
    response = alpha_client.post(_public(sent_quote), {"decision": "accept", "name": "Li Wei"})
    sent_quote.refresh_from_db()
    assert response.status_code == 409
    assert sent_quote.status == QuoteStatus.SENT


def test_the_public_page_shows_the_quote_without_sign_in(
    sent_quote: Quote, alpha_client: Client
) -> None:
    response = alpha_client.get(_public(sent_quote))
    assert response.status_code == 200
    assert "Q-00001" in response.content.decode()
    assert alpha_client.get(_public(sent_quote) + "pdf/").content.startswith(b"%PDF")


def test_a_draft_has_no_public_page(quote: Quote, alpha_client: Client) -> None:
    assert alpha_client.get(_public(quote)).status_code == 404


def test_a_forged_token_is_a_404(sent_quote: Quote, alpha_client: Client) -> None:
    url = reverse("quote_public", args=[f"{sent_quote.public_key}:forged"])
    assert alpha_client.get(url).status_code == 404


def test_the_link_is_a_404_on_another_workspace_s_host(
    sent_quote: Quote, alpha: Workspace, beta_client: Client
) -> None:
    url = _public(sent_quote)
    assert beta_client.get(url).status_code == 404
    assert beta_client.post(url, {"decision": "accept", "name": "X"}).status_code == 404
    with schema_context(alpha.schema):
        sent_quote.refresh_from_db()
    assert sent_quote.status == QuoteStatus.SENT


# --- Pages and isolation -----------------------------------------------------------------------


def test_quote_pages_for_the_deal_owner(sent_quote: Quote, rep: User, client_as: object) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    assert client.get(reverse("quote_detail", args=[sent_quote.pk])).status_code == 200
    assert client.get(reverse("quote_pdf", args=[sent_quote.pk])).content.startswith(b"%PDF")
    assert b"Q-00001" in client.get(reverse("quotes")).content


def test_a_rep_who_cannot_see_the_deal_gets_a_404(
    sent_quote: Quote, other_rep: User, client_as: object
) -> None:
    client: Client = client_as(other_rep)  # type: ignore[operator]
    assert client.get(reverse("quote_detail", args=[sent_quote.pk])).status_code == 404


def test_making_a_quote_from_the_deal_page(
    deal: Deal, widget: Product, rep: User, client_as: object
) -> None:
    services.deal_line_add(deal=deal, by=rep, fields={"product": widget})
    client: Client = client_as(rep)  # type: ignore[operator]
    response = client.post(reverse("quote_create", args=[deal.pk]))
    quote = Quote.objects.get(deal=deal)
    assert response["Location"] == quote.get_absolute_url()


def test_another_workspace_numbers_its_quotes_from_one(quote: Quote, beta: Workspace) -> None:
    with schema_context(beta.schema):
        beta_rep = UserFactory.create(role=Role.ADMIN)
        beta_deal = DealFactory.create(owner=beta_rep, currency="EUR")
        services.deal_line_add(
            deal=beta_deal, by=beta_rep, fields={"name": "Consulting", "unit_price": Decimal(5)}
        )
        beta_quote = services.quote_create(deal=beta_deal, by=beta_rep)
        assert list(Quote.objects.values_list("pk", flat=True)) == [beta_quote.pk]
    assert beta_quote.number == 1
    assert quote.number == 1


def test_a_yen_quote_rounds_to_whole_yen(admin: User, rep: User, widget: Product) -> None:
    jpy = services.price_list_create(by=admin, fields={"name": "Japan", "currency": "JPY"})
    services.price_set(price_list=jpy, product=widget, amount=Decimal(1333), by=admin)
    yen_deal = DealFactory.create(owner=rep, currency="JPY")
    services.deal_line_add(
        deal=yen_deal,
        by=rep,
        fields={"product": widget, "quantity": Decimal(3), "discount_percent": Decimal("7.5")},
    )
    quote = services.quote_create(deal=yen_deal, by=rep)
    # 3999 less 7.5 % = 3699.075 → 3699; 19 % tax = 702.81 → 703
    assert (quote.currency, quote.subtotal, quote.tax, quote.total) == (
        "JPY", Decimal(3699), Decimal(703), Decimal(4402),
    )  # fmt: skip
    assert "¥4,402" in quote_pdf_text(quote)


def quote_pdf_text(quote: Quote) -> str:
    """The quote's page as HTML (what the PDF is rendered from)."""
    from django.template.loader import render_to_string

    from crm.sales.documents import quote_document_context

    return render_to_string("sales/_quote_body.html", quote_document_context(quote))
