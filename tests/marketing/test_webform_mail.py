"""A web form's auto-reply and opt-in e-mail go through the CRM's e-mail service: once per
submission, on the lead's or contact's timeline, not stopped by a marketing opt-out."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from crm.mailing.models import MailCategory, OutboundEmail
from crm.marketing.models import WebFormSubmission
from crm.marketing.tasks import auto_reply_job
from crm.models import Activity, Lead
from tenants.users.models import User
from tests.conftest import Workspace, after_commit
from tests.crm.factories import ContactFactory
from tests.marketing.test_webforms import make_form, submit


def test_the_auto_reply_is_on_the_new_leads_timeline(crm: Workspace, admin: User) -> None:
    form = make_form(admin, auto_reply=True, auto_reply_subject="Thanks!", auto_reply_body="Hi")
    with after_commit():
        submit(Client(HTTP_HOST=crm.host), form)
    lead = Lead.objects.get(email="mei@example.com")
    activity = Activity.objects.get(lead=lead, kind="email")
    assert activity.subject == "Thanks!"
    assert OutboundEmail.objects.get().category == MailCategory.TRANSACTIONAL


def test_a_contact_who_opted_out_still_gets_the_confirmation_they_asked_for(
    crm: Workspace, admin: User, rep: User
) -> None:
    contact = ContactFactory.create(email="mei@example.com", owner=rep, email_opt_out=True)
    form = make_form(admin, double_opt_in=True)
    with after_commit():
        submit(Client(HTTP_HOST=crm.host), form)
    assert [m.to for m in mail.outbox] == [["mei@example.com"]]
    assert Activity.objects.filter(contact=contact, kind="email").count() == 1


def test_a_rerun_of_the_auto_reply_job_sends_once(crm: Workspace, admin: User) -> None:
    form = make_form(admin, auto_reply=True, auto_reply_subject="Thanks!", auto_reply_body="Hi")
    with after_commit():
        submit(Client(HTTP_HOST=crm.host), form)
        auto_reply_job(submission_id=WebFormSubmission.objects.get().pk)
    assert len(mail.outbox) == 1
