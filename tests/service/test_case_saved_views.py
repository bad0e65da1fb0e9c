"""Saved views on the case list: save, open, delete, and never seen from another workspace."""

from __future__ import annotations

import re

from django.test import Client
from django_tenants.utils import schema_context

from crm.models import SavedView
from tests.conftest import sign_in
from tests.factories import AdminFactory


def test_saving_the_case_filters_opens_the_case_list_with_them(client_as, admin) -> None:
    client = client_as(admin)
    response = client.post(
        "/views/new/",
        {
            "list_type": "case",
            "name": "Urgent open",
            "query": "priority=urgent&status=open&after=x",
        },
    )
    view = SavedView.objects.get(name="Urgent open")
    assert (view.list_type, view.query) == ("case", "priority=urgent&status=open")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/?priority=urgent&status=open&view={view.pk}"


def test_the_case_list_offers_its_saved_views_only(client_as, admin) -> None:
    SavedView.objects.create(
        owner=admin, list_type="case", name="My case view", query="sla=breached"
    )
    SavedView.objects.create(owner=admin, list_type="contact", name="A contact view", query="")
    page = client_as(admin).get("/cases/").content.decode()
    assert "My case view" in page
    assert "A contact view" not in page
    assert 'name="list_type" value="case"' in page


def test_the_open_view_is_marked_and_filters_apply(make_case, client_as, admin) -> None:
    make_case(subject="Urgent one", priority="urgent")
    make_case(subject="Calm one", priority="low")
    view = SavedView.objects.create(
        owner=admin, list_type="case", name="Urgent", query="priority=urgent"
    )
    page = client_as(admin).get(f"/cases/?priority=urgent&view={view.pk}").content.decode()
    assert "Urgent one" in page
    assert "Calm one" not in page
    assert re.search(r'class="dropdown-item[^"]* active" data-testid="saved-view"', page)


def test_a_bad_view_parameter_is_a_400_not_a_500(client_as, admin) -> None:
    assert client_as(admin).get("/cases/?view=abc").status_code == 400


def test_deleting_a_case_view_returns_to_the_case_list(client_as, admin) -> None:
    view = SavedView.objects.create(owner=admin, list_type="case", name="Gone", query="")
    response = client_as(admin).post(f"/views/{view.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_case_view_of_one_workspace_is_not_offered_in_another(admin, beta) -> None:
    SavedView.objects.create(
        owner=admin, list_type="case", name="Alpha only", query="", shared=True
    )
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create(email="views-admin@beta.example")
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    assert "Alpha only" not in client.get("/cases/").content.decode()
