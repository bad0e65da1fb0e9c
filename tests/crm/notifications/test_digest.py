"""The daily digest: at the user's local morning, once a day, with what matters, never empty."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services
from crm.models import Activity, CrmSettings
from crm.notifications.delivery import digest_content, digests_send
from crm.notifications.models import DigestRun
from tenants.users.models import Role, User
from tenants.users.notifications import CRM_DAILY_DIGEST, notification_enabled
from tests.conftest import Workspace, sign_in
from tests.crm.factories import DealFactory, LeadFactory, stage_named
from tests.factories import UserFactory

UTC = ZoneInfo("UTC")
#: 23:45 UTC on Wednesday 5 March 2031: 07:45 on Thursday in Shanghai, 18:45 in New York.
NOW = datetime(2031, 3, 5, 23, 45, tzinfo=UTC)


@pytest.fixture
def shanghai(crm: Workspace) -> User:
    return UserFactory.create(role=Role.REP, time_zone="Asia/Shanghai", full_name="Li Wei")


@pytest.fixture
def new_york(crm: Workspace) -> User:
    return UserFactory.create(role=Role.REP, time_zone="America/New_York", full_name="Ann Lee")


def _call(owner: User, due: datetime, subject: str) -> Activity:
    return Activity.objects.create(kind="call", subject=subject, owner=owner, due_at=due)


def test_the_digest_goes_to_users_whose_local_morning_has_come(
    shanghai: User, new_york: User
) -> None:
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    _call(new_york, NOW - timedelta(days=1), "Overdue NY call")
    assert digests_send(now=NOW) == 1
    assert [m.to for m in mail.outbox] == [[shanghai.email]]
    # New York's morning comes 13 hours later (07:45 there).
    assert digests_send(now=NOW + timedelta(hours=13)) == 1
    assert mail.outbox[1].to == [new_york.email]


def test_the_digest_lists_overdue_and_todays_activities(shanghai: User) -> None:
    _call(shanghai, NOW - timedelta(days=2), "Overdue call")
    _call(shanghai, NOW + timedelta(hours=3), "Lunch meeting")  # 10:45 local, today
    _call(shanghai, NOW + timedelta(days=2), "Next week")
    digests_send(now=NOW)
    body = mail.outbox[0].body
    assert "Overdue call" in body
    assert "Lunch meeting" in body
    assert "Next week" not in body


def test_the_digest_lists_idle_and_closing_deals_and_new_leads(shanghai: User) -> None:
    idle = DealFactory.create(
        owner=shanghai, title="Idle deal", stage=stage_named("Qualified"),
        stage_entered_at=NOW - timedelta(days=20),
    )  # fmt: skip
    DealFactory.create(
        owner=shanghai, title="Fresh deal", stage=stage_named("Qualified"),
        stage_entered_at=NOW - timedelta(days=2),
    )  # fmt: skip
    DealFactory.create(
        owner=shanghai, title="Closing deal", expected_close_on=date(2031, 3, 8),
        stage_entered_at=NOW,
    )  # fmt: skip
    DealFactory.create(
        owner=shanghai, title="Closing later", expected_close_on=date(2031, 3, 20),
        stage_entered_at=NOW,
    )  # fmt: skip
    LeadFactory.create(owner=shanghai, name="Brand new lead")
    since = timezone.now() - timedelta(days=1)
    content = digest_content(user=shanghai, now=NOW, since=since)
    assert [d.title for d in content.idle_deals.items] == [idle.title]
    assert [d.title for d in content.closing_deals.items] == ["Closing deal"]
    assert [lead.name for lead in content.new_leads.items] == ["Brand new lead"]


def test_nothing_to_say_sends_nothing(shanghai: User) -> None:
    assert digests_send(now=NOW) == 0
    assert not mail.outbox
    assert DigestRun.objects.get(user=shanghai).sent is False


def test_a_second_run_the_same_day_sends_nothing(shanghai: User) -> None:
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    digests_send(now=NOW)
    assert digests_send(now=NOW + timedelta(minutes=15)) == 0
    assert len(mail.outbox) == 1


def test_the_next_morning_sends_again(shanghai: User) -> None:
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    digests_send(now=NOW)
    assert digests_send(now=NOW + timedelta(days=1)) == 1


def test_before_the_hour_nothing_is_sent(shanghai: User) -> None:
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    assert digests_send(now=NOW - timedelta(minutes=30)) == 0  # 07:15 in Shanghai


def test_a_digest_missed_all_morning_is_not_sent_in_the_evening(new_york: User) -> None:
    _call(new_york, NOW - timedelta(days=1), "Overdue call")
    assert digests_send(now=NOW) == 0  # 18:45 in New York


def test_users_who_opted_out_get_no_digest(shanghai: User) -> None:
    shanghai.notification_settings = {CRM_DAILY_DIGEST: False}
    shanghai.save()
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    assert digests_send(now=NOW) == 0


def test_the_digest_is_in_the_users_language(shanghai: User) -> None:
    shanghai.language = "zh-hant"
    shanghai.save()
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    digests_send(now=NOW)
    assert "已逾期的活動" in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_the_digest_respects_record_visibility(crm: Workspace, shanghai: User) -> None:
    """A rep sees only their own records; the digest lists nothing of anyone else's."""
    CrmSettings.objects.update_or_create(pk=1, defaults={"reps_see_all": False})
    other = UserFactory.create(role=Role.REP)
    _call(other, NOW - timedelta(days=1), "Someone else's call")
    LeadFactory.create(owner=other, name="Someone else's lead")
    content = digest_content(user=shanghai, now=NOW, since=NOW - timedelta(days=1))
    assert content.is_empty


def test_a_lead_assigned_since_the_last_digest_is_listed(admin: User, shanghai: User) -> None:
    lead = LeadFactory.create(owner=admin, name="Handed over")
    services.lead_update(lead=lead, by=admin, fields={"owner": shanghai})
    content = digest_content(
        user=shanghai, now=timezone.now(), since=timezone.now() - timedelta(minutes=1)
    )
    assert [item.name for item in content.new_leads.items] == ["Handed over"]


def _unsubscribe_path(body: str) -> str:
    path = re.search(r"https?://[^/]+(/notifications/digest/unsubscribe/\S+/)", body)
    assert path is not None
    return path.group(1)


def test_the_unsubscribe_link_turns_the_digest_off_without_signing_in(
    alpha: Workspace, shanghai: User
) -> None:
    shanghai.notification_settings = {"crm.activity_reminder": False}
    shanghai.save()
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    digests_send(now=NOW)
    path = _unsubscribe_path(str(mail.outbox[0].body))
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    assert "Turn off the daily digest" in client.get(path).content.decode()
    assert "no longer receive" in client.post(path).content.decode()
    shanghai.refresh_from_db()
    assert not notification_enabled(shanghai, CRM_DAILY_DIGEST)
    # Other opt-outs are kept.
    assert not notification_enabled(shanghai, "crm.activity_reminder")


def test_the_digest_offers_one_click_unsubscribe(alpha: Workspace, shanghai: User) -> None:
    _call(shanghai, NOW - timedelta(days=1), "Overdue call")
    digests_send(now=NOW)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/digest/unsubscribe/" in headers["List-Unsubscribe"]


def test_a_tampered_unsubscribe_link_is_404(alpha: Workspace, shanghai: User) -> None:
    from crm.notifications.tokens import UNSUBSCRIBE_SALT, token_make

    token = token_make(salt=UNSUBSCRIBE_SALT, user_id=int(shanghai.pk))
    client = Client(HTTP_HOST=alpha.host)
    assert client.post(f"/notifications/digest/unsubscribe/{token}x/").status_code == 404
    shanghai.refresh_from_db()
    assert notification_enabled(shanghai, CRM_DAILY_DIGEST)


def test_an_unsubscribe_link_of_another_workspace_is_404(
    alpha: Workspace, beta: Workspace, shanghai: User
) -> None:
    from crm.notifications.tokens import UNSUBSCRIBE_SALT, token_make

    with schema_context(alpha.schema):
        token = token_make(salt=UNSUBSCRIBE_SALT, user_id=int(shanghai.pk))
    client = Client(HTTP_HOST=beta.host)
    assert client.post(f"/notifications/digest/unsubscribe/{token}/").status_code == 404


def test_the_digest_opt_out_is_on_the_profile_page(alpha: Workspace, shanghai: User) -> None:
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, shanghai)
    assert "Daily digest" in client.get("/profile/").content.decode()


def test_digests_of_one_workspace_stay_there(alpha: Workspace, beta: Workspace) -> None:
    with schema_context(alpha.schema):
        owner = UserFactory.create(time_zone="Asia/Shanghai")
        _call(owner, NOW - timedelta(days=1), "Alpha call")
    with schema_context(beta.schema):
        UserFactory.create(time_zone="Asia/Shanghai")
        assert digests_send(now=NOW) == 0
    with schema_context(alpha.schema):
        assert digests_send(now=NOW) == 1
    assert "Alpha call" in mail.outbox[0].body
