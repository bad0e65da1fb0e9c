"""E-mail campaigns: recipients from a segment, throttled idempotent sending in bulk jobs,
tracking links, one-click unsubscribe, bounces and suppression, stats, permissions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.jobs.models import Job, JobQueue, JobStatus
from crm.errors import CrmError
from crm.marketing.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Segment,
    SegmentMember,
    SkipReason,
    Suppression,
)
from crm.marketing.selectors_campaigns import campaign_stats
from crm.marketing.services.campaigns import (
    campaign_cancel,
    campaign_save,
    campaign_send,
    campaign_send_batch,
    campaign_start,
    campaign_test_send,
    recipients_fill,
)
from crm.marketing.tracking import tracking_signature
from crm.models import Activity, ActivityKind, Contact, DealContact
from tenants.users.models import User
from tests.conftest import Workspace, after_commit, sign_in
from tests.crm.factories import ContactFactory, DealFactory, stage_named
from tests.factories import UserFactory

BODY = "Hello {{ contact.first_name }}, see https://shop.example/offer and https://shop.example/b"


def _segment(owner: User, contacts: list[Contact]) -> Segment:
    segment = Segment.objects.create(name="Top", kind="static", owner=owner)
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, contact=c) for c in contacts])
    return segment


def _campaign(owner: User, contacts: list[Contact], **values) -> Campaign:
    return campaign_save(
        by=owner,
        values={
            "name": "Spring",
            "segment": _segment(owner, contacts),
            "template": None,
            "subject": "News for {{ contact.first_name }}",
            "body": BODY,
            **values,
        },
    )


def _started(owner: User, contacts: list[Contact]) -> Campaign:
    campaign = _campaign(owner, contacts)
    campaign_send(by=owner, campaign=campaign)
    campaign_start(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def _contacts(owner: User, n: int) -> list[Contact]:
    return [ContactFactory.create(owner=owner, first_name=f"P{i}") for i in range(n)]


def _send_jobs() -> list[Job]:
    return list(Job.objects.filter(handler="marketing.campaign_send", status=JobStatus.PENDING))


def test_recipients_are_filled_once_with_skip_reasons(manager: User) -> None:
    ok = ContactFactory.create(owner=manager)
    opted = ContactFactory.create(owner=manager, email_opt_out=True)
    blank = ContactFactory.create(owner=manager, email="")
    suppressed = ContactFactory.create(owner=manager, email="Gone@Example.com")
    Suppression.objects.create(email="gone@example.com", reason="bounce")
    campaign = _campaign(manager, [ok, opted, blank, suppressed])
    assert recipients_fill(campaign=campaign) == 4
    assert recipients_fill(campaign=campaign) == 0
    reasons = dict(CampaignRecipient.objects.values_list("contact_id", "reason"))
    assert reasons == {
        ok.pk: "",
        opted.pk: SkipReason.OPTED_OUT,
        blank.pk: SkipReason.NO_ADDRESS,
        suppressed.pk: SkipReason.SUPPRESSED,
    }
    campaign.refresh_from_db()
    assert (campaign.recipient_count, campaign.skipped_count) == (4, 3)


def test_sending_goes_in_batches_and_records_the_next_bulk_job(manager: User, settings) -> None:
    settings.CAMPAIGN_BATCH_SIZE = 2
    settings.CAMPAIGN_SEND_PER_MINUTE = 60
    campaign = _started(manager, _contacts(manager, 5))
    Job.objects.filter(handler="marketing.campaign_send").delete()
    assert campaign_send_batch() == 2
    assert len(mail.outbox) == 2
    (job,) = _send_jobs()
    assert job.queue == JobQueue.BULK
    # 2 e-mails at 60 a minute: the next batch waits about two seconds.
    assert timedelta(seconds=1) < job.available_at - timezone.now() <= timedelta(seconds=2)
    job.delete()
    assert campaign_send_batch() == 2
    job = _send_jobs()[0]
    job.delete()
    assert campaign_send_batch() == 1
    assert _send_jobs() == []
    campaign.refresh_from_db()
    assert (campaign.status, campaign.sent_count) == (CampaignStatus.SENT, 5)


def test_a_rerun_sends_nobody_twice(manager: User) -> None:
    campaign = _started(manager, _contacts(manager, 3))
    assert campaign_send_batch() == 3
    assert campaign_send_batch() == 0
    campaign_start(campaign_id=campaign.pk)
    assert campaign_send_batch() == 0
    assert len(mail.outbox) == 3
    assert CampaignRecipient.objects.filter(status=RecipientStatus.SENT).count() == 3


def test_each_sent_message_is_on_the_contacts_timeline(manager: User) -> None:
    contact = ContactFactory.create(owner=manager, first_name="Mei")
    _started(manager, [contact])
    campaign_send_batch()
    activity = Activity.objects.get(contact=contact)
    assert activity.kind == ActivityKind.EMAIL
    assert activity.subject == "News for Mei"
    assert mail.outbox[0].subject == "News for Mei"


def test_a_contact_who_opts_out_before_the_batch_is_skipped(manager: User) -> None:
    contact = ContactFactory.create(owner=manager)
    _started(manager, [contact])
    Contact.objects.filter(pk=contact.pk).update(email_opt_out=True)
    assert campaign_send_batch() == 1
    assert mail.outbox == []
    recipient = CampaignRecipient.objects.get()
    assert (recipient.status, recipient.reason) == (RecipientStatus.SKIPPED, SkipReason.OPTED_OUT)


def test_messages_carry_one_click_unsubscribe_headers_and_tracked_links(manager: User) -> None:
    _started(manager, [ContactFactory.create(owner=manager)])
    campaign_send_batch()
    message = mail.outbox[0]
    recipient = CampaignRecipient.objects.get()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/c/u/{recipient.token}/" in message.extra_headers["List-Unsubscribe"]
    assert "https://shop.example/offer" not in message.body
    assert f"/c/c/{recipient.token}/0/" in message.body
    html = message.alternatives[0][0]  # type: ignore[attr-defined]
    assert f"/c/o/{recipient.token}/" in html


def test_scheduling_waits_and_cancel_stops(manager: User) -> None:
    campaign = _campaign(manager, _contacts(manager, 2))
    at = timezone.now() + timedelta(hours=2)
    campaign = campaign_send(by=manager, campaign=campaign, at=at)
    assert campaign.status == CampaignStatus.SCHEDULED
    job = Job.objects.get(handler="marketing.campaign_start")
    assert job.available_at >= at - timedelta(seconds=1)
    assert campaign_start(campaign_id=campaign.pk) is False  # too early
    campaign_cancel(by=manager, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    assert campaign_start(campaign_id=campaign.pk) is False
    assert campaign_send_batch() == 0
    assert not CampaignRecipient.objects.exists()


def test_test_send_goes_to_the_senders_own_address(manager: User) -> None:
    campaign = _campaign(manager, _contacts(manager, 2))
    with after_commit():
        campaign_test_send(by=manager, campaign=campaign)
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert message.subject.startswith("[Test]")
    assert not CampaignRecipient.objects.exists()


# --- Public links ---------------------------------------------------------------------------------


def _sent_recipient(manager: User, **contact_fields) -> CampaignRecipient:
    _started(manager, [ContactFactory.create(owner=manager, **contact_fields)])
    campaign_send_batch()
    return CampaignRecipient.objects.get()


def test_open_pixel_records_the_open(crm: Workspace, manager: User) -> None:
    recipient = _sent_recipient(manager)
    sig = tracking_signature(recipient.token)
    response = Client(HTTP_HOST=crm.host).get(f"/c/o/{recipient.token}/{sig}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    recipient.refresh_from_db()
    assert recipient.opened_at is not None


def test_click_redirects_to_the_messages_link_only(crm: Workspace, manager: User) -> None:
    recipient = _sent_recipient(manager)
    sig = tracking_signature(recipient.token)
    client = Client(HTTP_HOST=crm.host)
    response = client.get(f"/c/c/{recipient.token}/1/{sig}/")
    assert (response.status_code, response["Location"]) == (302, "https://shop.example/b")
    recipient.refresh_from_db()
    assert recipient.clicked_at is not None
    assert client.get(f"/c/c/{recipient.token}/2/{sig}/").status_code == 404
    evil = client.get(f"/c/c/{recipient.token}/0/{sig}/?next=https://evil.example")
    assert evil["Location"] == "https://shop.example/offer"


def test_bad_token_or_signature_is_404(crm: Workspace, manager: User) -> None:
    recipient = _sent_recipient(manager)
    client = Client(HTTP_HOST=crm.host)
    assert client.get(f"/c/o/{recipient.token}/{'0' * 32}/").status_code == 404
    fake = "f" * 32
    assert client.get(f"/c/o/{fake}/{tracking_signature(fake)}/").status_code == 404


def test_links_of_one_workspace_are_404_on_another_host(
    crm: Workspace, beta: Workspace, manager: User
) -> None:
    recipient = _sent_recipient(manager)
    sig = tracking_signature(recipient.token)
    client = Client(HTTP_HOST=beta.host)
    assert client.get(f"/c/o/{recipient.token}/{sig}/").status_code == 404
    assert client.get(f"/c/c/{recipient.token}/0/{sig}/").status_code == 404
    assert client.post(f"/c/u/{recipient.token}/{sig}/").status_code == 404
    with schema_context(crm.schema):
        assert not Contact.objects.get(pk=recipient.contact_id or 0).email_opt_out


def test_one_click_unsubscribe_sets_the_opt_out(crm: Workspace, manager: User) -> None:
    recipient = _sent_recipient(manager)
    sig = tracking_signature(recipient.token)
    client = Client(HTTP_HOST=crm.host, enforce_csrf_checks=True)
    page = client.get(f"/c/u/{recipient.token}/{sig}/")
    assert page.status_code == 200
    assert b'data-testid="campaign-unsubscribe"' in page.content
    response = client.post(f"/c/u/{recipient.token}/{sig}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"campaign-unsubscribed" in response.content
    assert Contact.objects.get(pk=recipient.contact_id or 0).email_opt_out is True
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is not None


def _inbound(host: str, payload: dict[str, str], secret: str | None) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client(HTTP_HOST=host).post(
        "/c/inbound/", json.dumps(payload), content_type="application/json", **headers
    )


def test_bounce_endpoint_needs_the_secret(crm: Workspace, manager: User, settings) -> None:
    settings.CAMPAIGN_INBOUND_SECRET = "s3cret"
    recipient = _sent_recipient(manager)
    payload = {"type": "bounce", "email": recipient.email}
    assert _inbound(crm.host, payload, None).status_code == 403
    assert _inbound(crm.host, payload, "wrong").status_code == 403
    settings.CAMPAIGN_INBOUND_SECRET = ""
    assert _inbound(crm.host, payload, "").status_code == 403
    assert not Suppression.objects.exists()


def test_a_bounce_marks_the_recipient_and_later_campaigns_skip_the_address(
    crm: Workspace, manager: User, settings
) -> None:
    settings.CAMPAIGN_INBOUND_SECRET = "s3cret"
    recipient = _sent_recipient(manager, email="Bob@Example.com")
    response = _inbound(crm.host, {"type": "bounce", "email": "bob@example.com"}, "s3cret")
    assert response.status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.BOUNCED
    assert Suppression.objects.filter(email="bob@example.com").exists()
    assert recipient.contact is not None
    later = _campaign(manager, [recipient.contact])
    recipients_fill(campaign=later)
    assert CampaignRecipient.objects.get(campaign=later).reason == SkipReason.SUPPRESSED


def test_a_complaint_by_token_is_recorded(crm: Workspace, manager: User, settings) -> None:
    settings.CAMPAIGN_INBOUND_SECRET = "s3cret"
    recipient = _sent_recipient(manager)
    _inbound(crm.host, {"type": "complaint", "token": recipient.token}, "s3cret")
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.COMPLAINED


def test_bounce_endpoint_of_another_workspace_does_not_touch_this_one(
    crm: Workspace, beta: Workspace, manager: User, settings
) -> None:
    settings.CAMPAIGN_INBOUND_SECRET = "s3cret"
    recipient = _sent_recipient(manager)
    response = _inbound(beta.host, {"type": "complaint", "token": recipient.token}, "s3cret")
    assert response.status_code == 400  # no such recipient there, and no address given
    with schema_context(crm.schema):
        recipient.refresh_from_db()
        assert recipient.status == RecipientStatus.SENT
        assert not Suppression.objects.exists()


# --- Stats, pages, permissions --------------------------------------------------------------------


def test_stats_count_sends_skips_and_attributed_won_deals(manager: User) -> None:
    buyer = ContactFactory.create(owner=manager)
    opted = ContactFactory.create(owner=manager, email_opt_out=True)
    campaign = _started(manager, [buyer, opted])
    campaign_send_batch()
    won = DealFactory.create(owner=manager, stage=stage_named("Won"), won_at=timezone.now())
    DealContact.objects.create(deal=won, contact=buyer)
    late = DealFactory.create(
        owner=manager, stage=stage_named("Won"), won_at=timezone.now() + timedelta(days=90)
    )
    DealContact.objects.create(deal=late, contact=buyer)
    stats = campaign_stats(campaign)
    assert (stats["sent"], stats["skipped"], stats["won_deals"]) == (1, 1, 1)
    assert [count for _label, count in stats["skipped_reasons"]] == [1]


def test_the_stats_page_shows_the_counts(manager: User, client_as) -> None:
    campaign = _started(manager, _contacts(manager, 2))
    campaign_send_batch()
    response = client_as(manager).get(f"/marketing/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    assert b'data-testid="stat-sent">2<' in response.content


def test_a_manager_creates_and_sends_from_the_pages(manager: User, client_as) -> None:
    segment = _segment(manager, _contacts(manager, 2))
    client = client_as(manager)
    response = client.post(
        "/marketing/campaigns/new/",
        {"name": "Autumn", "segment": segment.pk, "subject": "Hi", "body": "Text"},
    )
    assert response.status_code == 302, response.content
    campaign = Campaign.objects.get(name="Autumn")
    with after_commit():
        client.post(f"/marketing/campaigns/{campaign.pk}/send/", {"send_at": ""})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert len(mail.outbox) == 2


def test_reps_cannot_manage_campaigns(manager: User, rep: User, client_as) -> None:
    campaign = _campaign(manager, _contacts(manager, 1))
    client = client_as(rep)
    assert client.get("/marketing/campaigns/").status_code == 200
    assert client.get("/marketing/campaigns/new/").status_code == 404
    assert client.post(f"/marketing/campaigns/{campaign.pk}/send/").status_code == 404
    with pytest.raises(CrmError):
        campaign_send(by=rep, campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_read_only_users_are_refused(manager: User, reader: User, client_as) -> None:
    campaign = _campaign(manager, _contacts(manager, 1))
    client = client_as(reader)
    assert client.post(f"/marketing/campaigns/{campaign.pk}/send/").status_code == 403
    assert client.post("/marketing/campaigns/new/", {"name": "x"}).status_code == 403
    with pytest.raises(CrmError):
        campaign_send(by=reader, campaign=campaign)


def test_campaigns_of_one_workspace_are_invisible_from_another(
    crm: Workspace, beta: Workspace, manager: User
) -> None:
    campaign = _campaign(manager, _contacts(manager, 1))
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(role="admin")
        client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
        assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert client.get(f"/marketing/campaigns/{campaign.pk}/").status_code == 404
    assert b"Spring" not in client.get("/marketing/campaigns/").content


def test_one_send_chain_per_workspace_serves_all_its_campaigns(manager: User, settings) -> None:
    """Two campaigns sending at once share one waiting bulk job, so one workspace's pace is
    CAMPAIGN_SEND_PER_MINUTE however many campaigns it sends."""
    settings.CAMPAIGN_BATCH_SIZE = 3
    first = _started(manager, _contacts(manager, 2))
    second = _started(manager, _contacts(manager, 2))
    assert len(_send_jobs()) == 1
    assert Job.objects.get(
        handler="marketing.campaign_start", kwargs__campaign_id=first.pk
    ).queue == (JobQueue.BULK)
    Job.objects.filter(handler="marketing.campaign_send").delete()
    assert campaign_send_batch() == 3  # the older campaign's two, then one of the next
    assert CampaignRecipient.objects.filter(campaign=first, status="sent").count() == 2
    assert CampaignRecipient.objects.filter(campaign=second, status="sent").count() == 1
    assert len(_send_jobs()) == 1


def test_a_template_gives_the_subject_and_message(manager: User, admin: User) -> None:
    from crm.mailing.services import email_template_save

    template = email_template_save(
        by=admin,
        fields={
            "name": "T",
            "language": "en",
            "subject": "Dear {{ contact.first_name }}",
            "body": "From {{ sender.name }}",
        },
    )
    contact = ContactFactory.create(owner=manager, first_name="Ann")
    campaign = _campaign(manager, [contact], template=template, subject="", body="")
    campaign_send(by=manager, campaign=campaign)
    campaign_start(campaign_id=campaign.pk)
    campaign_send_batch()
    assert mail.outbox[0].subject == "Dear Ann"
    assert mail.outbox[0].body.startswith("From Max Manager")


def test_pages_render_and_a_scheduled_campaign_is_canceled_from_its_page(
    manager: User, client_as
) -> None:
    campaign = _campaign(manager, _contacts(manager, 1))
    campaign_send(by=manager, campaign=campaign, at=timezone.now() + timedelta(days=1))
    client = client_as(manager)
    assert b"Spring" in client.get("/marketing/campaigns/").content
    assert client.get("/marketing/campaigns/new/").status_code == 200
    page = client.get(f"/marketing/campaigns/{campaign.pk}/")
    assert b'data-testid="campaign-cancel"' in page.content
    response = client.post(f"/marketing/campaigns/{campaign.pk}/cancel/")
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CANCELED
    # A canceled campaign is not sent again.
    assert (
        client.post(f"/marketing/campaigns/{campaign.pk}/send/", {"send_at": ""}).status_code == 302
    )
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CANCELED


def test_a_batch_ending_on_the_last_recipient_marks_the_campaign_sent(
    manager: User, settings
) -> None:
    """A campaign whose size is a multiple of the batch finishes without one more job."""
    settings.CAMPAIGN_BATCH_SIZE = 2
    campaign = _started(manager, _contacts(manager, 2))
    Job.objects.filter(handler="marketing.campaign_send").delete()
    assert campaign_send_batch() == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert campaign.finished_at is not None
    assert _send_jobs() == []


def test_the_next_batch_wakes_the_bulk_dispatcher_when_due(manager: User, settings) -> None:
    """The throttle's delay is honoured to the second, not stretched to the next sweep: the
    next batch's job asks for a bulk dispatch with a countdown of its delay."""
    from unittest import mock

    from core.tasks import jobs_bulk_dispatch_task

    settings.CAMPAIGN_BATCH_SIZE = 2
    settings.CAMPAIGN_SEND_PER_MINUTE = 60
    _started(manager, _contacts(manager, 3))
    Job.objects.filter(handler="marketing.campaign_send").delete()
    with mock.patch.object(jobs_bulk_dispatch_task, "apply_async") as wake, after_commit():
        campaign_send_batch()
    (call,) = wake.call_args_list
    assert 1.5 <= call.kwargs["countdown"] <= 2.1
