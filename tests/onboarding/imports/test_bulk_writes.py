"""Bulk writes of an import: new companies held per chunk and inserted together before the
contacts naming them, every new row written with ``COPY`` (values read back exactly), the
"record created" workflow rules fired for records inserted in bulk, and the chunk's phone
lookup answered by its index."""

from __future__ import annotations

import datetime

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.jobs.models import Job, JobStatus
from core.jobs.services import job_run
from crm.automation.models import Rule, RuleRun, RunStatus
from crm.models import AuditEntry, Company, Contact, ContactCompany
from crm.services.copying import rows_copy
from onboarding.imports import rows
from onboarding.imports.models import ImportedRecord
from onboarding.imports.undo import import_undo, import_undo_start
from tests.onboarding.imports.conftest import import_file, run, upload


def _people(count: int, firms: int) -> bytes:
    lines = ["Name,Email,Company"]
    lines += [f"Person {n},p{n}@firm{n % firms}.example,Firm {n % firms}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _run_jobs(prefix: str) -> list[str]:
    done: list[str] = []
    for _round in range(5):
        due = Job.objects.filter(status=JobStatus.PENDING, handler__startswith=prefix)
        jobs = list(due.order_by("pk"))
        if not jobs:
            break
        done += [job_run(job_id=job.pk) for job in jobs]
    return done


# --- Companies ----------------------------------------------------------------------------------


def test_new_companies_are_inserted_together_not_one_by_one(admin) -> None:
    """30 contacts naming 10 new companies: no per-company INSERT statement."""
    batch = upload(admin, _people(30, 10))
    with CaptureQueriesContext(connection) as queries:
        run(batch)
    assert Company.objects.count() == 10
    assert not [q for q in queries if q["sql"].startswith('INSERT INTO "crm_company"')]


def test_companies_inserted_together_are_audited_searchable_and_linked(admin) -> None:
    batch = import_file(admin, _people(30, 10))
    firm = Company.objects.get(name="Firm 3")
    assert firm.owner == admin
    assert "firm" in firm.search_text
    assert AuditEntry.objects.filter(object_type="company", action="create").count() == 10
    assert ImportedRecord.objects.filter(batch=batch, object_type="company").count() == 10
    assert set(firm.contacts.values_list("full_name", flat=True)) == {
        "Person 3",
        "Person 13",
        "Person 23",
    }
    assert ContactCompany.objects.count() == 30
    assert not ContactCompany.objects.filter(created_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(object_type="contact").first()
    assert entry is not None
    assert entry.actor == admin
    assert entry.created_at is not None


def test_undo_removes_companies_inserted_together(admin) -> None:
    batch = import_file(admin, _people(12, 4))
    import_undo_start(batch=batch, by=admin)
    import_undo(batch.pk)
    assert not Company.objects.exists()
    assert not Contact.objects.exists()


def test_a_refused_row_leaves_no_company_behind_and_keeps_the_held_ones(admin) -> None:
    """Row 3 merges into an existing contact and names a new company, but its title is too
    long: its company is not created; the company row 2 named (held, and inserted inside
    row 3's refused savepoint) is inserted once, with its contact."""
    import_file(admin, b"Name,Email\nAnna Li,anna@x.example\n")
    title = "T" * 200
    data = (
        "Name,Email,Company,Job title\n"
        "Bob Wu,bob@acme.example,Acme,\n"
        f"Anna Li,anna@x.example,Newco,{title}\n"
        "Cy Ho,cy@acme.example,Acme,\n"
    )
    batch = import_file(admin, data.encode())
    assert batch.error_count == 1
    assert batch.row_errors.get().line == 3
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme"]
    acme = Company.objects.get()
    assert set(acme.contacts.values_list("full_name", flat=True)) == {"Bob Wu", "Cy Ho"}


def test_a_company_held_in_the_chunk_is_found_by_name_before_an_older_namesake(admin) -> None:
    """An existing company is preferred to one the chunk holds (the oldest wins)."""
    index = rows.CompanyIndex()
    held = Company(name="Acme")
    older = Company.objects.create(name="Acme", owner=admin)
    index.add(held)
    index.add(older)
    assert index.find(domain="", name="acme") == older


# --- COPY -----------------------------------------------------------------------------------------


def test_rows_copied_read_back_exactly(admin) -> None:
    """Tabs, line breaks, backslashes, quotes, arrays, JSON, dates and NULLs survive COPY."""
    name = 'Tab\there\nnew "line" \\ back\\slash 张伟'
    contact = Contact(
        full_name=name,
        last_name="O'Brien",
        extra_emails=['a"b@x.example', "c\\d@x.example", "e,f@x.example"],
        custom={"note": 'say "hi"\\\t', "n": 3, "list": ["x", None]},
        birthday=datetime.date(1985, 3, 7),
        email_opt_out=True,
        owner=admin,
    )
    rows_copy(Contact, [contact])
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.full_name == name
    assert stored.extra_emails == ['a"b@x.example', "c\\d@x.example", "e,f@x.example"]
    assert stored.custom == {"note": 'say "hi"\\\t', "n": 3, "list": ["x", None]}
    assert stored.birthday == datetime.date(1985, 3, 7)
    assert stored.email_opt_out is True
    assert stored.owner_id == admin.pk
    assert stored.created_at is not None
    assert stored.updated_at == contact.updated_at


def test_rows_copied_get_ids_from_the_table_sequence(admin) -> None:
    """The next ordinary insert does not collide with the copied rows' ids."""
    copied = rows_copy(Company, [Company(name=f"C{n}", owner=admin) for n in range(3)])
    later = Company.objects.create(name="Later", owner=admin)
    assert len({c.pk for c in copied} | {later.pk}) == 4
    assert later.pk > max(c.pk for c in copied)


def test_a_refused_copy_raises_the_usual_database_error(admin) -> None:
    """A value the column refuses fails the COPY with Django's error type, so the import's
    fallback (one by one, the failing row reported) catches it."""
    with pytest.raises(DataError), transaction.atomic():
        rows_copy(Company, [Company(name="N" * 300, owner=admin)])
    assert not Company.objects.exists()


# --- Workflow rules ----------------------------------------------------------------------------


def test_imported_contacts_and_companies_fire_record_created_rules(admin) -> None:
    contact_rule = Rule.objects.create(
        name="Tag new contacts",
        object_type="contact",
        trigger="created",
        actions=[{"kind": "add_tag", "tag": "imported"}],
        created_by=admin,
    )
    company_rule = Rule.objects.create(
        name="Tag new companies",
        object_type="company",
        trigger="created",
        actions=[{"kind": "add_tag", "tag": "new firm"}],
        created_by=admin,
    )
    import_file(admin, _people(6, 2))
    assert Job.objects.filter(handler="automation.events_process").count() == 2
    _run_jobs("automation.")
    assert RuleRun.objects.filter(rule=contact_rule, status=RunStatus.DONE).count() == 6
    assert RuleRun.objects.filter(rule=company_rule, status=RunStatus.DONE).count() == 2
    assert Contact.objects.filter(tags__name="imported").count() == 6
    assert Company.objects.filter(tags__name="new firm").count() == 2


def test_without_a_rule_an_import_records_no_rule_job(admin) -> None:
    import_file(admin, _people(6, 2))
    assert not Job.objects.filter(handler__startswith="automation.").exists()


# --- Phone lookup -------------------------------------------------------------------------------


def test_the_chunk_phone_lookup_hides_its_numbers_from_the_planner(admin) -> None:
    """The numbers go in a sub-select, so the plan does not depend on how many there are."""
    import_file(admin, b"Name,Mobile\nAnna Li,+1 415 555 0100\n")
    batch = upload(admin, b"Name,Mobile\nAnna Li,+1 (415) 555-0100\n")
    with CaptureQueriesContext(connection) as queries:
        batch = run(batch)
    lookups = [q["sql"] for q in queries if "string_to_array" in q["sql"]]
    assert lookups
    assert all("(SELECT ARRAY[" in sql for sql in lookups)
    assert Contact.objects.count() == 1
    assert batch.duplicate_count == 1
