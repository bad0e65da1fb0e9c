"""Parallel chunks of a contact import: rows that may be one person share a chunk, companies
are created once up front, chunks run at the same time against real PostgreSQL without
duplicating anyone, a chunk killed mid-way runs again to the same end, the import ends
exactly once, and undo still removes what it made."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from crm.models import AuditEntry, Company, Contact, ContactCompany, Tag
from crm.notifications.models import Notification
from onboarding.imports import services
from onboarding.imports.models import ImportBatch, ImportChunk, ImportStatus
from onboarding.imports.undo import import_undo, import_undo_start
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.conftest import after_commit
from tests.factories import UserFactory
from tests.onboarding.imports.conftest import import_file, upload

#: Rows 1 and 4 share an e-mail, rows 2 and 5 a phone (written differently), row 6 has
#: only a name, the name row 3 made; with two rows a chunk, each pair spans two chunks.
SPREAD = (
    "Name,Email,Phone,Company,Tags\n"
    "Ann Lee,ann@acme.example,,Acme,vip\n"
    "Bo Chen,,+44 20 7946 0958,Beta Ltd,\n"
    "Cy Ho,cy@acme.example,,Acme,vip\n"
    "Ann Lee,ANN@acme.example,,Acme,new\n"
    "Bo Chen,,+442079460958,Beta Ltd,\n"
    "Cy Ho,,,,\n"
    "Di Wu,di@gamma.example,,Gamma,\n"
    "Ed Ng,ed@gamma.example,,Gamma,\n"
)


@pytest.fixture(autouse=True)
def small_chunks(settings) -> None:
    settings.IMPORT_CHUNK_ROWS = 2
    settings.IMPORT_PARALLEL_CHUNKS = True


def _started(admin: User, data: str) -> ImportBatch:
    batch = upload(admin, data.encode())
    services.import_start(batch=batch, by=admin)
    assert services.import_read(batch.pk)
    batch.refresh_from_db()
    return batch


def test_rows_that_may_be_one_person_move_into_the_chunk_of_the_first(admin) -> None:
    """Each duplicate joins its first row's chunk, in file order; the others stay put."""
    batch = _started(admin, SPREAD)
    assert batch.parallel
    chunks = {c.index: [row[0] for row in c.rows] for c in ImportChunk.objects.filter(batch=batch)}
    assert chunks == {0: [2, 3, 5, 6], 1: [4, 7], 2: [], 3: [8, 9]}


def test_duplicates_spread_over_chunks_still_merge_into_one_record(admin) -> None:
    """By e-mail, by phone and by name alone: three people, one record each; companies are
    created once, whichever chunk names them."""
    batch = import_file(admin, SPREAD.encode())
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.duplicate_count, batch.error_count) == (5, 3, 0)
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == [
        "Chen",
        "Ho",
        "Lee",
        "Ng",
        "Wu",
    ]
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Acme", "Beta Ltd", "Gamma"]
    ann = Contact.objects.get(last_name="Lee")
    assert sorted(ann.tags.values_list("name", flat=True)) == ["new", "vip"]
    assert Tag.objects.filter(name__iexact="vip").count() == 1


def test_rows_keep_their_line_numbers_when_others_move(admin) -> None:
    """Line 10 joins Ann's chunk; the bad row after it is still reported on line 11."""
    data = SPREAD + "Ann Lee,ann@acme.example,,Acme,\nFay,not-an-email,,,\n"
    batch = import_file(admin, data.encode())
    assert list(batch.row_errors.values_list("line", "column")) == [(11, "Email")]
    assert (batch.created_count, batch.duplicate_count) == (5, 4)


def test_a_chunk_killed_mid_way_runs_again_to_the_same_end(admin, monkeypatch) -> None:
    """The first run of chunk 0 dies after writing its rows (SIGKILL: nothing commits);
    run again, the end is the same as an import never interrupted."""
    batch = _started(admin, SPREAD)
    real = services._run_chunk

    def killed(batch: ImportBatch, chunk: ImportChunk) -> None:
        real(batch, chunk)
        raise RuntimeError("SIGKILL")

    monkeypatch.setattr(services, "_run_chunk", killed)
    with pytest.raises(RuntimeError):
        services.import_chunk_run(batch.pk, 0)
    monkeypatch.setattr(services, "_run_chunk", real)
    assert not Contact.objects.exists()
    for index in (3, 0, 2, 1, 0):  # any order, one of them twice
        services.import_chunk_run(batch.pk, index)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.duplicate_count, batch.rows_done) == (5, 3, 8)
    assert Contact.objects.count() == 5
    assert Company.objects.count() == 3


def test_the_import_ends_exactly_once(admin) -> None:
    """Only the chunk that completes the set ends the import; asking again does nothing."""
    batch = _started(admin, SPREAD)
    for index in range(3):
        services.import_chunk_run(batch.pk, index)
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.RUNNING
    services.import_chunk_run(batch.pk, 3)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.DONE
    assert services.import_finish_if_complete(batch.pk) is False
    services.import_chunk_run(batch.pk, 3)
    assert Notification.objects.filter(recipient=admin).count() == 1


def test_the_jobs_run_the_chunks_and_end_the_import(admin) -> None:
    """Through core/jobs (eager in tests): the read records one job per chunk, not a run job."""
    from core.jobs.models import Job

    batch = upload(admin, SPREAD.encode())
    with after_commit():
        services.import_start(batch=batch, by=admin)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert Contact.objects.count() == 5
    handlers = Job.objects.filter(handler__startswith="imports.").values_list("handler", flat=True)
    assert sorted(set(handlers)) == ["imports.chunk", "imports.read"]
    assert list(handlers).count("imports.chunk") == 4


def test_undo_removes_what_a_parallel_import_made(admin) -> None:
    batch = import_file(admin, SPREAD.encode())
    import_undo_start(batch=batch, by=admin)
    import_undo(batch.pk)
    assert not Contact.objects.exists()
    assert not Company.objects.exists()


def test_a_company_only_refused_rows_name_is_not_left_behind(admin) -> None:
    data = "Name,Email,Company\nAnn Lee,ann@x.example,Acme\nBo Chen,bad@,Orphan Inc\n"
    batch = import_file(admin, data.encode())
    assert batch.error_count == 1
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme"]


# --- Real concurrency -----------------------------------------------------------------------


def test_two_chunks_at_the_same_time_create_no_duplicates(committed: None, monkeypatch) -> None:
    """Two threads, two connections, real PostgreSQL: the four chunks of a file whose
    duplicates span them run two at a time; everyone exists once, every company once, and
    the import ends once."""
    from django.conf import settings

    monkeypatch.setattr(settings, "IMPORT_CHUNK_ROWS", 2)
    monkeypatch.setattr(settings, "IMPORT_PARALLEL_CHUNKS", True)
    recorded: list[Any] = []
    monkeypatch.setattr(
        "core.jobs.services.job_enqueue", lambda *args, **kwargs: recorded.append(kwargs)
    )
    schema = Tenant.objects.get(slug="alpha").schema_name
    names = ["Lee", "Chen", "Ho", "Wu", "Ng"]
    with schema_context(schema):
        admin = UserFactory.create(role=Role.ADMIN, email="parallel-import@alpha.example")
        batch = _started(admin, SPREAD.replace("acme.example", "par-acme.example"))
    assert len(recorded) == 5  # the read job, then one per chunk
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(indexes: list[int]) -> None:
        try:
            with schema_context(schema):
                barrier.wait(timeout=10)
                for index in indexes:
                    services.import_chunk_run(batch.pk, index)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(part,)) for part in ([0, 2], [1, 3])]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        with schema_context(schema):
            batch.refresh_from_db()
            assert batch.status == ImportStatus.DONE
            assert (batch.created_count, batch.duplicate_count) == (5, 3)
            assert Contact.objects.filter(last_name__in=names).count() == 5
            for company in ("Acme", "Beta Ltd", "Gamma"):
                assert Company.objects.filter(name=company).count() == 1
            assert Notification.objects.filter(recipient=admin).count() == 1
    finally:
        with schema_context(schema):
            ContactCompany.objects.filter(contact__last_name__in=names).delete()
            Contact.objects.filter(last_name__in=names).delete()
            Company.objects.filter(name__in=["Acme", "Beta Ltd", "Gamma"]).delete()
            Tag.objects.filter(name__in=["vip", "new"]).delete()
            AuditEntry.objects.filter(actor=admin).delete()
            ImportBatch.objects.filter(pk=batch.pk).delete()
            Notification.objects.filter(recipient=admin).delete()
            admin.delete()


def test_companies_created_in_batches_are_found_by_later_batches(admin, monkeypatch) -> None:
    """With one distinct company per batch, Acme (rows 1, 3, 4) is created by the first
    batch and found by the later ones: one Acme, linked to both its people."""
    monkeypatch.setattr("onboarding.imports.planning.COMPANY_BATCH", 1)
    batch = import_file(admin, SPREAD.encode())
    assert batch.status == ImportStatus.DONE
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Acme", "Beta Ltd", "Gamma"]
    acme = Company.objects.get(name="Acme")
    people = ContactCompany.objects.filter(company=acme).values_list(
        "contact__last_name", flat=True
    )
    assert sorted(people) == ["Ho", "Lee"]


# --- The grouping keys ------------------------------------------------------------------------


def test_a_phone_is_keyed_by_its_last_seven_digits_however_written() -> None:
    from onboarding.imports.grouping import row_keys
    from onboarding.imports.rows import ParsedRow

    plain = row_keys(
        ParsedRow(fields={"last_name": "Wu", "phone": "+86 138 0013 8000"}), region="CN"
    )
    extension = row_keys(
        ParsedRow(fields={"last_name": "Wu", "mobile": "138-0013-8000 ext. 12"}), region="CN"
    )
    assert "p:0138000" in plain.keys
    assert "p:0138000" in extension.keys
    assert not plain.name  # a row with a phone is not looked up by name


def test_a_name_only_row_joins_the_row_whose_contact_it_would_find_by_name() -> None:
    """陳大文 is found as "chendawen" (its pinyin, an exact search key): a row called that
    with nothing else joins it; a different name does not."""
    from onboarding.imports.grouping import Groups, row_keys
    from onboarding.imports.rows import ParsedRow

    rows = [
        row_keys(
            ParsedRow(fields={"first_name": "大文", "last_name": "陳", "email": "d@x.example"}),
            region="HK",
        ),
        row_keys(ParsedRow(fields={"last_name": "Other", "email": "o@x.example"}), region="HK"),
        row_keys(ParsedRow(fields={"last_name": "chendawen"}), region="HK"),
        row_keys(ParsedRow(fields={"last_name": "Nobody"}), region="HK"),
    ]
    groups = Groups()
    for row in rows:
        groups.add(row)
    for position, row in enumerate(rows):
        groups.join_names(position, row)
    assert groups.moves(chunk_rows=1) == {2: 0}


def test_a_file_with_only_its_header_ends_at_once(admin) -> None:
    batch = import_file(admin, b"Name,Email\n")
    assert batch.parallel
    assert batch.status == ImportStatus.DONE
    assert batch.rows_total == 0
