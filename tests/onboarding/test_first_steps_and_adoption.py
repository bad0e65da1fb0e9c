"""Each person's first steps tick themselves from what they do; the admin sees adoption per
user from the audit log, activities and first steps, with key users flagged."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from crm import services as crm
from crm.models import ActivityKind, AuditEntry
from onboarding.models import KeyUser, UserStart
from onboarding.selectors import adoption_rows, first_steps
from onboarding.services import sample_data_add


def test_nothing_is_ticked_at_first(guided, rep) -> None:
    assert first_steps(rep).done == 0


def test_creating_a_deal_ticks_the_first_step(guided, rep) -> None:
    crm.deal_create(by=rep, fields={"title": "First"})
    steps = first_steps(rep)
    assert steps.deal_created
    assert steps.done == 1


def test_a_call_logged_as_done_ticks_log_a_call_and_a_scheduled_one_does_not(guided, rep) -> None:
    later = timezone.now() + datetime.timedelta(days=2)
    crm.activity_create(
        by=rep, fields={"kind": ActivityKind.CALL, "subject": "Later", "due_at": later}
    )
    steps = first_steps(rep)
    assert not steps.call_logged
    assert steps.follow_up_scheduled
    crm.activity_create(
        by=rep, fields={"kind": ActivityKind.CALL, "subject": "Done", "done_at": timezone.now()}
    )
    assert first_steps(rep).call_logged


def test_a_follow_up_stays_ticked_after_its_day_has_passed(guided, rep) -> None:
    activity = crm.activity_create(
        by=rep,
        fields={
            "kind": ActivityKind.TASK,
            "subject": "Chase",
            "due_at": timezone.now() + datetime.timedelta(hours=3),
        },
    )
    crm.activity_complete(activity=activity, by=rep)
    assert first_steps(rep).follow_up_scheduled


def test_one_persons_steps_are_not_anothers(guided, admin, rep) -> None:
    crm.deal_create(by=admin, fields={"title": "Admin's"})
    assert not first_steps(rep).deal_created


def test_sample_records_tick_nothing(guided, admin) -> None:
    sample_data_add(by=admin, language="en")
    steps = first_steps(admin)
    assert (steps.deal_created, steps.call_logged, steps.follow_up_scheduled) == (
        False,
        False,
        False,
    )


def test_a_search_ticks_find_a_record_and_typing_counts_once_a_minute(
    guided, rep, rep_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.get("/search/", {"q": ""})
    assert not first_steps(rep).searched
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for text in ("a", "ac", "acm"):
            assert rep_client.get("/search/", {"q": text}).status_code == 200
    assert len(callbacks) == 1
    assert first_steps(rep).searched
    assert UserStart.objects.get(user=rep).searches == 1


def test_counting_searches_adds_to_an_existing_row(guided, rep) -> None:
    from onboarding.services import first_steps_dismiss, search_record

    first_steps_dismiss(user=rep)
    search_record(user_id=rep.pk)
    search_record(user_id=rep.pk)
    start = UserStart.objects.get(user=rep)
    assert (start.searches, start.first_steps_dismissed_at is not None) == (2, True)


def test_the_checklist_page_is_every_persons_own(guided, rep, rep_client) -> None:
    crm.deal_create(by=rep, fields={"title": "Mine"})
    page = rep_client.get("/start/first-steps/").content.decode()
    assert 'data-testid="my-first-steps"' in page
    assert 'data-testid="first-step-deal" data-done="1"' in page
    assert 'data-testid="first-step-call" data-done="0"' in page


def test_hiding_the_first_steps_card(guided, rep_client) -> None:
    assert b"first-steps-card" in rep_client.get("/").content
    rep_client.post("/start/first-steps/dismiss/")
    assert b"first-steps-card" not in rep_client.get("/").content


def test_a_read_only_user_gets_no_first_steps_card(guided, alpha) -> None:
    from tenants.users.models import Role
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    reader = UserFactory.create(role=Role.READ_ONLY)
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    assert b"first-steps-card" not in client.get("/").content
    assert client.post("/start/first-steps/dismiss/").status_code == 403


# --- Adoption ------------------------------------------------------------------------------------


def _row(rows, user):
    return next(row for row in rows if row.user.pk == user.pk)


def test_adoption_counts_records_created_and_updated_from_the_audit_log(guided, admin, rep) -> None:
    company = crm.company_create(by=rep, fields={"name": "Acme"})
    crm.company_update(company=company, by=rep, fields={"city": "Taipei"})
    crm.company_update(company=company, by=admin, fields={"city": "Tainan"})
    rows = adoption_rows()
    assert (_row(rows, rep).created, _row(rows, rep).updated) == (1, 1)
    assert (_row(rows, admin).created, _row(rows, admin).updated) == (0, 1)


def test_adoption_ignores_old_entries_and_sample_records(guided, admin) -> None:
    company = crm.company_create(by=admin, fields={"name": "Old"})
    AuditEntry.objects.filter(object_id=company.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    sample_data_add(by=admin, language="en")
    row = _row(adoption_rows(), admin)
    assert (row.created, row.updated, row.activities_this_week) == (0, 0, 0)


def test_adoption_counts_activities_logged_this_week(guided, rep) -> None:
    crm.activity_create(by=rep, fields={"kind": ActivityKind.NOTE, "subject": "Met"})
    crm.activity_create(by=rep, fields={"kind": ActivityKind.NOTE, "subject": "Again"})
    old = crm.activity_create(by=rep, fields={"kind": ActivityKind.NOTE, "subject": "Old"})
    AuditEntry.objects.filter(object_type="activity", object_id=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert _row(adoption_rows(), rep).activities_this_week == 2


def test_adoption_flags_key_users_and_backups_and_shows_first_steps(
    guided, admin, rep, admin_client
) -> None:
    KeyUser.objects.create(
        department="Sales", email="someone@alpha.example", backup_email=rep.email
    )
    crm.deal_create(by=rep, fields={"title": "Hers"})
    rows = adoption_rows()
    assert _row(rows, rep).key_user
    assert not _row(rows, admin).key_user
    assert _row(rows, rep).first_steps.done == 1
    page = admin_client.get("/settings/adoption/").content.decode()
    assert page.count('data-testid="key-user-flag"') == 1
    assert f'data-user="{rep.email}"' in page


def test_adoption_shows_the_last_sign_in(guided, rep, admin_client) -> None:
    from tenants.users.models import User

    User.objects.filter(pk=rep.pk).update(last_login=timezone.now() - datetime.timedelta(days=3))
    row = _row(adoption_rows(), rep)
    assert row.last_sign_in is not None
    assert "3\xa0days ago" in admin_client.get("/settings/adoption/").content.decode()
