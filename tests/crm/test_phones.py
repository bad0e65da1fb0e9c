"""Phone numbers: stored in E.164 with the workspace's country as the default region, shown
national at home and international abroad, refused when invalid, compared as one number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.phones import phone_display, phone_normalise
from crm import services
from crm.models import Contact
from crm.selectors.search import contact_duplicates
from tenants.models import Tenant


@pytest.fixture
def mainland(crm) -> None:
    """Alpha is a mainland-China workspace."""
    Tenant.objects.filter(schema_name=crm.schema).update(country="CN")


@pytest.mark.parametrize(
    "typed", ["138 0013 8000", "+86 13800138000", "13800138000", "+86-138-0013-8000"]
)
def test_every_writing_of_a_number_is_stored_as_one(mainland, rep, typed: str) -> None:
    """138 0013 8000, +86 13800138000 and 13800138000 are the same number."""
    contact = services.contact_create(by=rep, fields={"full_name": "王芳", "phone": typed})
    assert Contact.objects.get(pk=contact.pk).phone == "+8613800138000"


def test_an_invalid_number_is_refused_with_a_message(mainland, rep) -> None:
    """A number that cannot be dialled is refused, naming the field, and nothing is saved."""
    with pytest.raises(ValidationError) as refused:
        services.contact_create(by=rep, fields={"full_name": "王芳", "phone": "123"})
    assert "phone" in refused.value.message_dict
    assert not Contact.objects.exists()


def test_the_form_shows_why_a_number_is_refused(mainland, rep, client_as) -> None:
    """The contact form keeps the typed number and explains the problem."""
    response = client_as(rep).post(
        "/contacts/new/",
        {"full_name": "王芳", "phone": "12-34", "owner": rep.pk, "company_role": "employee"},
    )
    assert response.status_code == 400
    assert "is not a valid phone number" in response.content.decode()


def test_home_numbers_show_national_and_foreign_ones_international() -> None:
    """A mainland number reads 138 0013 8000 at home; a UK number keeps its +44."""
    assert phone_display("+8613800138000", region="CN") == "138 0013 8000"
    assert phone_display("+442079460958", region="CN") == "+44 20 7946 0958"


def test_duplicates_compare_the_normalised_number(mainland, rep) -> None:
    """Typing 138-0013-8000 warns about the contact stored as +86 13800138000."""
    existing = services.contact_create(
        by=rep, fields={"full_name": "王芳", "phone": "+86 13800138000"}
    )
    assert contact_duplicates(user=rep, phone="138-0013-8000") == [existing]


def test_a_workspace_without_a_country_keeps_local_numbers_as_typed() -> None:
    """Without a default region a number lacking +country cannot be checked: kept as typed."""
    assert phone_normalise("0912 345 678", region=None) == "0912 345 678"
    assert phone_normalise("+886 912 345 678", region=None) == "+886912345678"
