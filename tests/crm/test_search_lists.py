"""The search boxes of the contact, company, lead and deal lists find records as global
search does, in the list's own order; close spellings only when nothing matches as typed."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from crm import services
from crm.models import Company, Contact, Deal, Lead
from tests.crm.test_search_global import FOUND

pytestmark = pytest.mark.django_db

LIST_URL = {Contact: "/contacts/", Company: "/companies/", Lead: "/leads/", Deal: "/deals/list/"}


def list_of(people, searcher, typed: str, handle: str) -> str:
    record = people[handle]
    return searcher.get(LIST_URL[type(record)], {"q": typed}).content.decode()


@pytest.mark.parametrize(("typed", "handle"), FOUND)
def test_list_search_finds_the_record(people, searcher, typed, handle) -> None:
    """Typing ``typed`` into the search box of the record's list shows the record."""
    assert people[handle].get_absolute_url() in list_of(people, searcher, typed, handle)


@pytest.mark.parametrize(
    ("typed", "handle"),
    [
        ("Schmidt", "tom"),
        ("bakerbakeries", "liwei"),
        ("+86 138 0013 8001", "liwei"),
        ("陈小文", "chen"),
        ("Sxhmixt", "anna"),
        ("zw", "liwei"),
    ],
)
def test_list_search_leaves_out_records_that_do_not_match(people, searcher, typed, handle) -> None:
    """A record found by none of its names, addresses or numbers is not listed."""
    assert people[handle].get_absolute_url() not in list_of(people, searcher, typed, handle)


def test_list_search_lists_no_close_spelling_beside_an_exact_match(alpha, people, searcher) -> None:
    """ "Schmidtt" finds Anna Schmidt only while nobody is called Schmidtt."""
    with schema_context(alpha.schema):
        schmidtt = services.contact_create(
            by=people.admin, fields={"first_name": "Ole", "last_name": "Schmidtt"}
        )
    content = searcher.get("/contacts/", {"q": "Schmidtt"}).content.decode()
    assert schmidtt.get_absolute_url() in content
    assert people["anna"].get_absolute_url() not in content


def test_list_search_keeps_the_chosen_sort(people, searcher) -> None:
    """Searching "wei" lists both Wei in name order, reversed when sorted descending."""
    urls = [people["zhangwei"].get_absolute_url(), people["liwei"].get_absolute_url()]

    def order(sort: str) -> list[str]:
        content = searcher.get("/contacts/", {"q": "wei", "sort": sort}).content.decode()
        return sorted(urls, key=content.index)

    assert order("-name") == list(reversed(order("name")))
