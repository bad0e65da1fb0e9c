"""Running in chunks: a worker killed mid-import loses nothing and duplicates nothing when
the import resumes; limits stop a file before anything is written; a stalled import is found."""

from __future__ import annotations

import pytest

from crm.models import Contact
from onboarding.imports import services
from onboarding.imports.models import ImportBatch, ImportChunk, ImportedRecord, ImportStatus
from tests.onboarding.imports.conftest import upload

ROWS = 9


def _file() -> bytes:
    lines = ["Name,Email"] + [f"Person {n},person{n}@x.example" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def one_chunk_after_the_other(settings) -> None:
    """These tests are about the chunks run one after the other (test_parallel: in jobs)."""
    settings.IMPORT_PARALLEL_CHUNKS = False


class WorkerKilledError(Exception):
    """Stands in for SIGKILL: the chunk's transaction never commits."""


def _started(admin) -> ImportBatch:
    batch = upload(admin, _file())
    services.import_start(batch=batch, by=admin)
    assert services.import_read(batch.pk)
    return batch


def test_a_worker_killed_mid_chunk_resumes_with_no_row_lost_or_duplicated(
    admin, settings, monkeypatch
) -> None:
    """Chunks of 4: the worker dies at row 6 (inside the second chunk). The first chunk stays
    done; the second is rolled back whole and imported once when a worker returns."""
    settings.IMPORT_CHUNK_ROWS = 4
    batch = _started(admin)
    original = services.row_apply
    calls = {"n": 0}

    def dies_at_row_6(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 6:
            raise WorkerKilledError
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "row_apply", dies_at_row_6)
    with pytest.raises(WorkerKilledError):
        services.import_run(batch.pk)
    assert Contact.objects.count() == 4
    assert ImportChunk.objects.filter(batch=batch, done_at__isnull=False).count() == 1

    monkeypatch.setattr(services, "row_apply", original)
    services.import_run(batch.pk)
    batch.refresh_from_db()
    assert Contact.objects.count() == ROWS
    assert sorted(Contact.objects.values_list("email", flat=True)) == sorted(
        f"person{n}@x.example" for n in range(ROWS)
    )
    assert (batch.status, batch.created_count, batch.rows_done) == (ImportStatus.DONE, ROWS, ROWS)
    assert ImportedRecord.objects.filter(batch=batch).count() == ROWS


def test_running_a_finished_import_again_changes_nothing(admin) -> None:
    """A duplicate task (redelivered after a crash) finds no chunk left to import."""
    batch = _started(admin)
    services.import_run(batch.pk)
    assert services.import_run_chunk(batch.pk) is False
    assert Contact.objects.count() == ROWS


def test_reading_again_after_a_crash_replaces_the_chunks(admin, settings) -> None:
    """A read interrupted and started over leaves one set of chunks, not two."""
    settings.IMPORT_CHUNK_ROWS = 4
    batch = upload(admin, _file())
    services.import_start(batch=batch, by=admin)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.READING)
    ImportChunk.objects.create(batch=batch, index=0, rows=[[2, ["stale", "row"]]])
    assert services.import_read(batch.pk)
    assert ImportChunk.objects.filter(batch=batch).count() == 3


def test_a_file_over_the_row_limit_fails_before_any_record_is_written(admin, settings) -> None:
    """Past IMPORT_MAX_ROWS the import stops while reading, with a message, and writes nothing."""
    settings.IMPORT_MAX_ROWS = 5
    batch = upload(admin, _file())
    services.import_start(batch=batch, by=admin)
    assert services.import_read(batch.pk) is False
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "more than 5 data rows" in batch.failure
    assert not Contact.objects.exists()


def test_the_run_job_imports_to_the_end_and_a_duplicate_run_changes_nothing(admin) -> None:
    """The job records its next step until the import is done; run again (a redelivered
    message) it finds nothing left to import."""
    from onboarding.imports.tasks import import_run_job

    batch = _started(admin)
    assert import_run_job(batch_id=batch.pk) is False
    assert import_run_job(batch_id=batch.pk) is False
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert Contact.objects.count() == ROWS


def test_an_import_whose_job_fails_for_good_is_marked_failed(admin, monkeypatch) -> None:
    """On the job's last attempt an error fails the import with a reason, so it is never
    left "running" with no worker on it."""
    from core.jobs import services as jobs
    from onboarding.imports.tasks import import_run_job

    batch = _started(admin)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "import_run", broken)
    monkeypatch.setattr(
        "onboarding.imports.tasks.current_job",
        lambda: jobs.JobContext(job_id=1, attempt=5, max_attempts=5),
    )
    with pytest.raises(RuntimeError):
        import_run_job(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "RuntimeError" in batch.failure


def test_a_finished_import_keeps_no_copy_of_the_file(admin) -> None:
    """The uploaded file is stored only until the import is done (errors keep their rows)."""
    from onboarding.imports.models import ImportFileBlock

    batch = _started(admin)
    assert ImportFileBlock.objects.filter(batch=batch).exists()
    services.import_run(batch.pk)
    assert not ImportFileBlock.objects.filter(batch=batch).exists()


def test_dropping_the_file_does_not_read_it_back(admin) -> None:
    """A finished import's file goes in one DELETE: the file is not loaded to delete it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    batch = _started(admin)
    with CaptureQueriesContext(connection) as queries:
        services.import_run(batch.pk)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and '"imports_importfileblock"."data"' in q["sql"]
    ]
    assert reads == []
