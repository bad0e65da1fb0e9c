"""A chunk's new contacts are validated row by row and inserted together: the same records,
audit entries and error lines as one at a time, in a bounded number of queries."""

from __future__ import annotations

from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from crm import services as crm
from crm.models import AuditEntry, Company, Contact, ContactCompany
from onboarding.imports import rows
from onboarding.imports.models import ImportedRecord
from tests.onboarding.imports.conftest import import_file, run, upload

ROWS = 200


def _people(count: int) -> bytes:
    lines = ["Name,Email,Mobile,Company"]
    lines += [
        f"Person {n},p{n}@firm{n % 10}.example,+1 415 555 {n:04d},Firm {n % 10}"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_new_contacts_cost_a_bounded_number_of_queries(admin) -> None:
    """200 new contacts at 10 companies: far fewer queries than rows (identity is read per
    chunk, the contacts inserted together, each company created once)."""
    batch = upload(admin, _people(ROWS))
    with CaptureQueriesContext(connection) as queries:
        run(batch)
    assert Contact.objects.count() == ROWS
    assert len(queries) < ROWS


def test_contacts_inserted_together_are_audited_and_linked_like_single_ones(admin) -> None:
    batch = import_file(admin, _people(20))
    assert AuditEntry.objects.filter(object_type="contact", action="create").count() == 20
    assert ContactCompany.objects.count() == 20
    assert Company.objects.count() == 10
    assert ImportedRecord.objects.filter(batch=batch, object_type="contact").count() == 20


def test_a_later_row_merges_into_a_contact_still_waiting_for_insert(admin) -> None:
    """The second row is the first one's person (same e-mail) and brings a phone."""
    data = "Name,Email,Mobile\nAnna Li,anna@x.example,\nAnna Li,ANNA@x.example,+1 415 555 0100\n"
    batch = import_file(admin, data.encode())
    contact = Contact.objects.get()
    assert contact.mobile == "+14155550100"
    assert (batch.created_count, batch.updated_count, batch.duplicate_count) == (1, 1, 1)


def test_a_later_row_finds_a_waiting_contact_by_phone(admin) -> None:
    data = "Name,Mobile\nBo Chen,+1 415 555 0101\nBo Chen,(415) 555-0101\n"
    import_file(admin, data.encode())
    assert Contact.objects.count() == 1


def test_a_refused_bulk_insert_falls_back_to_one_by_one(admin, monkeypatch) -> None:
    """If the insert of the chunk's contacts fails, each is inserted on its own and only a
    failing one is reported, on its own line."""

    def refuse(**kwargs):
        raise IntegrityError("simulated")

    original = crm.contact_create
    calls = {"n": 0}

    def fails_on_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise IntegrityError("row refused")
        return original(**kwargs)

    monkeypatch.setattr(rows.crm, "contacts_insert", refuse)
    monkeypatch.setattr(rows.crm, "contact_create", fails_on_second)
    data = "Name,Email\nA One,a1@x.example\nB Two,b2@x.example\nC Three,c3@x.example\n"
    batch = import_file(admin, data.encode())
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "a1@x.example",
        "c3@x.example",
    ]
    assert batch.created_count == 2
    assert list(batch.row_errors.values_list("line", flat=True)) == [3]
