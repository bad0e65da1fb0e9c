"""A 20,000-recipient e-mail campaign: its sending rate, and what it does to another workspace.

Run: ``make bench BENCH=campaigns`` or ``.venv/bin/python bench/campaigns.py [--recipients N]``

Workspace A gets ``--recipients`` contacts with e-mail addresses (``COPY``), a dynamic segment
of all of them and a campaign to that segment, sent the way the "Send" button sends it
(``campaign_send``: a ``marketing.campaign_start`` bulk job, then the workspace's chain of
``marketing.campaign_send`` bulk jobs). The work is done by **real worker processes**, started
as ``make run`` starts them: one ``celery worker --concurrency 2`` serving every queue with
``JOB_BULK_CONCURRENCY=1``, and ``celery beat`` (its sweeper every minute). Only delivery is
faked, at Django's e-mail backend: :class:`SerializingEmailBackend` builds each message's
MIME bytes, as an SMTP backend would, and drops them.

Meanwhile workspace B presses "Send me a test" on a campaign of its own every ``--pace``
seconds (a ``marketing.campaign_test`` job on the interactive queue, which renders and
sends one e-mail). Its wait (enqueue to start, from the job rows) is measured first on idle
workers, then while A's campaign sends, in the same run.

1. **Throughput**: ``CAMPAIGN_SEND_PER_MINUTE`` is set far above what the machine can do, so
   the figure is the machinery's ceiling: messages per second from the send to the last
   e-mail, the number of send jobs and the gaps between them.
2. **Throttle**: the workers restart with ``--throttle`` e-mails per minute and batches of
   ``--throttle-batch``; a campaign to ``--throttle-recipients`` contacts must not exceed the
   set rate (the most e-mails sent in any 60-second window, and the average rate).

Ends with ``BENCH campaigns recipients=… seconds=… sent_per_s=… other_wait_p95_ms=…
idle_wait_p95_ms=…`` (plus the throttle's figures and the load average).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from django.core.mail.backends.base import BaseEmailBackend

from bench._harness import ROOT, configure, drop_database, percentile

DATABASE = "rapport_bench_campaigns"
REDIS_DB = 11
#: Where this benchmark's beat keeps its schedule file.
BEAT_SCHEDULE = Path("/tmp") / f"{DATABASE}-celerybeat-schedule"  # noqa: S108 -- a scratch file of the bench


class SerializingEmailBackend(BaseEmailBackend):
    """Delivery faked at the seam: each message is rendered to its MIME bytes and dropped."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            message.message().as_bytes()
        return len(email_messages)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- Workers -------------------------------------------------------------------------------------


@contextmanager
def workers(*, env: dict[str, str], optimization: str = "default") -> Iterator[None]:
    """``make run``'s worker (two processes, every queue) and beat, as real processes;
    ``optimization`` is the worker's ``-O`` (``fair`` hands a task only to an idle process)."""
    child_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    BEAT_SCHEDULE.unlink(missing_ok=True)
    commands = [
        [*celery, "worker", "-l", "warning", "--concurrency", "2", "-O", optimization,
         "-n", f"{DATABASE}@%h", "--without-gossip", "--without-mingle"],
        [*celery, "beat", "-l", "warning", "--schedule", str(BEAT_SCHEDULE)],
    ]  # fmt: skip
    children = [
        subprocess.Popen(  # noqa: S603 -- our own worker and beat
            command, cwd=ROOT, env=child_env, start_new_session=True, stdout=subprocess.DEVNULL
        )
        for command in commands
    ]
    try:
        yield
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        BEAT_SCHEDULE.unlink(missing_ok=True)


# --- Seeding -------------------------------------------------------------------------------------


def seed_sender(schema: str, *, contacts: int) -> tuple[int, int]:
    """Workspace A: a manager, ``contacts`` contacts with addresses (COPY), a segment of all."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from bench.crm_pages import copy_rows
    from crm.marketing.models import Segment, SegmentKind, SegmentRecordType
    from tenants.users.models import Role, User

    now = datetime.now(UTC).isoformat()
    with schema_context(schema):
        manager = User.objects.create_user(
            "sender@bench.example", "x", full_name="Bench Sender", role=Role.MANAGER
        )
        copy_rows(
            "crm_contact",
            ["id", "first_name", "last_name", "title", "email", "extra_emails", "phone",
             "mobile", "extra_phones", "address", "city", "country", "email_opt_out",
             "phone_opt_out", "owner_id", "custom", "created_at", "updated_at"],
            (
                (i, f"Reader{i % 50}", f"Person{i}", "", f"reader{i}@mail{i % 97}.example", "{}",
                 "", "", "{}", "", "Berlin", "Germany", "f", "f", manager.pk, "{}", now, now)
                for i in range(1, contacts + 1)
            ),
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('crm_contact', 'id'), "
                "(SELECT MAX(id) FROM crm_contact))"
            )
            cursor.execute("VACUUM ANALYZE crm_contact")
        segment = Segment.objects.create(
            name="Everyone",
            kind=SegmentKind.DYNAMIC,
            record_type=SegmentRecordType.CONTACT,
            filters={},
            owner=manager,
        )
        return int(manager.pk), int(segment.pk)


def static_list(schema: str, *, owner_id: int, contacts: int) -> int:
    """A static list of the first ``contacts`` contacts of A (for the throttle's campaign)."""
    from django_tenants.utils import schema_context

    from crm.marketing.models import Segment, SegmentKind, SegmentMember

    with schema_context(schema):
        segment = Segment.objects.create(
            name="Throttle", kind=SegmentKind.STATIC, owner_id=owner_id
        )
        SegmentMember.objects.bulk_create(
            SegmentMember(segment=segment, contact_id=i) for i in range(1, contacts + 1)
        )
        return int(segment.pk)


def campaign_create(schema: str, *, owner_id: int, segment_id: int, name: str) -> int:
    from django_tenants.utils import schema_context

    from crm.marketing.models import Segment
    from crm.marketing.services.campaigns import campaign_save
    from tenants.users.models import User

    with schema_context(schema):
        campaign = campaign_save(
            by=User.objects.get(pk=owner_id),
            values={
                "name": name,
                "segment": Segment.objects.get(pk=segment_id),
                "template": None,
                "subject": "Spring news for {{ contact.first_name }}",
                "body": (
                    "Dear {{ contact.full_name }},\n\nour spring range is here: "
                    "https://shop.example/spring and https://shop.example/offers\n\n"
                    "{{ sender.name }}"
                ),
            },
        )
        return int(campaign.pk)


# --- Measuring -----------------------------------------------------------------------------------


class OtherWorkspace:
    """Workspace B pressing "Send me a test" at a steady pace (interactive jobs)."""

    def __init__(self, schema: str, *, owner_id: int, campaign_id: int) -> None:
        self.schema = schema
        self.owner_id = owner_id
        self.campaign_id = campaign_id
        self.job_ids: list[int] = []

    def press(self) -> None:
        from django_tenants.utils import schema_context

        from core.jobs.models import Job
        from crm.marketing.models import Campaign
        from crm.marketing.services.campaigns import campaign_test_send
        from tenants.users.models import User

        with schema_context(self.schema):
            before = Job.objects.order_by("-id").values_list("id", flat=True).first() or 0
            campaign_test_send(
                by=User.objects.get(pk=self.owner_id),
                campaign=Campaign.objects.get(pk=self.campaign_id),
            )
            job = Job.objects.filter(
                id__gt=before, handler="marketing.campaign_test", workspace=self.schema
            ).order_by("-id")
            self.job_ids.append(int(job.values_list("id", flat=True)[0]))

    def waits(self, job_ids: list[int], timeout: float = 300) -> list[float]:
        """Seconds from enqueue to start of each job (waits for the last ones to start)."""
        from core.jobs.models import Job

        deadline = time.monotonic() + timeout
        while Job.objects.filter(pk__in=job_ids, started_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("B's interactive jobs did not start in time")
            time.sleep(0.1)
        rows = Job.objects.filter(pk__in=job_ids).values_list("created_at", "started_at")
        return [(started - created).total_seconds() for created, started in rows]


def campaign_row(schema: str, campaign_id: int) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from crm.marketing.models import Campaign

    with schema_context(schema):
        return dict(
            Campaign.objects.filter(pk=campaign_id)
            .values("status", "sent_count", "recipient_count", "started_at", "finished_at")
            .get()
        )


def send_now(schema: str, *, owner_id: int, campaign_id: int) -> float:
    """Press "Send" (now); returns the wall-clock moment."""
    from django_tenants.utils import schema_context

    from crm.marketing.models import Campaign
    from crm.marketing.services.campaigns import campaign_send
    from tenants.users.models import User

    with schema_context(schema):
        pressed = time.time()
        campaign_send(
            by=User.objects.get(pk=owner_id), campaign=Campaign.objects.get(pk=campaign_id)
        )
        return pressed


def sent_times(schema: str, campaign_id: int) -> list[float]:
    from django_tenants.utils import schema_context

    from crm.marketing.models import CampaignRecipient

    with schema_context(schema):
        return [
            moment.timestamp()
            for moment in CampaignRecipient.objects.filter(
                campaign_id=campaign_id, sent_at__isnull=False
            )
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        ]


def send_jobs(schema: str, since: float) -> list[tuple[float, float]]:
    """(start, finish) of the workspace's send-chain jobs since ``since``."""
    from core.jobs.models import Job

    rows = Job.objects.filter(
        workspace=schema,
        handler="marketing.campaign_send",
        started_at__isnull=False,
        finished_at__isnull=False,
        created_at__gte=datetime.fromtimestamp(since, UTC),
    ).order_by("started_at")
    return [
        (s.timestamp(), f.timestamp()) for s, f in rows.values_list("started_at", "finished_at")
    ]


def wait_ready(other: OtherWorkspace, timeout: float = 120) -> None:
    """Until the worker runs B's jobs (it has started and joined the broker)."""
    other.press()
    other.waits(other.job_ids[-1:], timeout=timeout)
    other.job_ids.clear()


def sample_idle(other: OtherWorkspace, *, samples: int, pace: float) -> list[float]:
    for _ in range(samples):
        other.press()
        time.sleep(pace)
    ids = list(other.job_ids)
    other.job_ids.clear()
    return other.waits(ids)


def run_campaign(
    schema: str,
    other: OtherWorkspace | None,
    *,
    owner_id: int,
    campaign_id: int,
    pace: float,
    timeout: float,
) -> dict[str, Any]:
    """Send the campaign; B presses every ``pace`` seconds until the last e-mail is sent."""
    pressed = send_now(schema, owner_id=owner_id, campaign_id=campaign_id)
    deadline = time.monotonic() + timeout
    loads: list[float] = []
    progress_at = time.monotonic()
    while True:
        row = campaign_row(schema, campaign_id)
        if row["status"] != "sending":
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the campaign did not finish within {timeout:.0f} s: {row}")
        if other is not None:
            other.press()
        if time.monotonic() - progress_at > 30:
            progress_at = time.monotonic()
            loads.append(os.getloadavg()[0])
            print(f"  … {row['sent_count']} sent, load average {load_average()}", flush=True)
        time.sleep(pace)
    waits: list[float] = []
    if other is not None:
        ids = list(other.job_ids)
        other.job_ids.clear()
        waits = other.waits(ids)
    times = sent_times(schema, campaign_id)
    jobs = send_jobs(schema, pressed)
    gaps = [start - previous_end for (_, previous_end), (start, _) in itertools.pairwise(jobs)]
    return {
        "row": row,
        "pressed": pressed,
        "times": times,
        "seconds": (times[-1] - pressed) if times else float("nan"),
        "jobs": jobs,
        "gaps": gaps,
        "waits": waits,
        "loads": loads,
    }


def max_in_window(times: list[float], window: float = 60.0) -> int:
    """The most e-mails sent within any ``window`` seconds."""
    best = 0
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def describe_jobs(result: dict[str, Any]) -> str:
    jobs = result["jobs"]
    if not jobs:
        return "no send jobs recorded"
    durations = [finish - start for start, finish in jobs]
    gaps = result["gaps"] or [0.0]
    return (
        f"{len(jobs)} send jobs, each p50 {percentile(durations, 0.5):.2f} s; gap between one "
        f"job's end and the next one's start p50 {percentile(gaps, 0.5):.2f} s, "
        f"max {max(gaps):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between B's jobs")
    parser.add_argument("--idle-samples", type=int, default=40)
    parser.add_argument("--throttle", type=int, default=600, help="e-mails per minute")
    parser.add_argument("--throttle-batch", type=int, default=50)
    parser.add_argument("--throttle-recipients", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--skip-throttle", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--optimization", choices=["default", "fair"], default="default", help="celery worker -O"
    )
    args = parser.parse_args()
    # A stopped run still stops its worker and beat and drops its database (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    os.environ["EMAIL_BACKEND"] = "bench.campaigns.SerializingEmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["JOB_BULK_CONCURRENCY"] = "1"  # as make run: one process stays free
    # No warm pool: its refills clone schemas for seconds in the worker's free process, which
    # would measure signups, not the campaign.
    os.environ["TENANT_POOL_SIZE"] = "0"
    configure(DATABASE, redis_db=REDIS_DB)
    from django.core.management import call_command

    from tenants.services import public_tenant_ensure, template_ensure, tenant_create
    from tenants.users.models import Role, User

    print(f"load average at start: {load_average()} ({os.cpu_count()} cores)")
    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        a = tenant_create(name="Bench Campaign A", slug="bench-campaign-a")
        b = tenant_create(name="Bench Campaign B", slug="bench-campaign-b")
        started = time.perf_counter()
        owner_id, segment_id = seed_sender(a.schema_name, contacts=args.recipients)
        print(f"seeded {args.recipients} contacts in {time.perf_counter() - started:.1f} s")
        from django_tenants.utils import schema_context

        with schema_context(b.schema_name):
            b_owner = User.objects.create_user(
                "tester@bench.example", "x", full_name="Bench Tester", role=Role.MANAGER
            )
        b_list = static_list(b.schema_name, owner_id=b_owner.pk, contacts=0)
        b_campaign = campaign_create(
            b.schema_name, owner_id=b_owner.pk, segment_id=b_list, name="B"
        )
        other = OtherWorkspace(b.schema_name, owner_id=b_owner.pk, campaign_id=b_campaign)
        campaign_id = campaign_create(
            a.schema_name, owner_id=owner_id, segment_id=segment_id, name="Spring"
        )

        fast = {"CAMPAIGN_SEND_PER_MINUTE": str(10**9)}
        with workers(env=fast, optimization=args.optimization):
            wait_ready(other)
            idle = sample_idle(other, samples=args.idle_samples, pace=args.pace)
            print(
                f"B's interactive job on idle workers: n={len(idle)} "
                f"p50={percentile(idle, 0.5) * 1000:.1f} ms "
                f"p95={percentile(idle, 0.95) * 1000:.1f} ms"
            )
            print(f"A sends {args.recipients} e-mails (CAMPAIGN_SEND_PER_MINUTE unlimited) …")
            result = run_campaign(
                a.schema_name,
                other,
                owner_id=owner_id,
                campaign_id=campaign_id,
                pace=args.pace,
                timeout=args.timeout,
            )
        row = result["row"]
        sent = int(row["sent_count"])
        seconds = float(result["seconds"])
        busy = result["waits"]
        print(
            f"campaign: {row['status']}, {sent} of {row['recipient_count']} sent in "
            f"{seconds:.1f} s from the send (recipients copied "
            f"{(row['started_at'].timestamp() - result['pressed']):.2f} s after it): "
            f"{sent / seconds:.1f} e-mails/s"
        )
        print(f"  {describe_jobs(result)}")
        print(
            f"B's interactive job during the campaign: n={len(busy)} "
            f"p50={percentile(busy, 0.5) * 1000:.1f} ms p95={percentile(busy, 0.95) * 1000:.1f} ms "
            f"max={max(busy) * 1000:.1f} ms"
        )
        throttle_line = ""
        if not args.skip_throttle:
            list_id = static_list(
                a.schema_name, owner_id=owner_id, contacts=args.throttle_recipients
            )
            throttled_id = campaign_create(
                a.schema_name, owner_id=owner_id, segment_id=list_id, name="Throttled"
            )
            env = {
                "CAMPAIGN_SEND_PER_MINUTE": str(args.throttle),
                "CAMPAIGN_BATCH_SIZE": str(args.throttle_batch),
            }
            with workers(env=env, optimization=args.optimization):
                wait_ready(other)
                print(
                    f"A sends {args.throttle_recipients} e-mails at CAMPAIGN_SEND_PER_MINUTE="
                    f"{args.throttle}, batches of {args.throttle_batch} …"
                )
                throttled = run_campaign(
                    a.schema_name,
                    None,
                    owner_id=owner_id,
                    campaign_id=throttled_id,
                    pace=1.0,
                    timeout=args.timeout,
                )
            times = throttled["times"]
            span = times[-1] - times[0] if len(times) > 1 else float("nan")
            per_minute = (len(times) - 1) / span * 60 if span else float("nan")
            window = max_in_window(times)
            honoured = window <= args.throttle
            print(
                f"throttle: {len(times)} sent over {span:.1f} s: {per_minute:.0f} e-mails/min "
                f"on average, at most {window} in any 60 s (set: {args.throttle}/min) — "
                f"{'honoured' if honoured else 'EXCEEDED'}"
            )
            print(f"  {describe_jobs(throttled)}")
            throttle_line = (
                f" throttle_per_min={args.throttle} throttle_measured_per_min={per_minute:.0f}"
                f" throttle_max_60s={window}"
            )
        print(f"load average at end: {load_average()}")
        print(
            f"BENCH campaigns recipients={sent} seconds={seconds:.1f} "
            f"sent_per_s={sent / seconds:.1f} "
            f"other_wait_p95_ms={percentile(busy, 0.95) * 1000:.1f} "
            f"idle_wait_p95_ms={percentile(idle, 0.95) * 1000:.1f}{throttle_line} "
            f"worker_optimization={args.optimization} "
            f"load_avg_1m={os.getloadavg()[0]:.1f}"
        )
    finally:
        if not args.keep:
            drop_database(DATABASE)


if __name__ == "__main__":
    main()
