"""Telesales: queues from segments, the next contact, outcomes, callbacks, do-not-call,
two reps never on the same contact, targets and the leaderboard, permissions, isolation."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.errors import CrmError
from crm.marketing.models import (
    CallOutcome,
    CallQueue,
    EntryStatus,
    QueueCall,
    QueueEntry,
    Segment,
    SegmentKind,
    SegmentMember,
)
from crm.marketing.selectors_telesales import leaderboard
from crm.marketing.services.telesales import (
    call_outcome_record,
    call_queue_build,
    queue_next,
)
from crm.models import Activity, ActivityKind, Contact, Deal
from tenants.users.models import Role, User
from tests.conftest import Workspace
from tests.crm.factories import ContactFactory, TagFactory
from tests.factories import UserFactory


def phoned(owner: User, **kw: object) -> Contact:
    return ContactFactory.create(owner=owner, phone=kw.pop("phone", "+442079460958"), **kw)


def queue_of(creator: User, contacts: list[Contact], **settings: object) -> CallQueue:
    segment = Segment.objects.create(name="Call list", kind=SegmentKind.STATIC, owner=creator)
    SegmentMember.objects.bulk_create(SegmentMember(segment=segment, contact=c) for c in contacts)
    queue = CallQueue.objects.create(name="Q", segment=segment, owner=creator, **settings)
    call_queue_build(queue=queue)
    return queue


def test_build_takes_callable_members_once(crm: Workspace, admin: User) -> None:
    callable_contact = phoned(admin)
    no_phone = ContactFactory.create(owner=admin, phone="", mobile="")
    no_calls = phoned(admin, phone_opt_out=True)
    queue = queue_of(admin, [callable_contact, no_phone, no_calls])
    assert list(queue.entries.values_list("contact", flat=True)) == [callable_contact.pk]
    assert call_queue_build(queue=queue) == 0


def test_build_from_a_dynamic_segment(crm: Workspace, admin: User) -> None:
    tag = TagFactory.create(name="call-me")
    wanted = phoned(admin)
    wanted.tags.add(tag)
    phoned(admin)
    segment = Segment.objects.create(name="Tagged", filters={"tag": str(tag.pk)}, owner=admin)
    queue = CallQueue.objects.create(name="Q", segment=segment, owner=admin)
    assert call_queue_build(queue=queue) == 1
    assert queue.entries.get().contact == wanted


def test_next_holds_the_same_contact_for_the_rep(crm: Workspace, admin: User) -> None:
    queue = queue_of(admin, [phoned(admin), phoned(admin)])
    first = queue_next(queue=queue, rep=admin)
    assert first is not None
    assert queue_next(queue=queue, rep=admin) == first


def test_two_reps_get_different_contacts(crm: Workspace, admin: User, manager: User) -> None:
    queue = queue_of(admin, [phoned(admin), phoned(admin)])
    mine = queue_next(queue=queue, rep=admin)
    theirs = queue_next(queue=queue, rep=manager)
    assert mine is not None
    assert theirs is not None
    assert mine.contact_id != theirs.contact_id
    assert (
        queue_next(
            queue=QueueEntry.objects.get(pk=mine.pk).queue,
            rep=UserFactory.create(role=Role.MANAGER),
        )
        is None
    )


def test_no_answer_retries_later_then_gives_up(crm: Workspace, admin: User) -> None:
    contact = phoned(admin)
    queue = queue_of(admin, [contact], retry_minutes=60, max_attempts=2)
    entry = queue_next(queue=queue, rep=admin)
    assert entry is not None
    call_outcome_record(entry=entry, rep=admin, outcome=CallOutcome.NO_ANSWER)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WAITING
    assert entry.due_at > timezone.now() + timedelta(minutes=59)
    assert queue_next(queue=queue, rep=admin) is None  # not due yet
    QueueEntry.objects.filter(pk=entry.pk).update(due_at=timezone.now())
    again = queue_next(queue=queue, rep=admin)
    assert again == entry
    call_outcome_record(entry=entry, rep=admin, outcome=CallOutcome.NO_ANSWER)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DONE
    calls = Activity.objects.filter(contact=contact, kind=ActivityKind.CALL, done_at__isnull=False)
    assert calls.count() == 2


def test_call_back_schedules_an_activity_and_returns_then(
    crm: Workspace, admin: User, manager: User
) -> None:
    contact = phoned(admin)
    queue = queue_of(admin, [contact])
    entry = queue_next(queue=queue, rep=admin)
    assert entry is not None
    when = timezone.now() + timedelta(hours=3)
    call_outcome_record(entry=entry, rep=admin, outcome=CallOutcome.CALL_BACK, call_back_at=when)
    task = Activity.objects.get(contact=contact, done_at__isnull=True)
    assert (task.kind, task.due_at, task.owner) == (ActivityKind.CALL, when, admin)
    assert queue_next(queue=queue, rep=admin) is None
    QueueEntry.objects.filter(pk=entry.pk).update(due_at=timezone.now())
    assert queue_next(queue=queue, rep=manager) is None  # reserved for the rep who arranged it
    assert queue_next(queue=queue, rep=admin) == entry


def test_call_back_needs_a_future_time(crm: Workspace, admin: User) -> None:
    queue = queue_of(admin, [phoned(admin)])
    entry = queue_next(queue=queue, rep=admin)
    assert entry is not None
    with pytest.raises(CrmError):
        call_outcome_record(
            entry=entry,
            rep=admin,
            outcome=CallOutcome.CALL_BACK,
            call_back_at=timezone.now() - timedelta(minutes=1),
        )


def test_interested_opens_a_deal_for_the_contact(crm: Workspace, admin: User, rep: User) -> None:
    contact = phoned(rep)
    queue = queue_of(admin, [contact])
    entry = queue_next(queue=queue, rep=rep)
    assert entry is not None
    call_outcome_record(entry=entry, rep=rep, outcome=CallOutcome.INTERESTED, note="Wants a demo")
    deal = Deal.objects.get(contacts=contact)
    assert deal.owner == rep
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DONE


def test_do_not_call_flags_the_contact_and_empties_other_queues(
    crm: Workspace, admin: User
) -> None:
    contact = phoned(admin)
    queue = queue_of(admin, [contact])
    other = queue_of(admin, [contact])
    entry = queue_next(queue=queue, rep=admin)
    assert entry is not None
    call_outcome_record(entry=entry, rep=admin, outcome=CallOutcome.DO_NOT_CALL)
    contact.refresh_from_db()
    assert contact.phone_opt_out
    assert queue_next(queue=other, rep=admin) is None


def test_another_reps_lease_is_respected(crm: Workspace, admin: User, manager: User) -> None:
    queue = queue_of(admin, [phoned(admin)])
    entry = queue_next(queue=queue, rep=admin)
    assert entry is not None
    with pytest.raises(CrmError):
        call_outcome_record(entry=entry, rep=manager, outcome=CallOutcome.BUSY)


def test_reps_only_get_contacts_they_see(crm: Workspace, admin: User, rep: User) -> None:
    queue = queue_of(admin, [phoned(admin)])
    assert queue_next(queue=queue, rep=rep) is None
    mine = phoned(rep)
    SegmentMember.objects.create(segment=Segment.objects.get(call_queues=queue), contact=mine)
    call_queue_build(queue=queue)
    got = queue_next(queue=queue, rep=rep)
    assert got is not None
    assert got.contact == mine


def test_leaderboard_counts_calls_and_outcomes_per_rep(
    crm: Workspace, admin: User, manager: User
) -> None:
    queue = queue_of(admin, [phoned(admin) for _ in range(3)], daily_target=4)
    for rep, outcome in (
        (admin, CallOutcome.BUSY),
        (admin, CallOutcome.NOT_INTERESTED),
        (manager, CallOutcome.NO_ANSWER),
    ):
        entry = queue_next(queue=queue, rep=rep)
        assert entry is not None
        call_outcome_record(entry=entry, rep=rep, outcome=outcome)
    board = leaderboard(queue)
    assert [(row["rep"], row["calls"]) for row in board] == [(admin.pk, 2), (manager.pk, 1)]
    assert board[0]["busy"] == 1
    assert board[0]["not_interested"] == 1
    assert board[0]["progress"] == 50


def test_work_screen_and_one_click_outcome(crm: Workspace, admin: User, client_as) -> None:
    first, second = (
        phoned(admin, full_name="First Caller"),
        phoned(admin, full_name="Second Caller"),
    )
    queue = queue_of(admin, [first, second])
    client = client_as(admin)
    page = client.get(f"/marketing/queues/{queue.pk}/work/")
    assert page.status_code == 200
    entry = page.context["entry"]
    assert f'href="tel:{entry.contact.phone}"' in page.content.decode()
    response = client.post(
        f"/marketing/queues/{queue.pk}/entries/{entry.pk}/outcome/", {"outcome": "not_interested"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/marketing/queues/{queue.pk}/work/"
    following = client.get(response["Location"])
    assert following.context["entry"].contact != entry.contact
    assert QueueCall.objects.filter(queue=queue, rep=admin).count() == 1
    detail = client.get(f"/marketing/queues/{queue.pk}/")
    assert b"queue-leaderboard" in detail.content


def test_personal_queue_is_hidden_from_other_reps(
    crm: Workspace, rep: User, other_rep: User, client_as
) -> None:
    queue = queue_of(rep, [phoned(rep)], is_shared=False)
    client = client_as(other_rep)
    assert client.get(f"/marketing/queues/{queue.pk}/").status_code == 404
    assert client.get(f"/marketing/queues/{queue.pk}/work/").status_code == 404
    assert client_as(rep).get(f"/marketing/queues/{queue.pk}/work/").status_code == 200


def test_readers_cannot_work_a_queue(crm: Workspace, admin: User, reader: User, client_as) -> None:
    queue = queue_of(admin, [phoned(admin)])
    client = client_as(reader)
    assert client.get(f"/marketing/queues/{queue.pk}/").status_code == 200
    assert client.get(f"/marketing/queues/{queue.pk}/work/").status_code == 403
    entry = queue.entries.get()
    assert (
        client.post(
            f"/marketing/queues/{queue.pk}/entries/{entry.pk}/outcome/", {"outcome": "busy"}
        ).status_code
        == 403
    )


def test_create_queue_builds_it_in_a_job(crm: Workspace, admin: User, client_as) -> None:
    from tests.conftest import after_commit

    contact = phoned(admin)
    segment = Segment.objects.create(name="All", owner=admin)
    with after_commit():
        response = client_as(admin).post(
            "/marketing/queues/new/",
            {
                "name": "Spring calls",
                "segment": segment.pk,
                "is_shared": "on",
                "daily_target": 30,
                "retry_minutes": 60,
                "max_attempts": 3,
            },
        )
    assert response.status_code == 302, response.content
    queue = CallQueue.objects.get(name="Spring calls")
    assert list(queue.entries.values_list("contact", flat=True)) == [contact.pk]


def test_queue_of_another_workspace_is_404(crm: Workspace, admin: User, beta: Workspace) -> None:
    queue = queue_of(admin, [phoned(admin)])
    with schema_context(beta.schema):
        beta_admin = User.objects.create_user(
            email="q@beta.example", password="x", full_name="B", role="admin"
        )
        client = Client(HTTP_HOST=beta.host)
        client.force_login(beta_admin)
        assert client.get(f"/marketing/queues/{queue.pk}/").status_code == 404
        assert client.get(f"/marketing/queues/{queue.pk}/work/").status_code == 404


def test_concurrent_reps_never_get_the_same_contact(committed: None) -> None:
    """Two reps asking at the same instant, in two connections: SKIP LOCKED hands out two
    different contacts (committed data, cleaned up afterwards)."""
    from tenants.models import Tenant

    alpha = Workspace(Tenant.objects.get(slug="alpha"), "alpha.localhost")
    with schema_context(alpha.schema):
        first_rep = UserFactory.create(role=Role.ADMIN, email="race1@alpha.example")
        second_rep = UserFactory.create(role=Role.ADMIN, email="race2@alpha.example")
        contacts = [phoned(first_rep, full_name=f"Race {i}") for i in range(2)]
        queue = queue_of(first_rep, contacts)
    barrier = threading.Barrier(2)
    results: dict[str, int | None] = {}

    def take(rep: User) -> None:
        try:
            with schema_context(alpha.schema):
                barrier.wait()
                entry = queue_next(queue=queue, rep=rep)
                results[rep.email] = entry.contact_id if entry else None
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(rep,)) for rep in (first_rep, second_rep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert set(results) == {first_rep.email, second_rep.email}
        assert None not in results.values()
        assert len(set(results.values())) == 2
    finally:
        with schema_context(alpha.schema):
            CallQueue.objects.filter(pk=queue.pk).delete()
            Segment.objects.filter(pk=queue.segment_id or 0).delete()
            Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
            User.objects.filter(pk__in=[first_rep.pk, second_rep.pk]).delete()
        connection.close()
