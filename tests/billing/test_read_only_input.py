"""A read-only workspace shows write controls disabled with the reason, and a write from a
tab opened earlier shows back what was typed, never a password or a token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.middleware import MAX_SHOWN_LENGTH, submitted_values
from crm.models import Contact
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace
from tests.crm.factories import ContactFactory


@pytest.fixture
def read_only(alpha: Workspace) -> None:
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() - timedelta(minutes=1))


def test_the_new_contact_form_is_disabled_with_the_reason_and_a_billing_link(
    read_only, signed_in_alpha_admin: Client
) -> None:
    page = signed_in_alpha_admin.get("/contacts/new/").content.decode()
    assert re.search(r'<fieldset class="write-lock" disabled[^>]*>', page)
    assert 'data-testid="write-lock-note"' in page
    assert "The free trial has ended." in page
    assert 'href="/billing/" data-testid="write-lock-billing-link"' in page


def test_a_workspace_with_full_access_shows_no_lock(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    make_subscription(alpha.tenant)
    page = signed_in_alpha_admin.get("/contacts/new/").content.decode()
    assert "write-lock" not in page
    assert "data-write-locked" not in page


def test_a_refused_save_shows_the_typed_values_back(
    alpha: Workspace, read_only, signed_in_alpha_admin: Client
) -> None:
    response = signed_in_alpha_admin.post(
        "/contacts/new/",
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "title": "",
            "body": "Met at the fair; wants a quote for 40 seats.",
            "cf_shoe_size": "42",
        },
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "What you entered was not saved" in page
    for label, value in [
        ("First name", "Ann"),
        ("Last name", "Lee"),
        ("Body", "Met at the fair; wants a quote for 40 seats."),
        ("Shoe size", "42"),
    ]:
        assert f">{label}</label>" in page
        assert f">{value}</textarea>" in page
    assert ">Title</label>" not in page  # left empty: nothing to keep
    assert "data-copy-all" in page
    with schema_context(alpha.schema):
        assert not Contact.objects.exists()


def test_passwords_and_tokens_are_never_shown_back(read_only, signed_in_alpha_admin) -> None:
    response = signed_in_alpha_admin.post(
        "/settings/users/invite/",
        {
            "email": "new@alpha.example",
            "password": "hunter2-secret",
            "new_password1": "hunter3-secret",
            "csrfmiddlewaretoken": "csrf-value-xyz",
            "api_token": "tok-abc",
        },
    )
    page = response.content.decode()
    assert "new@alpha.example" in page
    for secret in ("hunter2-secret", "hunter3-secret", "csrf-value-xyz", "tok-abc"):
        assert secret not in page


def test_shown_values_are_escaped(read_only, signed_in_alpha_admin) -> None:
    page = signed_in_alpha_admin.post(
        "/contacts/new/", {"<b>name</b>": "<script>alert(1)</script>"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_long_value_is_cut_and_the_number_of_fields_bounded(rf) -> None:
    request = rf.post("/contacts/new/", {f"f{i}": "x" * (MAX_SHOWN_LENGTH + 5) for i in range(90)})
    values = submitted_values(request)
    assert len(values) == 60
    assert len(values[0].value) == MAX_SHOWN_LENGTH + 1


def test_an_htmx_quick_add_is_refused_with_a_dialog_holding_the_text(
    alpha: Workspace, read_only, signed_in_alpha_admin: Client
) -> None:
    with schema_context(alpha.schema):
        contact = ContactFactory.create()
    response = signed_in_alpha_admin.post(
        f"/contacts/{contact.pk}/activities/",
        {"kind": "note", "subject": "Called back, will sign Friday"},
        HTTP_HX_REQUEST="true",
    )
    assert response["X-Rapport-Billing"] == "read-only"
    page = response.content.decode()
    assert 'data-testid="read-only-dialog"' in page
    assert ">Called back, will sign Friday</textarea>" in page
    assert "<html" not in page
    with schema_context(alpha.schema):
        assert not contact.activities.exists()


def test_the_board_takes_no_drags_and_moves_are_disabled(
    alpha: Workspace, read_only, signed_in_alpha_admin: Client
) -> None:
    from tests.crm.factories import DealFactory

    with schema_context(alpha.schema):
        DealFactory.create()
    page = signed_in_alpha_admin.get("/deals/").content.decode()
    assert 'data-can-write="0"' in page
    assert 'data-testid="drop-bar"' not in page
    assert re.search(r'<fieldset class="write-lock" disabled[^>]*><button[^>]*data-move-menu', page)


def test_a_board_card_move_button_is_disabled_with_the_reason(
    read_only, alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    from tests.crm.factories import DealFactory

    with schema_context(alpha.tenant.schema_name):
        DealFactory.create()
    page = signed_in_alpha_admin.get("/deals/").content.decode()
    card = page[page.index('data-testid="deal-card"') :].split("</article>")[0]
    assert re.search(
        r'<fieldset class="write-lock" disabled[^>]*><button[^>]*data-testid="move-button"', card
    )
