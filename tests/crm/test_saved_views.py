"""Saved views: personal or shared filters of a list; the owner or an admin deletes them."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from crm.errors import CrmError
from crm.models import SavedView
from crm.services import saved_view_create, saved_view_delete
from tests.conftest import sign_in
from tests.factories import AdminFactory


def test_saving_keeps_filters_and_sort_but_not_the_page_cursor(crm, rep) -> None:
    view = saved_view_create(
        by=rep, list_type="contact", name="Mine", query="owner=3&q=&after=abc&sort=-updated"
    )
    assert view.query == "owner=3&sort=-updated"


def test_saving_a_view_from_the_list_opens_it(crm, rep, client_as) -> None:
    response = client_as(rep).post(
        "/views/new/", {"list_type": "contact", "name": "Berlin", "query": "q=berlin&page=3"}
    )
    view = SavedView.objects.get(name="Berlin")
    assert (view.owner, view.shared, view.query) == (rep, False, "q=berlin")
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/?q=berlin&view={view.pk}"


def test_list_shows_own_and_shared_views_but_not_others_personal_ones(
    crm, rep, other_rep, client_as
) -> None:
    saved_view_create(by=rep, list_type="contact", name="Rita personal", query="")
    saved_view_create(by=other_rep, list_type="contact", name="Otto personal", query="")
    saved_view_create(by=other_rep, list_type="contact", name="Otto shared", query="", shared=True)
    saved_view_create(by=rep, list_type="deal", name="Rita deals", query="")
    page = client_as(rep).get("/contacts/").content.decode()
    assert "Rita personal" in page
    assert "Otto shared" in page
    assert "Otto personal" not in page
    assert "Rita deals" not in page


def test_read_only_users_save_personal_views_but_cannot_share(crm, reader) -> None:
    assert saved_view_create(by=reader, list_type="lead", name="Mine", query="").pk
    with pytest.raises(CrmError):
        saved_view_create(by=reader, list_type="lead", name="Ours", query="", shared=True)


def test_owner_deletes_their_view(crm, rep, client_as) -> None:
    view = saved_view_create(by=rep, list_type="contact", name="Gone", query="")
    response = client_as(rep).post(f"/views/{view.pk}/delete/")
    assert response.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_another_rep_cannot_delete_a_shared_view(crm, rep, other_rep, client_as) -> None:
    view = saved_view_create(by=rep, list_type="contact", name="Team", query="", shared=True)
    client_as(other_rep).post(f"/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()
    with pytest.raises(CrmError):
        saved_view_delete(view=view, by=other_rep)


def test_admin_deletes_a_shared_view_of_someone_else(crm, rep, admin, client_as) -> None:
    view = saved_view_create(by=rep, list_type="contact", name="Team", query="", shared=True)
    client_as(admin).post(f"/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_someone_elses_personal_view_is_404_even_for_an_admin(crm, rep, admin, client_as) -> None:
    view = saved_view_create(by=rep, list_type="contact", name="Private", query="")
    assert client_as(admin).post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_views_of_alpha_are_invisible_and_undeletable_on_beta(
    alpha, beta, beta_client, rep
) -> None:
    view = saved_view_create(
        by=rep, list_type="contact", name="Alpha shared secret", query="", shared=True
    )
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create()
    client = sign_in(beta_client, beta, beta_admin)
    assert "Alpha shared secret" not in client.get("/contacts/").content.decode()
    assert client.post(f"/views/{view.pk}/delete/").status_code == 404
    with schema_context(alpha.schema):
        assert SavedView.objects.filter(pk=view.pk).exists()
