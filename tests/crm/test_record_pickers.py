"""Record pickers render only their selected record; Tom Select loads the others on demand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from crm.forms import ActivityForm, DealContactForm, DealForm
from crm.models import Contact
from tests.crm.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory


def options(html: str, name: str) -> list[tuple[str, bool]]:
    """The ``(value, selected)`` options of the select named ``name`` in ``html``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None
    found = re.findall(r'<option value="([^"]*)"( selected)?', select.group(0))
    return [(value, bool(selected)) for value, selected in found]


@contextmanager
def contacts_built() -> Iterator[list[Contact]]:
    """The Contact instances built meanwhile (every model instance sends ``post_init``)."""
    built: list[Contact] = []

    def record(sender: type, instance: Contact, **kwargs: object) -> None:
        built.append(instance)

    post_init.connect(record, sender=Contact)
    try:
        yield built
    finally:
        post_init.disconnect(record, sender=Contact)


def test_the_contact_picker_renders_only_the_selected_contact(crm, admin) -> None:
    """An activity's contact picker holds the empty choice and its contact, not the others."""
    ContactFactory.create_batch(5, owner=admin, last_name="Aaron")
    last = ContactFactory.create(owner=admin, last_name="Zygmunt")
    activity = ActivityFactory.create(owner=admin, contact=last)
    html = str(ActivityForm(instance=activity, user=admin)["contact"])
    assert options(html, "contact") == [("", False), (str(last.pk), True)]


def test_rendering_a_picker_builds_only_the_selected_record(crm, admin) -> None:
    """The chosen contact sorting last costs one instance, not one per contact before it."""
    ContactFactory.create_batch(20, owner=admin, last_name="Aaron")
    last = ContactFactory.create(owner=admin, last_name="Zygmunt")
    form = ActivityForm(initial={"contact": last.pk}, user=admin)
    with contacts_built() as built:
        str(form["contact"])
    assert [contact.pk for contact in built] == [last.pk]


def test_a_picker_reads_its_selected_record_in_one_query(crm, admin) -> None:
    """Rendering the company picker of a deal is one query by primary key."""
    deal = DealFactory.create(owner=admin, company=CompanyFactory.create(owner=admin))
    form = DealForm(instance=deal, user=admin)
    with CaptureQueriesContext(connection) as queries:
        str(form["company"])
    assert len(queries) == 1


def test_an_empty_picker_runs_no_query(crm, admin) -> None:
    """With nothing selected there is nothing to read: only the empty choice is rendered."""
    ContactFactory.create_batch(3, owner=admin)
    form = ActivityForm(user=admin)
    with CaptureQueriesContext(connection) as queries:
        html = str(form["contact"])
    assert (len(queries), options(html, "contact")) == (0, [("", False)])


def test_a_required_picker_without_a_selection_renders_its_empty_choice(crm, admin) -> None:
    """Adding a person to a deal starts from the empty choice; Tom Select offers the rest."""
    ContactFactory.create_batch(3, owner=admin)
    html = str(DealContactForm(user=admin)["contact"])
    assert options(html, "contact") == [("", False)]


def test_a_picker_never_renders_a_record_the_user_cannot_see(crm, rep, other_rep) -> None:
    """An id of another rep's contact in the query string renders no option with its name."""
    hidden = ContactFactory.create(owner=other_rep, last_name="Secretperson")
    html = str(ActivityForm(initial={"contact": hidden.pk}, user=rep)["contact"])
    assert (options(html, "contact"), "Secretperson" in html) == ([("", False)], False)


def test_a_submitted_id_that_is_no_number_renders_without_a_query(crm, admin) -> None:
    """A crafted value is refused by validation and renders the picker without reading."""
    form = ActivityForm(data={"contact": "1e999\x00"}, user=admin)
    form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        html = str(form["contact"])
    assert (len(queries), options(html, "contact")) == (0, [("", False)])


def test_validation_accepts_a_visible_record_the_picker_did_not_render(crm, admin) -> None:
    """Tom Select may pick any visible contact; the field checks it by key in one query."""
    ContactFactory.create_batch(3, owner=admin)
    chosen = ContactFactory.create(owner=admin, last_name="Zygmunt")
    field = ActivityForm(user=admin).fields["contact"]
    with CaptureQueriesContext(connection) as queries:
        cleaned = field.clean(str(chosen.pk))
    assert (cleaned, len(queries)) == (chosen, 1)


def test_validation_refuses_a_record_the_user_cannot_see(crm, rep, other_rep) -> None:
    """A rep cannot link an activity to another rep's contact by posting its id."""
    hidden = ContactFactory.create(owner=other_rep)
    form = ActivityForm(
        data={"kind": "call", "subject": "Call", "owner": rep.pk, "contact": hidden.pk}, user=rep
    )
    assert not form.is_valid()
    assert "contact" in form.errors
