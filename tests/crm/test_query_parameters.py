"""Query strings: every GET parameter of a CRM page is parsed by a bounded form field.

A page whose query selects what it shows answers an unreadable one with a 400 naming the
parameter; a page whose query only pre-fills a form drops the unreadable values.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from crm.forms.query import parse_record_id
from crm.models import ActivityKind
from tests.crm.factories import (
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    stage_named,
)

NUL = "a\x00b"


def test_a_nul_byte_in_a_list_search_is_refused_naming_the_search(crm, admin, client_as):
    """NUL in ``q`` of a list: a 400 that says which parameter, no records."""
    ContactFactory.create(owner=admin, last_name="Hidden")
    response = client_as(admin).get("/contacts/", {"q": NUL})
    assert response.status_code == 400
    assert "Search: Null characters are not allowed." in response.text
    assert "Hidden" not in response.text


def test_a_nul_byte_in_global_search_is_refused(crm, admin, client_as) -> None:
    """NUL in the search palette's ``q``: a 400, not a database error."""
    assert client_as(admin).get("/search/", {"q": NUL}).status_code == 400


def test_a_nul_byte_in_a_lookup_answers_a_400_without_results(crm, admin, client_as) -> None:
    """Record pickers get JSON they can read: no results and the reason."""
    response = client_as(admin).get("/lookup/contacts/", {"q": NUL})
    assert response.status_code == 400
    assert response.json()["results"] == []
    assert response.json()["problems"] == ["Search: Null characters are not allowed."]


@pytest.mark.parametrize(
    "field_type", ["text", "number", "date", "choice", "multi_choice", "checkbox", "user"]
)
def test_a_nul_byte_in_a_custom_field_filter_is_refused(crm, admin, client_as, field_type):
    """NUL in ``cf_<key>`` of any type: a 400, never a database error."""
    CustomFieldFactory.create(object_type="company", key="tier", field_type=field_type)
    assert client_as(admin).get("/companies/", {"cf_tier": NUL}).status_code == 400


def test_an_overlong_search_is_refused(crm, admin, client_as) -> None:
    """Search text is bounded: 10,000 characters are a 400, not a slow query."""
    assert client_as(admin).get("/contacts/", {"q": "x" * 10_000}).status_code == 400


def test_the_list_search_box_carries_the_bound(crm, admin, client_as) -> None:
    """The browser stops typing where the server would refuse."""
    assert 'maxlength="100"' in client_as(admin).get("/contacts/").text


def test_an_unreadable_list_filter_is_reported_not_dropped(crm, admin, client_as) -> None:
    """An owner that is not an id: the list says so instead of showing everything unfiltered."""
    ContactFactory.create(owner=admin, last_name="Hidden")
    response = client_as(admin).get("/contacts/", {"owner": "1e999"})
    assert response.status_code == 400
    assert 'data-testid="query-problems"' in response.text
    assert "Hidden" not in response.text


def test_an_unreadable_export_filter_is_refused(crm, admin, client_as) -> None:
    """The export refuses what its list refuses, before writing a file."""
    assert client_as(admin).get("/contacts/export/", {"q": NUL}).status_code == 400


def test_unknown_parameters_are_ignored(crm, admin, client_as) -> None:
    """Parameters no page reads change nothing."""
    ContactFactory.create(owner=admin, last_name="Shown")
    response = client_as(admin).get("/contacts/", {"utm_source": NUL})
    assert response.status_code == 200
    assert "Shown" in response.text


def test_a_user_custom_field_filter_matches_the_user_id(crm, admin, rep, client_as) -> None:
    """``cf_<key>=<id>`` on a user field lists the records pointing at that user."""
    CustomFieldFactory.create(object_type="company", key="manager", field_type="user")
    CompanyFactory.create(owner=admin, name="Managed Co", custom={"manager": rep.pk})
    CompanyFactory.create(owner=admin, name="Other Co", custom={"manager": admin.pk})
    response = client_as(admin).get("/companies/", {"cf_manager": str(rep.pk)})
    assert "Managed Co" in response.text
    assert "Other Co" not in response.text


def test_a_date_custom_field_filter_matches_the_stored_day(crm, admin, client_as) -> None:
    """``cf_<key>=YYYY-MM-DD`` on a date field lists the records of that day."""
    CustomFieldFactory.create(object_type="company", key="renewal", field_type="date")
    CompanyFactory.create(owner=admin, name="Renews Co", custom={"renewal": "2031-05-06"})
    CompanyFactory.create(owner=admin, name="Later Co", custom={"renewal": "2031-05-07"})
    response = client_as(admin).get("/companies/", {"cf_renewal": "2031-05-06"})
    assert "Renews Co" in response.text
    assert "Later Co" not in response.text


@pytest.mark.parametrize("owner", [str(10**400), "\u00b2", "-1", "Infinity"])
def test_an_unreadable_board_filter_is_refused(crm, admin, client_as, owner) -> None:
    """The board's owner filter is an id within bigint, in ASCII digits: others get a 400."""
    assert client_as(admin).get("/deals/", {"owner": owner}).status_code == 400


def test_more_cards_of_a_column_with_a_superscript_count_is_refused(crm, admin, client_as):
    """``left=²`` passes ``str.isdigit`` but is no number: a 400, not a ValueError."""
    deal = DealFactory.create(owner=admin)
    response = client_as(admin).get(
        f"/deals/stages/{deal.stage_id}/cards/", {"after": deal.pk, "left": "\u00b2"}
    )
    assert response.status_code == 400


def test_an_audit_log_page_beyond_bigint_is_refused(crm, admin, client_as) -> None:
    """``page=10**400`` is a 400, not an OFFSET PostgreSQL cannot hold."""
    assert client_as(admin).get("/settings/audit/", {"page": str(10**400)}).status_code == 400


def test_an_unreadable_prefill_is_dropped_from_the_activity_form(crm, admin, client_as):
    """``?contact=²³`` pre-fills nothing; the form still opens."""
    response = client_as(admin).get("/activities/new/", {"contact": "\u00b2\u00b3"})
    assert response.status_code == 200


def test_a_readable_prefill_still_fills_the_activity_form(crm, admin, client_as) -> None:
    """``?contact=<id>&kind=meeting`` chooses that contact and type."""
    contact = ContactFactory.create(owner=admin, last_name="Prefilled")
    response = client_as(admin).get(
        "/activities/new/", {"contact": contact.pk, "kind": ActivityKind.MEETING}
    )
    assert f'value="{contact.pk}" selected' in response.text
    assert 'value="meeting" selected' in response.text


def test_the_lost_reason_form_drops_unreadable_neighbours(crm, admin, client_as) -> None:
    """``?above=10**400`` on the lost-reason prompt suggests no neighbour."""
    deal = DealFactory.create(owner=admin)
    response = client_as(admin).get(f"/deals/{deal.pk}/lost/", {"above": str(10**400)})
    assert response.status_code == 200


def test_a_card_drop_naming_a_superscript_stage_is_a_404(crm, admin, client_as) -> None:
    """The board's move endpoint reads ids as strictly as the query forms do."""
    deal = DealFactory.create(owner=admin)
    response = client_as(admin).post(f"/deals/{deal.pk}/move/", {"stage": "\u00b2"})
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage == stage_named(deal.stage.name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("0", None),
        ("-1", None),
        ("\u00b2", None),
        ("\u0663", None),  # Arabic-Indic three: int() reads it, an id is ASCII
        ("1e3", None),
        (" 1", None),
        ("9" * 5000, None),
        ("", None),
        (None, None),
    ],
)
def test_parse_record_id_reads_only_ascii_ids_within_bigint(raw, expected) -> None:
    """Ids are 1 to 19 ASCII digits within bigint; anything else is no id."""
    assert parse_record_id(raw) == expected


def _raw_query_reads(path: Path) -> list[str]:
    """``request.GET.get(...)``, ``request.GET[...]``, ``request.GET.getlist(...)`` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Subscript | ast.Attribute):
            continue
        if isinstance(node, ast.Attribute) and node.attr not in ("get", "getlist"):
            continue
        target = node.value
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "GET"
            and isinstance(target.value, ast.Name)
            and target.value.id == "request"
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_crm_views_read_query_parameters_only_through_query_forms() -> None:
    """No CRM view picks a raw value out of ``request.GET``: a form field parses each one."""
    views = Path(__file__).resolve().parents[2] / "crm" / "views"
    assert sorted(views.glob("*.py"))
    assert [read for path in sorted(views.glob("*.py")) for read in _raw_query_reads(path)] == []
