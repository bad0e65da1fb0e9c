"""Importing contacts with companies through the real import path: rows/s and peak memory.

Builds CSV files of N contacts (a company column naming about N/20 companies, ≈5 % of rows
repeating an earlier contact's address, ≈1 % bad rows: broken addresses, impossible dates),
encoded in GB18030 for the smaller run and UTF-8 with a byte-order mark for the larger one,
and imports each into its own workspace of a throwaway database through the real path:
upload (stored in blocks), ``import_start`` records the read job, and a real Celery worker
for the bulk queue (``--workers`` processes, 2 like ``worker-bulk`` in compose.yaml) runs the
jobs from Redis: the read (rows grouped by identity, companies created), then the chunk jobs,
in parallel, each through the CRM's services (validation, search columns, audit) with
identity resolution. Prints seconds, rows/s and the worker processes' CPU seconds and peak
resident memory after each run (memory stays flat when the file is streamed), and, as a
baseline from the same run, the load average and the time of 200 ``SELECT 1`` round trips.
``--in-process`` runs the steps in this process one after the other instead (as before
parallel chunks; ``--profile`` implies it).

    .venv/bin/python bench/imports.py [--sizes 10000 100000] [--workers 2] [--in-process]
        [--profile] [--redis-db 13]

Ends with ``BENCH imports rows=<N> seconds=<s> rows_per_s=<r> peak_rss_mb=<m> …``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import configure, drop_database

DATABASE = "rapport_bench_imports"
PROFILE = False
IN_PROCESS = False
#: The bulk worker's processes (the Celery main process and its pool), while it runs.
WORKER: list[psutil.Process] = []
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂文华辉建国红玉春志小大德成海宏东晓䶮"
FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Mary", "John"]
LAST = ["Schmidt", "Novak", "Rossi", "Dubois", "Jensen", "Kowalski", "Silva", "Murphy", "Smith"]


def build_file(rows: int, *, encoding: str, seed: int = 7) -> bytes:
    """A contact export: name, e-mail, mobile, company, city, birthday."""
    rng = random.Random(seed)  # noqa: S311 -- test data, not secrets
    companies = max(1, rows // 20)
    lines = ["姓名,邮箱,手机,公司,城市,生日"]
    emails: list[str] = []
    for n in range(rows):
        roll = rng.random()
        company = rng.randrange(companies)
        if roll < 0.05 and emails:
            email = rng.choice(emails)  # a duplicate of an earlier row
            name = "重复"
        elif n % 2:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            email = f"user{n}@company{company}.cn"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            email = f"user{n}@company{company}.example"
        emails.append(email)
        birthday = f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if 0.05 <= roll < 0.055:
            email = f"user{n}(at)broken"  # bad row: address
        elif 0.055 <= roll < 0.06:
            birthday = "2023-02-30"  # bad row: no such day
        mobile = f"+86 139 {n // 10000:04d} {n % 10000:04d}"
        lines.append(f"{name},{email},{mobile},公司{company},上海,{birthday}")
    text = "\n".join(lines) + "\n"
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""
    return prefix + text.encode("utf-8" if encoding == "utf-8-sig" else encoding)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def baseline() -> str:
    """The machine's state now: load average and 200 trivial queries' round trips."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(200):
            cursor.execute("SELECT 1")
        elapsed = time.perf_counter() - started
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"load average {load}; 200 x SELECT 1 in {elapsed * 1000:.0f} ms"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_processes() -> list[psutil.Process]:
    if not WORKER:
        return []
    try:
        return [WORKER[0], *WORKER[0].children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def worker_cpu_seconds() -> float:
    """CPU seconds of the bulk worker's processes so far (pool processes included)."""
    total = 0.0
    for process in _worker_processes():
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def worker_peaks_rss_mb() -> list[float]:
    """The peak resident memory (VmHWM) of each of the worker's pool processes."""
    peaks = []
    for process in _worker_processes()[1:] or _worker_processes():
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def worker_peak_rss_mb() -> float:
    """The largest peak resident memory (VmHWM) among the worker's pool processes."""
    return max(worker_peaks_rss_mb(), default=0.0)


@contextmanager
def bulk_worker(processes: int) -> Iterator[None]:
    """A real Celery worker consuming the bench's bulk queue with ``processes`` processes."""
    from django.conf import settings

    queue = settings.JOB_QUEUES["bulk"]
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning"]
    command += ["-Q", queue, "--concurrency", str(processes), "--pool", "prefork", "--purge"]
    env = {**os.environ, "JOB_BULK_CONCURRENCY": str(processes)}
    worker = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)  # noqa: S603
    WORKER[:] = [psutil.Process(worker.pid)]
    try:
        deadline = time.monotonic() + 60
        while len(_worker_processes()) < processes + 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # connected to the broker
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        WORKER.clear()


def job_seconds(dedupe_key: str) -> float:
    """How long the job with this key ran (its last attempt)."""
    from core.jobs.models import Job

    job = Job.objects.filter(dedupe_key=dedupe_key).order_by("-id").first()
    if job is None or job.started_at is None or job.finished_at is None:
        return 0.0
    return (job.finished_at - job.started_at).total_seconds()


def chunk_jobs(batch_id: int) -> tuple[int, int, float]:
    """The import's chunk jobs: how many ran again after a failed attempt, the most that ran
    at the same time, and the seconds at least two ran side by side."""
    from core.jobs.models import Job

    jobs = Job.objects.filter(handler="imports.chunk", kwargs__batch_id=batch_id)
    retried = jobs.filter(attempts__gt=1).count()
    edges: list[tuple[float, int]] = []
    for started, finished in jobs.values_list("started_at", "finished_at"):
        if started is not None and finished is not None:
            edges += [(started.timestamp(), 1), (finished.timestamp(), -1)]
    running = most = 0
    overlap = 0.0
    last = 0.0
    for moment, change in sorted(edges):
        if running >= 2:
            overlap += moment - last
        running += change
        most = max(most, running)
        last = moment
    return retried, most, overlap


def wait_done(batch_id: int, timeout: float) -> None:
    """Wait until the import has ended (done or failed), reading its row."""
    from onboarding.imports.models import ImportBatch, ImportStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).get()
        if status in (ImportStatus.DONE, ImportStatus.FAILED):
            return
        time.sleep(0.2)
    raise TimeoutError(f"import {batch_id} not finished after {timeout:.0f} s")


def run(rows: int, *, encoding: str, index: int) -> dict[str, float]:
    from django_tenants.utils import schema_context

    import core.tasks
    from crm.models import Company, Contact
    from onboarding.imports import services
    from tenants.services import tenant_create
    from tenants.users.models import Role, User

    data = build_file(rows, encoding=encoding, seed=index)
    tenant = tenant_create(name=f"Bench Imports {index}", slug=f"bench-imports-{index}")
    with schema_context(tenant.schema_name):
        admin = User.objects.create_user(email=f"admin{index}@bench.example", role=Role.ADMIN)
        print(f"before {rows} rows: {baseline()}")
        started = time.perf_counter()
        cpu_started = cpu_seconds() + worker_cpu_seconds()
        batch = services.import_upload(
            by=admin, stream=io.BytesIO(data), file_name="contacts.csv", size=len(data)
        )
        if IN_PROCESS:
            core.tasks.enqueue_on_commit = lambda *a, **k: None  # this process does the work
            services.import_start(batch=batch, by=admin)
            read_started = time.perf_counter()
            if PROFILE:
                import cProfile
                import pstats

                reader = cProfile.Profile()
                assert reader.runcall(services.import_read, batch.pk)
                pstats.Stats(reader).sort_stats("cumulative").print_stats(30)
            else:
                assert services.import_read(batch.pk)
            read_seconds = time.perf_counter() - read_started
            if PROFILE:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(services.import_run, batch.pk)
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(40)
            else:
                services.import_run(batch.pk)
        else:  # the worker's jobs, dispatched from Redis after import_start commits
            services.import_start(batch=batch, by=admin)
            wait_done(batch.pk, timeout=max(600.0, rows / 50))
            batch.refresh_from_db()
            read_seconds = job_seconds(f"imports.read:{batch.pk}")
            retried, most, overlap = chunk_jobs(batch.pk)
            print(
                f"chunk jobs: at most {most} at the same time, {overlap:.1f} s with two or more "
                f"running; {retried} retried after a failed attempt"
            )
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() + worker_cpu_seconds() - cpu_started
        batch.refresh_from_db()
        result = {
            "rows": rows,
            "seconds": seconds,
            "read_seconds": read_seconds,
            "rows_per_s": rows / seconds,
            "cpu_s": cpu,
            "created": batch.created_count,
            "duplicates": batch.duplicate_count,
            "errors": batch.error_count,
            "contacts": Contact.objects.count(),
            "companies": Company.objects.count(),
            "peak_rss_mb": worker_peak_rss_mb() if not IN_PROCESS else peak_rss_mb(),
            "chunks": batch.chunks_total,
            "status": str(batch.status),
        }
    print(
        f"{rows} rows ({encoding}, {len(data) / 1e6:.1f} MB): {seconds:.1f} s "
        f"({cpu:.1f} s CPU in this process and the worker's), "
        f"{result['rows_per_s']:.0f} rows/s (file read into chunks in {read_seconds:.1f} s); "
        f"created {result['created']}, merged duplicates {result['duplicates']}, "
        f"errors {result['errors']}; {result['contacts']} contacts, "
        f"{result['companies']} companies; peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(each worker process: {', '.join(f'{mb:.0f}' for mb in worker_peaks_rss_mb())}); "
        f"after: {baseline()}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number")
    parser.add_argument("--workers", type=int, default=2, help="bulk worker processes")
    parser.add_argument("--in-process", action="store_true", help="no worker: run the steps here")
    args = parser.parse_args()
    global PROFILE, IN_PROCESS
    PROFILE = args.profile
    IN_PROCESS = args.in_process or args.profile
    configure(DATABASE, redis_db=args.redis_db)
    from django.core.management import call_command

    from tenants.services import public_tenant_ensure, template_ensure

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        baseline = peak_rss_mb()
        print(f"peak RSS before importing: {baseline:.0f} MB")
        results = []
        with contextlib.nullcontext() if IN_PROCESS else bulk_worker(args.workers):
            for index, rows in enumerate(args.sizes):
                encoding = "gb18030" if index == 0 else "utf-8-sig"
                results.append(run(rows, encoding=encoding, index=index))
        last = results[-1]
        first = results[0]
        print(
            f"BENCH imports rows={last['rows']} seconds={last['seconds']:.1f} "
            f"rows_per_s={last['rows_per_s']:.0f} cpu_s={last['cpu_s']:.1f} "
            f"peak_rss_mb={last['peak_rss_mb']:.0f} small_seconds={first['seconds']:.1f} "
            f"small_rows={first['rows']} small_rows_per_s={first['rows_per_s']:.0f} "
            f"small_cpu_s={first['cpu_s']:.1f} small_peak_rss_mb={first['peak_rss_mb']:.0f} "
            f"load1={os.getloadavg()[0]:.2f} "
            f"workers={0 if IN_PROCESS else args.workers} chunks={last['chunks']}"
        )
    finally:
        if not args.keep:
            drop_database(DATABASE)


if __name__ == "__main__":
    main()
