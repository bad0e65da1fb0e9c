"""The campaign list: search by name, status filter, sorts, saved views, CSV export,
permissions and isolation from another workspace."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from crm.marketing.models import Campaign, CampaignStatus, Segment
from crm.models import SavedView
from tenants.users.models import User
from tests.conftest import Workspace, sign_in
from tests.factories import UserFactory


def _campaign(
    owner: User, name: str, status: str = CampaignStatus.DRAFT, sent: int = 0
) -> Campaign:
    segment = Segment.objects.create(name=f"List for {name}", kind="static", owner=owner)
    return Campaign.objects.create(
        name=name, segment=segment, subject="Hi", body="Text", sender=owner, status=status,
        sent_count=sent,
    )  # fmt: skip


def _names(response) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r'data-testid="campaign-name">([^<]*)<', response.content.decode())
    ]


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_search_finds_campaigns_by_name(manager: User, client_as) -> None:
    _campaign(manager, "Spring sale")
    _campaign(manager, "Autumn letter")
    assert _names(client_as(manager).get("/marketing/campaigns/?q=spring")) == ["Spring sale"]


def test_status_filter_keeps_that_status(manager: User, client_as) -> None:
    _campaign(manager, "Done one", CampaignStatus.SENT)
    _campaign(manager, "Draft one")
    response = client_as(manager).get("/marketing/campaigns/?status=sent")
    assert _names(response) == ["Done one"]


def test_sorts_by_name_and_by_sent(manager: User, client_as) -> None:
    _campaign(manager, "Beta", sent=5)
    _campaign(manager, "Alpha", sent=9)
    client = client_as(manager)
    assert _names(client.get("/marketing/campaigns/?sort=name")) == ["Alpha", "Beta"]
    assert _names(client.get("/marketing/campaigns/?sort=sent")) == ["Beta", "Alpha"]


@pytest.mark.parametrize(
    "query", ["status=nope", "view=abc", "after=%00", "q=" + "x" * 1000, "format=pdf"]
)
def test_bad_parameters_are_a_400_not_a_500(manager: User, client_as, query: str) -> None:
    client = client_as(manager)
    assert client.get(f"/marketing/campaigns/?{query}").status_code == 400
    assert client.get(f"/marketing/campaigns/export/?{query}").status_code == 400


def test_an_unknown_sort_falls_back_to_newest_first(manager: User, client_as) -> None:
    _campaign(manager, "Older")
    _campaign(manager, "Newer")
    response = client_as(manager).get("/marketing/campaigns/?sort=password")
    assert _names(response) == ["Newer", "Older"]


def test_export_streams_the_filtered_selection(manager: User, client_as) -> None:
    _campaign(manager, "Spring sale", CampaignStatus.SENT, sent=12)
    _campaign(manager, "Autumn letter")
    response = client_as(manager).get("/marketing/campaigns/export/?status=sent")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _csv(response)
    assert body.splitlines()[0].startswith('\ufeff"ID","Name","Status"')
    assert '"Spring sale","Sent"' in body
    assert "Autumn letter" not in body


def test_export_cells_cannot_run_as_formulas(manager: User, client_as) -> None:
    _campaign(manager, '=HYPERLINK("http://evil.example")')
    body = _csv(client_as(manager).get("/marketing/campaigns/export/"))
    assert "\"'=HYPERLINK(" in body


def test_export_as_excel(manager: User, client_as) -> None:
    _campaign(manager, "Spring sale")
    response = client_as(manager).get("/marketing/campaigns/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="campaigns-')


def test_every_member_reads_and_exports_the_list(manager: User, reader: User, client_as) -> None:
    _campaign(manager, "Spring sale")
    client = client_as(reader)
    assert _names(client.get("/marketing/campaigns/")) == ["Spring sale"]
    assert "Spring sale" in _csv(client.get("/marketing/campaigns/export/"))


def test_signed_out_visitors_are_sent_to_sign_in(crm: Workspace) -> None:
    client = Client(HTTP_HOST=crm.host)
    for url in ("/marketing/campaigns/", "/marketing/campaigns/export/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_saving_the_filters_opens_the_campaign_list_with_them(manager: User, client_as) -> None:
    response = client_as(manager).post(
        "/views/new/", {"list_type": "campaign", "name": "Sent ones", "query": "status=sent"}
    )
    view = SavedView.objects.get(name="Sent ones")
    assert view.list_type == "campaign"
    assert response["Location"] == f"/marketing/campaigns/?status=sent&view={view.pk}"


def test_the_campaign_list_offers_its_saved_views(manager: User, client_as) -> None:
    SavedView.objects.create(
        owner=manager, list_type="campaign", name="Drafts", query="status=draft"
    )
    SavedView.objects.create(owner=manager, list_type="case", name="Case view", query="")
    page = client_as(manager).get("/marketing/campaigns/").content.decode()
    assert "Drafts" in page
    assert "Case view" not in page


def test_campaigns_and_views_of_one_workspace_stay_out_of_another(
    crm: Workspace, beta: Workspace, manager: User
) -> None:
    _campaign(manager, "Alpha secret")
    SavedView.objects.create(
        owner=manager, list_type="campaign", name="Alpha view", query="", shared=True
    )
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(role="admin")
        _campaign(beta_admin, "Beta own")
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    page = client.get("/marketing/campaigns/").content.decode()
    assert "Beta own" in page
    assert "Alpha secret" not in page
    assert "Alpha view" not in page
    body = _csv(client.get("/marketing/campaigns/export/"))
    assert "Beta own" in body
    assert "Alpha secret" not in body
