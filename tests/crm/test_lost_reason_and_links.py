"""Dropping a deal on a lost stage asks why; people on deals and company roles of contacts."""

from __future__ import annotations

import datetime
import json

from crm.models import AuditEntry, ContactCompany, DealContact, StageTransition
from tests.crm.factories import CompanyFactory, ContactFactory, DealFactory, stage_named


def test_the_lost_prompt_opens_as_a_modal_for_htmx(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    lost = stage_named("Lost")
    response = client_as(rep).get(f"/deals/{deal.pk}/lost/?stage={lost.pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="lost-modal"' in response.text
    assert "<html" not in response.text


def test_submitting_a_lost_reason_moves_the_deal_and_refreshes_the_board(
    crm, rep, client_as
) -> None:
    deal = DealFactory.create(owner=rep)
    lost = stage_named("Lost")
    response = client_as(rep).post(
        f"/deals/{deal.pk}/lost/",
        {"stage": lost.pk, "lost_reason": "Went with a competitor"},
        HTTP_HX_REQUEST="true",
    )
    deal.refresh_from_db()
    assert "board-changed" in json.loads(response["HX-Trigger"])
    assert (deal.stage, deal.lost_reason) == (lost, "Went with a competitor")
    assert deal.lost_at is not None
    assert StageTransition.objects.filter(deal=deal, to_stage=lost).exists()


def test_a_lost_deal_needs_a_reason(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    first_stage = deal.stage
    response = client_as(rep).post(
        f"/deals/{deal.pk}/lost/", {"stage": stage_named("Lost").pk, "lost_reason": ""}
    )
    deal.refresh_from_db()
    assert response.status_code == 200
    assert deal.stage == first_stage


def test_the_lost_prompt_refuses_a_stage_that_is_not_lost(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    client_as(rep).post(
        f"/deals/{deal.pk}/lost/", {"stage": stage_named("Won").pk, "lost_reason": "x"}
    )
    deal.refresh_from_db()
    assert deal.stage.name != "Won"


def test_the_lost_prompt_is_404_for_another_reps_deal(crm, rep, other_rep, client_as) -> None:
    deal = DealFactory.create(owner=other_rep)
    assert client_as(rep).get(f"/deals/{deal.pk}/lost/").status_code == 404


def test_board_columns_tell_the_script_which_stages_are_lost(crm, rep, client_as) -> None:
    board = client_as(rep).get("/deals/").text
    assert f'data-stage="{stage_named("Lost").pk}" data-stage-kind="lost"' in board
    assert 'data-lost-url="/deals/0/lost/"' in board


def test_deal_detail_sends_the_lost_stage_through_the_prompt(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    page = client_as(rep).get(f"/deals/{deal.pk}/").text
    assert f"/deals/{deal.pk}/lost/?stage={stage_named('Lost').pk}" in page


def test_a_contact_is_added_to_a_deal_with_a_role(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    contact = ContactFactory.create(owner=rep)
    response = client_as(rep).post(
        f"/deals/{deal.pk}/contacts/add/", {"contact": contact.pk, "role": "champion"}
    )
    assert response.status_code == 302
    link = DealContact.objects.get(deal=deal, contact=contact)
    assert link.role == "champion"
    assert AuditEntry.objects.filter(object_type="deal", object_id=deal.pk).exists()


def test_a_rep_cannot_add_a_contact_they_cannot_see(crm, rep, other_rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    hidden = ContactFactory.create(owner=other_rep)
    client_as(rep).post(f"/deals/{deal.pk}/contacts/add/", {"contact": hidden.pk, "role": "user"})
    assert not DealContact.objects.filter(deal=deal).exists()


def test_a_read_only_user_cannot_add_people_to_a_deal(crm, reader, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    contact = ContactFactory.create(owner=rep)
    response = client_as(reader).post(
        f"/deals/{deal.pk}/contacts/add/", {"contact": contact.pk, "role": "user"}
    )
    assert response.status_code == 403


def test_a_contact_is_linked_to_a_company_with_role_and_dates(crm, rep, client_as) -> None:
    contact = ContactFactory.create(owner=rep)
    company = CompanyFactory.create(owner=rep)
    client_as(rep).post(
        f"/contacts/{contact.pk}/companies/add/",
        {
            "company": company.pk,
            "role": "accountant",
            "started_on": "2024-01-01",
            "ended_on": "2024-12-31",
        },
    )
    link = ContactCompany.objects.get(contact=contact, company=company)
    assert (link.role, link.started_on, link.ended_on) == (
        "accountant",
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )


def test_a_company_role_cannot_end_before_it_starts(crm, rep, client_as) -> None:
    contact = ContactFactory.create(owner=rep)
    company = CompanyFactory.create(owner=rep)
    client_as(rep).post(
        f"/contacts/{contact.pk}/companies/add/",
        {"company": company.pk, "role": "employee", "started_on": "2024-05-01",
         "ended_on": "2024-01-01"},
    )  # fmt: skip
    assert not ContactCompany.objects.filter(contact=contact).exists()


def test_a_contact_is_removed_from_a_deal_and_the_removal_audited(crm, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    contact = ContactFactory.create(owner=rep)
    link = DealContact.objects.create(deal=deal, contact=contact, role="champion")
    page = client_as(rep).get(f"/deals/{deal.pk}/").text
    assert f"/deals/contacts/{link.pk}/remove/" in page
    response = client_as(rep).post(f"/deals/contacts/{link.pk}/remove/")
    assert response.status_code == 302
    assert not DealContact.objects.filter(pk=link.pk).exists()
    assert contact.__class__.objects.filter(pk=contact.pk).exists()
    entry = AuditEntry.objects.filter(object_type="deal", object_id=deal.pk).latest("pk")
    assert entry.changes["contacts"][1] is None


def test_another_reps_deal_contact_cannot_be_removed(crm, rep, other_rep, client_as) -> None:
    deal = DealFactory.create(owner=other_rep)
    link = DealContact.objects.create(deal=deal, contact=ContactFactory.create(owner=other_rep))
    response = client_as(rep).post(f"/deals/contacts/{link.pk}/remove/")
    assert response.status_code == 404
    assert DealContact.objects.filter(pk=link.pk).exists()


def test_a_read_only_user_cannot_remove_people_from_a_deal(crm, reader, rep, client_as) -> None:
    deal = DealFactory.create(owner=rep)
    link = DealContact.objects.create(deal=deal, contact=ContactFactory.create(owner=rep))
    assert client_as(reader).post(f"/deals/contacts/{link.pk}/remove/").status_code == 403
    assert DealContact.objects.filter(pk=link.pk).exists()


def test_a_company_role_is_removed_from_the_contact_page(crm, rep, client_as) -> None:
    contact = ContactFactory.create(owner=rep)
    link = ContactCompany.objects.create(contact=contact, company=CompanyFactory.create(owner=rep))
    assert (
        'data-testid="contact-company-form"' in client_as(rep).get(f"/contacts/{contact.pk}/").text
    )
    client_as(rep).post(f"/contacts/companies/{link.pk}/remove/")
    assert not ContactCompany.objects.filter(pk=link.pk).exists()


def test_another_reps_contact_cannot_be_linked(crm, rep, other_rep, client_as) -> None:
    contact = ContactFactory.create(owner=other_rep)
    company = CompanyFactory.create(owner=rep)
    response = client_as(rep).post(
        f"/contacts/{contact.pk}/companies/add/", {"company": company.pk, "role": "employee"}
    )
    assert response.status_code == 404
