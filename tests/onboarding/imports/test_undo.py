"""Undo: created records are removed, updated ones get their earlier values back, links
made by the import are undone; records changed since the import are kept, with the reason."""

from __future__ import annotations

from crm import services as crm
from crm.models import Company, Contact, ContactCompany
from onboarding.imports.models import ImportStatus
from onboarding.imports.undo import import_undo, import_undo_start
from tests.onboarding.imports.conftest import import_file


def _undo(batch):
    import_undo_start(batch=batch, by=batch.created_by)
    import_undo(batch.pk)
    batch.refresh_from_db()
    return batch


def test_undo_removes_exactly_what_the_import_created(admin) -> None:
    """Two contacts and their company go; the contact that existed before stays."""
    crm.contact_create(by=admin, fields={"last_name": "Before"})
    batch = import_file(admin, b"Name,Company\nMary Smith,Acme\nJohn Doe,Acme\n")
    batch = _undo(batch)
    assert batch.status == ImportStatus.UNDONE
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Before"]
    assert not Company.objects.exists()
    assert batch.undo_summary["removed"] == 3


def test_undo_restores_the_values_an_import_overwrote(admin) -> None:
    """A contact merged with overwrite gets its city and title back."""
    contact = crm.contact_create(
        by=admin, fields={"last_name": "Smith", "email": "m@x.example", "city": "Paris"}
    )
    batch = import_file(
        admin, b"Last Name,Email,City,Job Title\nSmith,m@x.example,Lyon,CEO\n", dedupe="overwrite"
    )
    _undo(batch)
    contact.refresh_from_db()
    assert (contact.city, contact.title) == ("Paris", "")


def test_undo_removes_a_link_the_import_made_between_existing_records(admin) -> None:
    """An existing contact linked to an existing company by the import is unlinked again."""
    crm.company_create(by=admin, fields={"name": "Acme"})
    crm.contact_create(by=admin, fields={"last_name": "Smith", "email": "m@x.example"})
    batch = import_file(admin, b"Last Name,Email,Company\nSmith,m@x.example,Acme\n")
    assert ContactCompany.objects.count() == 1
    _undo(batch)
    assert not ContactCompany.objects.exists()
    assert (Contact.objects.count(), Company.objects.count()) == (1, 1)


def test_undo_keeps_a_record_changed_after_the_import_and_says_why(admin) -> None:
    """Someone edited Mary after the import: she stays, listed as kept."""
    batch = import_file(admin, b"Name\nMary Smith\nJohn Doe\n")
    mary = Contact.objects.get(last_name="Smith")
    crm.contact_update(contact=mary, by=admin, fields={"city": "Oslo"})
    batch = _undo(batch)
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Smith"]
    assert batch.undo_summary["kept_count"] == 1
    assert batch.undo_summary["kept"][0]["reason"] == "changed after the import"


def test_undo_keeps_a_company_others_were_linked_to_since(admin) -> None:
    """A company the import created, which a teammate has since linked someone to, stays."""
    batch = import_file(admin, b"Name,Company\nMary Smith,Acme\n")
    other = crm.contact_create(by=admin, fields={"last_name": "Later"})
    crm.contact_company_link(
        contact=other, company=Company.objects.get(), role="employee", by=admin
    )
    batch = _undo(batch)
    assert Company.objects.filter(name="Acme").exists()
    assert not Contact.objects.filter(last_name="Smith").exists()


def test_an_undone_import_can_be_imported_again(admin) -> None:
    """Undo forgets the source ids it made, so the same export creates the records again."""
    data = b"Record ID,First Name,Last Name,Email\n501,Mary,Smith,mary@x.example\n"
    _undo(import_file(admin, data))
    batch = import_file(admin, data)
    assert (batch.created_count, Contact.objects.count()) == (1, 1)
