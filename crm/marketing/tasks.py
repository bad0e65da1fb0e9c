"""Background work of marketing: the e-mails a web form sends to the visitor, call queues,
campaigns.

A web form's e-mails are written in interactive jobs after the submission commits and handed
to the CRM's e-mail service (``crm.mailing.outbound``): sent once per submission, logged on
the timeline of the lead or contact the submission fed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from crm.mailing.models import MailCategory
from crm.mailing.outbound import Mail, mail_queue
from tenants.selectors import current_tenant, workspace_url

if TYPE_CHECKING:
    from crm.marketing.models import WebFormSubmission


def _visitor_mail(submission: WebFormSubmission, *, subject: str, body: str, source: str) -> Mail:
    """An e-mail to the visitor, on the timeline of the lead or contact the form fed.

    Transactional: it answers what the visitor just did, so a marketing opt-out of a
    matching contact does not stop it (nor could an unconfirmed visitor confirm otherwise).
    """
    return Mail(
        to=submission.email,
        subject=subject,
        body=body,
        category=MailCategory.TRANSACTIONAL,
        source=source,
        contact=submission.contact,
        lead=submission.lead,
    )


@job_handler("marketing.web_form_auto_reply", queue=JobQueue.INTERACTIVE, tenant=True)
def auto_reply_job(*, submission_id: int) -> bool:
    """Send the form's automatic reply to the visitor (once per submission)."""
    from crm.marketing.models import WebFormSubmission

    submission = (
        WebFormSubmission.objects.select_related("form", "contact", "lead")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or not submission.email or not submission.form.auto_reply:
        return False
    form = submission.form
    mail_queue(
        key=f"marketing.web_form_auto_reply:{submission.pk}",
        mail=_visitor_mail(
            submission,
            subject=form.auto_reply_subject or form.title or form.name,
            body=form.auto_reply_body,
            source="marketing.web_form_auto_reply",
        ),
    )
    return True


@job_handler("marketing.web_form_double_opt_in", queue=JobQueue.INTERACTIVE, tenant=True)
def double_opt_in_job(*, submission_id: int) -> bool:
    """Ask the visitor to confirm their address with a signed link to the workspace host."""
    from crm.marketing.models import WebFormSubmission
    from crm.marketing.views.public import confirmation_token

    submission = (
        WebFormSubmission.objects.select_related("form", "contact", "lead")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or not submission.email or submission.confirmed_at is not None:
        return False
    tenant = current_tenant()
    token = confirmation_token(submission)
    link = workspace_url(tenant, reverse("marketing:webform_confirm", args=[token]))
    context = {"workspace": tenant, "form": submission.form, "link": link}
    with translation.override(tenant.language or "en"):
        subject = _("Please confirm your e-mail address for %(workspace)s") % {
            "workspace": tenant.name
        }
        body = render_to_string("marketing/emails/double_opt_in.txt", context)
    mail_queue(
        key=f"marketing.web_form_double_opt_in:{submission.pk}",
        mail=_visitor_mail(
            submission, subject=subject, body=body, source="marketing.web_form_double_opt_in"
        ),
    )
    return True


@job_handler("marketing.call_queue_build", queue=JobQueue.BULK, tenant=True, timeout=600)
def call_queue_build_job(*, queue_id: int) -> int:
    """Copy a segment's callable contacts into its call queue (idempotent: adds what is new)."""
    from crm.marketing.models import CallQueue
    from crm.marketing.services.telesales import call_queue_build

    queue = CallQueue.objects.filter(pk=queue_id).first()
    return call_queue_build(queue=queue) if queue is not None else 0


@job_handler(
    "marketing.campaign_start", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=600
)
def campaign_start_job(*, campaign_id: int) -> bool:
    """At a campaign's send time: copy its recipients and start the workspace's send chain."""
    from crm.marketing.services.campaigns import campaign_start

    return campaign_start(campaign_id=campaign_id)


@job_handler("marketing.campaign_send", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=900)
def campaign_send_job() -> int:
    """One batch of the workspace's campaign e-mails; records the next batch's job."""
    from crm.marketing.services.campaigns import campaign_send_batch

    return campaign_send_batch()


@job_handler(
    "marketing.campaign_test", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False, timeout=120
)
def campaign_test_job(*, campaign_id: int, user_id: int) -> bool:
    """A campaign's test e-mail to the sender's own address."""
    from crm.marketing.services.campaigns import campaign_test_run

    return campaign_test_run(campaign_id=campaign_id, user_id=user_id)
