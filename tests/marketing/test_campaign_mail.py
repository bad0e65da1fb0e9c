"""Campaign messages go through the CRM's e-mail service: recorded with their headers and
HTML, sent once per recipient, one timeline entry, opt-outs and suppressions respected."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from crm.mailing.models import MailCategory, OutboundEmail, OutboundStatus
from crm.marketing.models import CampaignRecipient
from crm.marketing.services.campaigns import campaign_send_batch
from crm.models import Activity
from tenants.users.models import User
from tests.crm.factories import ContactFactory
from tests.marketing.test_campaigns import _started


def test_a_campaign_message_is_a_marketing_email_with_its_unsubscribe_headers(
    manager: User,
) -> None:
    _started(manager, [ContactFactory.create(owner=manager)])
    campaign_send_batch()
    recipient = CampaignRecipient.objects.get()
    email = OutboundEmail.objects.get(key=f"marketing.campaign:{recipient.pk}")
    assert (email.category, email.status) == (MailCategory.MARKETING, OutboundStatus.SENT)
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (message,) = mail.outbox
    assert message.extra_headers == email.headers
    assert isinstance(message, EmailMultiAlternatives)
    assert f"/c/o/{recipient.token}/" in str(message.alternatives[0][0])


def test_the_timeline_shows_the_message_without_its_footer_once(manager: User) -> None:
    contact = ContactFactory.create(owner=manager, first_name="Mei")
    _started(manager, [contact])
    campaign_send_batch()
    campaign_send_batch()
    activity = Activity.objects.get(contact=contact)
    assert "Unsubscribe" not in activity.body
    assert OutboundEmail.objects.get().activity_id == activity.pk
