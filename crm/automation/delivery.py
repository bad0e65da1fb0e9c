"""Delivering a rule's webhook and writing the outcome to the rule's run log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.jobs.services import current_job
from crm.automation.models import RuleRun, RunStatus
from crm.automation.webhooks import WebhookRefusedError, webhook_post


def _note(run: RuleRun, line: str, *, failed: bool = False, error: str = "") -> None:
    run.result = "\n".join(part for part in (run.result, line) if part)
    fields = ["result"]
    if failed:
        run.status = RunStatus.FAILED
        run.error = error[:2000]
        fields += ["status", "error"]
    run.save(update_fields=fields)


def webhook_deliver(*, run_id: int, url: str, body: str) -> str:
    """POST the signed body; record the answer. Transient failures raise (the job retries);
    a refused address fails the run at once."""
    run = RuleRun.objects.select_related("rule").filter(pk=run_id).first()
    if run is None:
        return "gone"
    try:
        status = webhook_post(url=url, body=body, secret=run.rule.webhook_secret)
    except WebhookRefusedError as error:
        _note(
            run,
            _("Webhook not called: %(error)s") % {"error": error},
            failed=True,
            error=str(error),
        )
        return "refused"
    except Exception as error:
        job = current_job()
        final = job is None or job.is_last_attempt
        attempt = job.attempt if job else 1
        line = _("Webhook attempt %(n)s failed: %(error)s") % {"n": attempt, "error": error}
        _note(run, line, failed=final, error=str(error))
        raise
    _note(run, _("Webhook answered %(status)s") % {"status": status})
    return "sent"
