"""Activity reminders: set with the activity, delivered once in-app and by e-mail in the
owner's language and time zone, snoozed and done from the bell or the e-mailed link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.jobs.models import Job
from crm import services
from crm.models import Activity
from crm.notifications.delivery import reminders_send
from crm.notifications.models import Notification, NotificationKind, Reminder, ReminderOffset
from crm.notifications.services import (
    SnoozeChoice,
    notification_preference_set,
    reminder_set,
    snooze_until,
)
from crm.notifications.tasks import periodic_dispatch_task, reminders_send_job
from tenants.users.models import Role, User
from tenants.users.notifications import CRM_ACTIVITY_REMINDER
from tests.conftest import Workspace, sign_in
from tests.factories import UserFactory


def _activity(owner: User, *, due_in: timedelta, remind: int = 15, **fields) -> Activity:
    return services.activity_create(
        by=owner,
        fields={
            "kind": "call",
            "subject": "Call Li Wei",
            "due_at": timezone.now() + due_in,
            **fields,
        },
        remind=remind,
    )


def test_an_activity_with_a_due_time_gets_its_reminder(rep: User) -> None:
    activity = _activity(rep, due_in=timedelta(hours=2), remind=ReminderOffset.MIN_30)
    reminder = Reminder.objects.get(activity=activity)
    assert activity.due_at is not None
    assert reminder.remind_at == activity.due_at - timedelta(minutes=30)


def test_no_reminder_chosen_means_none(rep: User) -> None:
    activity = _activity(rep, due_in=timedelta(hours=2), remind=ReminderOffset.NONE)
    assert not Reminder.objects.filter(activity=activity).exists()


def test_moving_the_due_date_moves_the_reminder(rep: User) -> None:
    activity = _activity(rep, due_in=timedelta(hours=2), remind=ReminderOffset.HOUR_1)
    assert activity.due_at is not None
    later = activity.due_at + timedelta(days=1)
    services.activity_update(activity=activity, by=rep, fields={"due_at": later})
    assert Reminder.objects.get(activity=activity).remind_at == later - timedelta(hours=1)


def test_the_form_starts_with_the_users_default(rep: User, client_as) -> None:
    notification_preference_set(user=rep, reminder_minutes=ReminderOffset.DAY_1)
    page = client_as(rep).get("/activities/new/").content.decode()
    assert re.search(r'<option value="1440" selected>', page)


def test_the_form_saves_the_reminder(rep: User, client_as) -> None:
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(rep).post(
        "/activities/new/",
        {"kind": "call", "subject": "Call back", "due_at": due, "owner": rep.pk, "remind": "5"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Reminder.objects.get(activity__subject="Call back").minutes_before == 5


def test_a_due_reminder_is_delivered_in_app_and_by_email(rep: User) -> None:
    activity = _activity(rep, due_in=timedelta(minutes=10), remind=ReminderOffset.MIN_15)
    assert reminders_send() == 1
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == NotificationKind.REMINDER
    assert notification.reminder is not None
    assert notification.reminder.activity == activity
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    assert "Call Li Wei" in mail.outbox[0].subject
    assert "/reminders/open/" in mail.outbox[0].body


def test_a_rerun_sends_nothing_twice(rep: User) -> None:
    _activity(rep, due_in=timedelta(minutes=10))
    reminders_send()
    assert reminders_send() == 0
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert len(mail.outbox) == 1


def test_a_reminder_not_yet_due_waits(rep: User) -> None:
    _activity(rep, due_in=timedelta(hours=3), remind=ReminderOffset.MIN_15)
    assert reminders_send() == 0
    assert not mail.outbox


def test_a_done_activity_is_not_reminded(rep: User) -> None:
    activity = _activity(rep, due_in=timedelta(minutes=10))
    services.activity_complete(activity=activity, by=rep)
    assert reminders_send() == 0
    assert not mail.outbox


def test_reminder_emails_respect_the_opt_out(rep: User) -> None:
    rep.notification_settings = {CRM_ACTIVITY_REMINDER: False}
    rep.save()
    _activity(rep, due_in=timedelta(minutes=10))
    reminders_send()
    assert Notification.objects.filter(recipient=rep).exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [("Asia/Shanghai", "zh-hans", "提醒"), ("America/New_York", "en", "Reminder")],
)
def test_the_email_is_in_the_owners_language_and_time_zone(
    crm: Workspace, zone: str, language: str, expected: str
) -> None:
    owner = UserFactory.create(role=Role.REP, time_zone=zone, language=language)
    due = datetime(2031, 3, 4, 1, 30, tzinfo=ZoneInfo("UTC"))
    activity = Activity.objects.create(kind="call", subject="Ring", owner=owner, due_at=due)
    Reminder.objects.create(activity=activity, minutes_before=0, remind_at=due)
    reminders_send(now=due)
    local = due.astimezone(ZoneInfo(zone))
    message = mail.outbox[0]
    assert expected in message.subject
    assert f"{local:%H:%M}" in message.body
    # Shanghai is 09:30 on the 4th, New York 20:30 on the 3rd.
    assert str(local.day) in message.body


def test_snooze_choices_follow_the_users_time_zone(crm: Workspace) -> None:
    now = datetime(2031, 3, 4, 20, 0, tzinfo=ZoneInfo("UTC"))
    shanghai = UserFactory.create(time_zone="Asia/Shanghai")
    new_york = UserFactory.create(time_zone="America/New_York")
    assert snooze_until(SnoozeChoice.TEN_MINUTES, user=shanghai, now=now) == now + timedelta(
        minutes=10
    )
    # 04:00 on the 5th in Shanghai → 08:00 on the 6th;
    # 15:00 on the 4th in New York → 08:00 on the 5th.
    assert snooze_until(SnoozeChoice.TOMORROW, user=shanghai, now=now) == datetime(
        2031, 3, 6, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert snooze_until(SnoozeChoice.TOMORROW, user=new_york, now=now) == datetime(
        2031, 3, 5, 8, 0, tzinfo=ZoneInfo("America/New_York")
    )


def test_snooze_from_the_bell_rings_again_later(rep: User, client_as) -> None:
    activity = _activity(rep, due_in=timedelta(minutes=10))
    reminders_send()
    reminder = Reminder.objects.get(activity=activity)
    response = client_as(rep).post(f"/reminders/{reminder.pk}/snooze/", {"choice": "1h"})
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert reminder.remind_at > timezone.now() + timedelta(minutes=55)
    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()
    assert reminders_send() == 0
    assert reminders_send(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1
    assert Notification.objects.filter(recipient=rep).count() == 2


def test_done_from_the_bell_completes_the_activity(rep: User, client_as) -> None:
    activity = _activity(rep, due_in=timedelta(minutes=10))
    reminders_send()
    reminder = Reminder.objects.get(activity=activity)
    client_as(rep).post(f"/reminders/{reminder.pk}/done/")
    activity.refresh_from_db()
    assert activity.is_done


def test_someone_elses_reminder_cannot_be_snoozed(rep: User, other_rep: User, client_as) -> None:
    reminder = reminder_set(activity=_activity(rep, due_in=timedelta(hours=2)), minutes_before=15)
    assert reminder is not None
    response = client_as(other_rep).post(f"/reminders/{reminder.pk}/snooze/", {"choice": "1h"})
    assert response.status_code == 404


def test_the_emailed_link_opens_the_reminder_for_its_owner_only(
    rep: User, other_rep: User, client_as
) -> None:
    _activity(rep, due_in=timedelta(minutes=10))
    reminders_send()
    found = re.search(r"https?://[^/]+(/reminders/open/\S+/)", str(mail.outbox[0].body))
    assert found is not None
    path = found.group(1)
    assert Client(HTTP_HOST="alpha.localhost").get(path)["Location"].startswith("/login/")
    page = client_as(rep).get(path)
    assert page.status_code == 200
    assert "Call Li Wei" in page.content.decode()
    assert client_as(other_rep).get(path).status_code == 404


def test_the_job_runs_in_its_workspace(rep: User) -> None:
    _activity(rep, due_in=timedelta(minutes=10))
    assert reminders_send_job() == 1


def test_beat_dispatch_records_one_job_per_workspace_per_slot(
    alpha: Workspace, beta: Workspace
) -> None:
    """A second beat in the same slot adds nothing (the slot is in the dedupe key)."""
    periodic_dispatch_task("notifications.reminders_send", 1440, 0)
    periodic_dispatch_task("notifications.reminders_send", 1440, 0)
    schemas = list(
        Job.objects.filter(handler="notifications.reminders_send").values_list(
            "schema_name", flat=True
        )
    )
    assert len(schemas) == len(set(schemas))
    assert {alpha.schema, beta.schema} <= set(schemas)


def test_reminders_of_one_workspace_stay_there(alpha: Workspace, beta: Workspace) -> None:
    with schema_context(alpha.schema):
        owner = UserFactory.create(role=Role.REP)
        _activity(owner, due_in=timedelta(minutes=10))
    with schema_context(beta.schema):
        beta_user = UserFactory.create(role=Role.REP)
        assert reminders_send() == 0
        assert not Notification.objects.exists()
    with schema_context(alpha.schema):
        assert reminders_send() == 1
        reminder = Reminder.objects.get()
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_user)
    assert client.post(f"/reminders/{reminder.pk}/snooze/", {"choice": "1h"}).status_code == 404


def test_a_reminder_wakes_its_workspace_job_at_its_minute(crm: Workspace, rep: User) -> None:
    """One delayed job per workspace and minute, due when the reminder is (not every minute)."""
    due = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    first, _second = (
        services.activity_create(
            by=rep, fields={"kind": "call", "subject": f"Call {n}", "due_at": due}, remind=15
        )
        for n in range(2)
    )
    reminder = Reminder.objects.get(activity=first)
    jobs = Job.objects.filter(handler="notifications.reminders_send", schema_name=crm.schema)
    assert jobs.count() == 1
    job = jobs.get()
    assert abs((job.available_at - reminder.remind_at).total_seconds()) < 60
    assert job.queue == "interactive"
