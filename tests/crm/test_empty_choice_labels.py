"""Selects of CRM forms offer a translated, meaningful empty option, never Django's dashes."""

from __future__ import annotations

import inspect

import pytest
from django import forms as django_forms
from django.test import Client
from django_tenants.utils import schema_context

from crm import forms
from crm.forms.base import CrmFormMixin
from crm.models import CustomFieldDefinition, FieldType
from tests.conftest import Workspace
from tests.crm.factories import ContactFactory, CustomFieldFactory, DealFactory, LeadFactory
from tests.factories import AdminFactory

DASHES = b"---------"


@pytest.fixture
def admin_client(alpha: Workspace, client_as) -> tuple[Client, object]:
    with schema_context(alpha.schema):
        admin = AdminFactory.create()
    return client_as(admin), admin


def test_every_crm_form_labels_its_empty_choices() -> None:
    """Each form the CRM exports goes through the one mixin that replaces the dashes."""
    form_classes = [
        value
        for value in vars(forms).values()
        if inspect.isclass(value) and issubclass(value, django_forms.BaseForm)
    ]
    assert len(form_classes) > 15
    assert [cls.__name__ for cls in form_classes if not issubclass(cls, CrmFormMixin)] == []


@pytest.mark.parametrize(
    "path", ["/contacts/new/", "/companies/new/", "/leads/new/", "/deals/new/", "/activities/new/"]
)
def test_record_forms_show_no_dashes(admin_client, path: str) -> None:
    client, _admin = admin_client
    response = client.get(path)
    assert response.status_code == 200
    assert DASHES not in response.content
    assert "Choose…".encode() in response.content


def test_optional_selects_say_none_and_required_ones_ask_to_choose(admin_client) -> None:
    client, _admin = admin_client
    html = client.get("/companies/new/").content.decode()
    assert '<option value="" selected>— None —</option>' in html  # size: optional
    html = client.get("/activities/new/").content.decode()
    assert '<option value="">Choose…</option>' in html  # owner: required


def test_custom_choice_and_user_fields_show_no_dashes(alpha: Workspace, admin_client) -> None:
    client, _admin = admin_client
    with schema_context(alpha.schema):
        CustomFieldFactory.create(
            object_type="contact", key="tier", field_type=FieldType.CHOICE, choices=["A", "B"]
        )
        CustomFieldFactory.create(object_type="contact", key="buddy", field_type=FieldType.USER)
        assert CustomFieldDefinition.objects.count() == 2
    response = client.get("/contacts/new/")
    assert DASHES not in response.content
    assert response.content.count("— None —".encode()) >= 3  # company, tier, buddy


def test_detail_link_forms_and_lead_conversion_show_no_dashes(
    alpha: Workspace, admin_client
) -> None:
    client, admin = admin_client
    with schema_context(alpha.schema):
        contact = ContactFactory.create(owner=admin)
        deal = DealFactory.create(owner=admin)
        lead = LeadFactory.create(owner=admin)
    for path in (f"/contacts/{contact.pk}/", f"/deals/{deal.pk}/", f"/leads/{lead.pk}/convert/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert DASHES not in response.content, path
    assert b"Default pipeline" in client.get(f"/leads/{lead.pk}/convert/").content


def test_settings_forms_show_no_dashes(admin_client) -> None:
    client, _admin = admin_client
    for path in ("/settings/crm/", "/settings/fields/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert DASHES not in response.content, path
