"""Jobs of e-mail from the CRM: one send works through its contacts, each once."""

from __future__ import annotations

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


def _run(batch_id: int) -> int:
    from crm.mailing.services import email_batch_run

    return email_batch_run(batch_id=batch_id)


@job_handler(
    "mailing.batch_send_one", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False, timeout=120
)
def email_batch_one_job(*, batch_id: int) -> int:
    """An e-mail to one contact: interactive, it never waits behind bulk work."""
    return _run(batch_id)


@job_handler("mailing.batch_send_bulk", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=900)
def email_batch_bulk_job(*, batch_id: int) -> int:
    """An e-mail to a selection of contacts: bulk, fair between workspaces."""
    return _run(batch_id)


@job_handler(
    "mailing.deliver",
    queue=JobQueue.INTERACTIVE,
    tenant=True,
    atomic=False,
    timeout=120,
    max_attempts=6,
)
def mail_deliver_job(*, email_id: int) -> str:
    """Send one recorded customer e-mail (once); after its last attempt it is marked failed."""
    from core.jobs.services import current_job
    from crm.mailing.outbound import mail_deliver, mail_fail

    try:
        return mail_deliver(email_id=email_id)
    except Exception as error:
        job = current_job()
        if job is None or job.is_last_attempt:
            mail_fail(email_id=email_id, error=f"{type(error).__name__}: {error}")
        raise


@job_handler("mailing.purge", queue=JobQueue.BULK, tenant=True, timeout=600)
def mail_purge_job() -> list[int]:
    """Daily per workspace: attachments and old finished e-mails past their retention."""
    from crm.mailing.outbound import mail_purge

    return list(mail_purge())
