"""Case replies and the CSAT question go through the CRM's e-mail service: transactional
(sent despite a marketing opt-out), on the contact's timeline once, failures on the reply."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail

from crm.mailing.models import OutboundEmail, OutboundStatus
from crm.mailing.tasks import mail_deliver_job
from crm.models import Activity, Contact
from crm.service.models import EmailState
from crm.service.services import case_reply, case_status_set
from crm.service.tasks import reply_email_job
from tests.conftest import after_commit


def test_a_reply_reaches_a_contact_who_opted_out_of_marketing(make_case, admin) -> None:
    case = make_case()
    Contact.objects.filter(pk=case.contact_id).update(email_opt_out=True)
    with after_commit():
        case_reply(case=case, by=admin, body="We are on it.")
    assert [m.to for m in mail.outbox] == [["carol@customer.example"]]


def test_a_reply_is_on_the_contacts_timeline_once(make_case, admin) -> None:
    case = make_case()
    with after_commit():
        event = case_reply(case=case, by=admin, body="We are on it.")
    reply_email_job(event_id=event.pk)
    mail_deliver_job(email_id=OutboundEmail.objects.get(source="service.reply").pk)
    activity = Activity.objects.get(contact=case.contact, kind="email")
    assert activity.body == "We are on it."
    assert len(mail.outbox) == 1


def test_a_reply_that_cannot_be_sent_is_marked_failed(make_case, admin) -> None:
    case = make_case()
    event = case_reply(case=case, by=admin, body="We are on it.")
    reply_email_job(event_id=event.pk)
    email = OutboundEmail.objects.get(source="service.reply")
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")),
        pytest.raises(OSError, match="refused"),
    ):
        mail_deliver_job(email_id=email.pk)
    event.refresh_from_db()
    assert event.email_state == EmailState.FAILED
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboundStatus.FAILED


def test_the_csat_question_is_sent_once_and_logged(make_case, admin) -> None:
    case = make_case()
    with after_commit():
        case_status_set(case=case, by=admin, status="resolved")
    email = OutboundEmail.objects.get(source="service.csat")
    mail_deliver_job(email_id=email.pk)
    assert len(mail.outbox) == 1
    assert Activity.objects.filter(contact=case.contact, kind="email").count() == 1
