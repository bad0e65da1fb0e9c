"""Global search ranks what people most likely meant first: the exact name, then names
starting with what was typed, then names containing it, then names one letter off."""

from __future__ import annotations

import pytest

from crm import services
from crm.selectors.search import global_search


def contacts_found(user, text: str) -> list[str]:
    groups = {group.key: group for group in global_search(user=user, text=text)}
    return [str(contact) for contact in groups["contacts"].results] if "contacts" in groups else []


@pytest.fixture
def schmidts(crm, admin):
    """Contacts whose names hold "Schmidt" in every way a name can, plus a close spelling."""
    for first, last in [
        ("Ole", "Goldschmidt"),
        ("", "Schmitt"),
        ("Jan", "Schmidtke"),
        ("Anna", "Schmidt"),
        ("", "Schmidt"),
    ]:
        services.contact_create(by=admin, fields={"first_name": first, "last_name": last})
    return admin


def test_exact_prefix_contains_then_typo(schmidts) -> None:
    """ "schmidt": Schmidt, Anna Schmidt (a whole word), Jan Schmidtke (a word start),
    Ole Goldschmidt (inside a word), then Schmitt (one letter off)."""
    assert contacts_found(schmidts, "schmidt") == [
        "Schmidt",
        "Anna Schmidt",
        "Jan Schmidtke",
        "Ole Goldschmidt",
        "Schmitt",
    ]


def test_a_typo_match_ranks_below_the_exact_name(schmidts) -> None:
    """ "Schmitt" is someone's name: that person first, the Schmidts one letter off after."""
    found = contacts_found(schmidts, "Schmitt")
    assert found[0] == "Schmitt"
    assert set(found[1:]) == {"Schmidt", "Anna Schmidt"}


def test_exact_initials_rank_above_longer_initials(crm, admin) -> None:
    """ "zw" is 张伟 exactly; 张伟明 (zwm) only starts with it."""
    for name in ["张伟明", "张伟"]:
        services.contact_create(by=admin, fields={"last_name": name})
    assert contacts_found(admin, "zw") == ["张伟", "张伟明"]


def test_exact_email_ranks_above_addresses_containing_it(crm, admin) -> None:
    """The contact with that very address comes before one whose address contains it."""
    services.contact_create(
        by=admin, fields={"last_name": "Longer", "email": "xtom@bakerbakeries.example.com"}
    )
    services.contact_create(
        by=admin, fields={"last_name": "Exact", "email": "tom@bakerbakeries.example.com"}
    )
    assert contacts_found(admin, "tom@bakerbakeries.example.com") == ["Exact", "Longer"]


def test_the_same_number_ranks_above_numbers_containing_its_digits(crm, admin) -> None:
    """+86 138 0013 8000 is Wang's number; Li's extension only contains its last digits."""
    services.contact_create(by=admin, fields={"last_name": "Li", "phone": "+86 138 0013 8000 12"})
    services.contact_create(by=admin, fields={"last_name": "Wang", "phone": "13800138000"})
    assert contacts_found(admin, "+86 138 0013 8000") == ["Wang", "Li"]
