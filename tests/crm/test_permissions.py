"""Role-by-view matrix: every list, detail, board, search, bulk action and form checks the role.

Each role signs in on alpha. The records belong to another rep, so a rep (without the
"reps see all" policy) must not reach them, a read-only user must not change them, and only
admins reach the settings pages.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from crm.models import Company, Contact, CrmSettings, Deal, Lead
from tenants.users.models import Role
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    stage_named,
)
from tests.factories import UserFactory

ROLES = [Role.ADMIN, Role.MANAGER, Role.REP, Role.READ_ONLY]


@pytest.fixture
def world(alpha):
    """Records owned by a rep who is not the signed-in user."""
    with schema_context(alpha.schema):
        owner = UserFactory.create(role=Role.REP, full_name="Owner Rep")
        company = CompanyFactory.create(owner=owner, name="Matrix Corp")
        return {
            "owner": owner,
            "company": company,
            "contact": ContactFactory.create(owner=owner, last_name="Matrixperson"),
            "lead": LeadFactory.create(owner=owner, name="Matrix Lead"),
            "deal": DealFactory.create(owner=owner, title="Matrix Deal", company=company),
            "activity": ActivityFactory.create(owner=owner, subject="Matrix call"),
        }


@pytest.fixture(params=ROLES)
def role_client(request, alpha, client_as):
    with schema_context(alpha.schema):
        user = UserFactory.create(role=request.param)
    return request.param, client_as(user)


LIST_PAGES = [
    "/",
    "/contacts/",
    "/companies/",
    "/leads/",
    "/deals/",
    "/deals/list/",
    "/activities/",
    "/search/?q=matrix",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_every_role_reaches_the_list_pages(role_client, world, url) -> None:
    _role, client = role_client
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [u for u in LIST_PAGES if u != "/"])
def test_lists_of_other_owners_records_are_hidden_from_reps_only(role_client, world, url) -> None:
    role, client = role_client
    content = client.get(url).content.decode()
    shows = any(
        name in content for name in ("Matrix Corp", "Matrixperson", "Matrix Lead", "Matrix Deal")
    )
    if url == "/activities/":
        shows = "Matrix call" in content
    assert shows is (role != Role.REP)


@pytest.mark.parametrize("kind", ["contact", "company", "lead", "deal"])
def test_detail_of_another_owners_record(role_client, world, kind) -> None:
    role, client = role_client
    prefix = {"contact": "contacts", "company": "companies", "lead": "leads", "deal": "deals"}[kind]
    response = client.get(f"/{prefix}/{world[kind].pk}/")
    assert response.status_code == (404 if role == Role.REP else 200)


@pytest.mark.parametrize("kind", ["contact", "company", "lead", "deal"])
def test_edit_form_of_another_owners_record(role_client, world, kind) -> None:
    role, client = role_client
    prefix = {"contact": "contacts", "company": "companies", "lead": "leads", "deal": "deals"}[kind]
    expected = {Role.ADMIN: 200, Role.MANAGER: 200, Role.REP: 404, Role.READ_ONLY: 403}[role]
    assert client.get(f"/{prefix}/{world[kind].pk}/edit/").status_code == expected


@pytest.mark.parametrize(
    "url", ["/contacts/new/", "/companies/new/", "/leads/new/", "/deals/new/", "/activities/new/"]
)
def test_create_forms_are_refused_to_read_only_users(role_client, url) -> None:
    role, client = role_client
    assert client.get(url).status_code == (403 if role == Role.READ_ONLY else 200)


def test_read_only_user_cannot_create_by_post(alpha, client_as) -> None:
    with schema_context(alpha.schema):
        reader = UserFactory.create(role=Role.READ_ONLY)
    response = client_as(reader).post("/companies/new/", {"name": "Sneaky", "owner": reader.pk})
    assert response.status_code == 403
    with schema_context(alpha.schema):
        assert not Company.objects.filter(name="Sneaky").exists()


def test_bulk_delete_only_touches_records_the_user_may_edit(role_client, world, alpha) -> None:
    role, client = role_client
    response = client.post(
        "/contacts/bulk/", {"action": "delete", "confirmed": "1", "ids": [world["contact"].pk]}
    )
    with schema_context(alpha.schema):
        still_there = Contact.objects.filter(pk=world["contact"].pk).exists()
    if role == Role.READ_ONLY:
        assert response.status_code == 403
    assert still_there is (role in (Role.REP, Role.READ_ONLY))


def test_bulk_assign_by_a_rep_ignores_other_owners_records(world, alpha, client_as) -> None:
    with schema_context(alpha.schema):
        rep = UserFactory.create(role=Role.REP)
    client_as(rep).post(
        "/leads/bulk/", {"action": "assign", "owner": rep.pk, "ids": [world["lead"].pk]}
    )
    with schema_context(alpha.schema):
        assert Lead.objects.get(pk=world["lead"].pk).owner == world["owner"]


def test_moving_another_owners_deal(role_client, world, alpha) -> None:
    role, client = role_client
    with schema_context(alpha.schema):
        proposal = stage_named("Proposal")
    response = client.post(f"/deals/{world['deal'].pk}/move/", {"stage": proposal.pk})
    expected = {Role.ADMIN: 302, Role.MANAGER: 302, Role.REP: 404, Role.READ_ONLY: 403}[role]
    assert response.status_code == expected
    with schema_context(alpha.schema):
        moved = Deal.objects.get(pk=world["deal"].pk).stage_id == proposal.pk
    assert moved is (role in (Role.ADMIN, Role.MANAGER))


@pytest.mark.parametrize("url", ["/lookup/contacts/?q=matrix", "/lookup/companies/?q=matrix"])
def test_record_pickers_offer_only_visible_records(role_client, world, url) -> None:
    role, client = role_client
    results = client.get(url).json()["results"]
    assert bool(results) is (role != Role.REP)


@pytest.mark.parametrize(
    "url",
    ["/settings/crm/", "/settings/pipelines/", "/settings/fields/", "/settings/audit/"],
)
def test_settings_pages_are_for_admins_only(role_client, url) -> None:
    role, client = role_client
    assert client.get(url).status_code == (200 if role == Role.ADMIN else 403)


def test_reps_see_everything_when_the_workspace_allows_it(world, alpha, client_as) -> None:
    with schema_context(alpha.schema):
        CrmSettings.objects.update_or_create(pk=1, defaults={"reps_see_all": True})
        rep = UserFactory.create(role=Role.REP)
    client = client_as(rep)
    assert client.get(f"/contacts/{world['contact'].pk}/").status_code == 200
    assert b"Matrix Deal" in client.get("/deals/").content


def test_anonymous_visitors_are_sent_to_sign_in(alpha_client, world) -> None:
    for url in ("/contacts/", f"/deals/{world['deal'].pk}/", "/search/?q=x"):
        response = alpha_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
