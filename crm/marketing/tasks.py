"""Background work of marketing: the e-mails a web form sends to the visitor.

Sent with Django's e-mail backend in interactive jobs, after the submission commits. Once the
CRM's shared e-mail sending exists, these should go through it (sender identity, logging on
the timeline, suppression).
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from tenants.selectors import current_tenant, workspace_url


@job_handler("marketing.web_form_auto_reply", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False)
def auto_reply_job(*, submission_id: int) -> bool:
    """Send the form's automatic reply to the visitor (once per submission)."""
    from crm.marketing.models import WebFormSubmission

    submission = WebFormSubmission.objects.select_related("form").filter(pk=submission_id).first()
    if submission is None or not submission.email or not submission.form.auto_reply:
        return False
    form = submission.form
    send_mail(
        subject=form.auto_reply_subject or form.title or form.name,
        message=form.auto_reply_body,
        from_email=None,
        recipient_list=[submission.email],
    )
    return True


@job_handler(
    "marketing.web_form_double_opt_in", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False
)
def double_opt_in_job(*, submission_id: int) -> bool:
    """Ask the visitor to confirm their address with a signed link to the workspace host."""
    from crm.marketing.models import WebFormSubmission
    from crm.marketing.views.public import confirmation_token

    submission = WebFormSubmission.objects.select_related("form").filter(pk=submission_id).first()
    if submission is None or not submission.email or submission.confirmed_at is not None:
        return False
    tenant = current_tenant()
    token = confirmation_token(submission)
    link = workspace_url(tenant, reverse("marketing:webform_confirm", args=[token]))
    context = {"workspace": tenant, "form": submission.form, "link": link}
    with translation.override(tenant.language or "en"):
        send_mail(
            subject=_("Please confirm your e-mail address for %(workspace)s")
            % {"workspace": tenant.name},
            message=render_to_string("marketing/emails/double_opt_in.txt", context),
            from_email=None,
            recipient_list=[submission.email],
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
