"""In-app notifications: notify, the CRM's hooks, the bell and its pages, isolation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from crm import services
from crm.models import Contact, Lead, ObjectType
from crm.notifications.mentions import mention_tokens, mentioned_users, mentions_html
from crm.notifications.models import Notification, NotificationKind
from crm.notifications.services import notify
from tenants.users.models import Role, User
from tests.conftest import Workspace, sign_in
from tests.crm.factories import ActivityFactory, ContactFactory, DealFactory, stage_named
from tests.factories import UserFactory


def _kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_notify_with_dedupe_key_creates_one(rep: User) -> None:
    first = notify(recipient=rep, kind=NotificationKind.OTHER, message="Hi", dedupe_key="k1")
    second = notify(recipient=rep, kind=NotificationKind.OTHER, message="Hi", dedupe_key="k1")
    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=rep).count() == 1


def test_notify_refuses_unknown_kind(rep: User) -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipient=rep, kind="nonsense", message="Hi")


def test_creating_a_record_owned_by_someone_else_notifies_them(admin: User, rep: User) -> None:
    contact = services.contact_create(
        by=admin, fields={"first_name": "Li", "last_name": "Wei", "owner": rep}
    )
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == NotificationKind.ASSIGNED
    assert notification.actor == admin
    assert notification.url == contact.get_absolute_url()
    assert "Li Wei" in notification.message


def test_own_records_notify_nobody(rep: User) -> None:
    services.lead_create(by=rep, fields={"name": "Own lead"})
    assert not Notification.objects.exists()


def test_changing_the_owner_notifies_the_new_owner(admin: User, rep: User) -> None:
    lead = services.lead_create(by=admin, fields={"name": "Acme lead"})
    services.lead_update(lead=lead, by=admin, fields={"owner": rep})
    assert _kinds(rep) == [NotificationKind.ASSIGNED]
    assert Notification.objects.get(recipient=rep).target_type == ObjectType.LEAD


def test_bulk_assignment_notifies_once_with_the_count(admin: User, rep: User) -> None:
    for n in range(3):
        ContactFactory.create(owner=admin, first_name=f"C{n}")
    services.records_assign_owner(
        queryset=Contact.objects.all(), object_type=ObjectType.CONTACT, owner=rep, by=admin
    )
    notification = Notification.objects.get(recipient=rep)
    assert "3" in notification.message


def test_assignment_message_is_in_the_recipients_language(admin: User, rep: User) -> None:
    rep.language = "zh-hans"
    rep.save()
    services.lead_create(by=admin, fields={"name": "Acme", "owner": rep})
    assert "分配" in Notification.objects.get(recipient=rep).message


def test_mention_tokens_ignore_email_addresses() -> None:
    assert mention_tokens("ask @li.wei and write to x@example.com @Li.wei") == ["li.wei"]


def test_mentions_match_email_local_part_full_name_and_unique_first_name(crm: Workspace) -> None:
    li = UserFactory.create(full_name="Li Wei", email="li.wei@example.com")
    zhang = UserFactory.create(full_name="张伟", email="zw@example.com")
    anna_1 = UserFactory.create(full_name="Anna Smith", email="as@example.com")
    UserFactory.create(full_name="Anna Jones", email="aj@example.com")
    found = mentioned_users("@li.wei @张伟 @Anna @AnnaSmith")
    assert {u.pk for u in found} == {li.pk, zhang.pk, anna_1.pk}


def test_a_mention_in_a_note_notifies_the_user_once(admin: User, rep: User) -> None:
    rep_name = rep.email.split("@")[0]
    note = services.activity_create(
        by=admin,
        fields={"kind": "note", "subject": "Call notes", "body": f"@{rep_name} please call back"},
    )
    services.activity_update(
        activity=note, by=admin, fields={"body": f"@{rep_name} please call back today"}
    )
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == NotificationKind.MENTIONED
    assert notification.target_id == note.pk


def test_mentions_render_escaped_and_highlighted() -> None:
    html = mentions_html("<b>hi</b> @li.wei")
    assert "&lt;b&gt;" in html
    assert '<span class="crm-mention text-azure fw-medium">@li.wei</span>' in html


def test_moving_a_deal_to_won_notifies_its_owner(admin: User, rep: User) -> None:
    deal = DealFactory.create(owner=rep)
    services.deal_move(deal=deal, stage=stage_named("Won"), by=admin)
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == NotificationKind.DEAL_WON
    assert notification.url == deal.get_absolute_url()


def test_winning_ones_own_deal_notifies_nobody(rep: User) -> None:
    deal = DealFactory.create(owner=rep)
    services.deal_move(deal=deal, stage=stage_named("Won"), by=rep)
    assert not Notification.objects.exists()


def test_moving_to_an_open_stage_notifies_nobody(admin: User, rep: User) -> None:
    deal = DealFactory.create(owner=rep)
    services.deal_move(deal=deal, stage=stage_named("Proposal"), by=admin)
    assert not Notification.objects.exists()


# --- Views ---------------------------------------------------------------------------------------


def test_unread_count_shows_the_number(rep: User, client_as) -> None:
    notify(recipient=rep, kind=NotificationKind.OTHER, message="One")
    notify(recipient=rep, kind=NotificationKind.OTHER, message="Two")
    response = client_as(rep).get("/notifications/unread/")
    assert response.status_code == 200
    assert 'data-testid="bell-count">2<' in response.content.decode()


def _selects(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read or write data (``SET search_path`` only switches schema)."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]


def test_unread_count_runs_at_most_three_queries(rep: User, client_as) -> None:
    """Workspace, session and user (every signed-in request); the number comes from the cache."""
    notify(recipient=rep, kind=NotificationKind.OTHER, message="One")
    client = client_as(rep)
    with CaptureQueriesContext(connection) as cold:
        client.get("/notifications/unread/")
    own = [sql for sql in _selects(cold) if "notifications_notification" in sql]
    assert len(own) == 1
    assert own[0].startswith("SELECT COUNT(*)")
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/notifications/unread/")
    assert response.status_code == 200
    assert len(_selects(warm)) <= 3, _selects(warm)


def test_a_new_notification_shows_in_a_cached_count(rep: User, client_as) -> None:
    client = client_as(rep)
    notify(recipient=rep, kind=NotificationKind.OTHER, message="One")
    client.get("/notifications/unread/")
    notify(recipient=rep, kind=NotificationKind.OTHER, message="Two")
    assert 'data-testid="bell-count">2<' in client.get("/notifications/unread/").content.decode()


def test_the_page_lists_only_ones_own_notifications(rep: User, other_rep: User, client_as) -> None:
    notify(recipient=rep, kind=NotificationKind.OTHER, message="For Rita")
    notify(recipient=other_rep, kind=NotificationKind.OTHER, message="For Otto")
    page = client_as(rep).get("/notifications/").content.decode()
    assert "For Rita" in page
    assert "For Otto" not in page


def test_the_bell_panel_is_a_fragment(rep: User, client_as) -> None:
    notify(recipient=rep, kind=NotificationKind.OTHER, message="Panel item")
    response = client_as(rep).get("/notifications/?panel=1")
    body = response.content.decode()
    assert "Panel item" in body
    assert "<html" not in body


def test_opening_marks_read_and_redirects(rep: User, client_as) -> None:
    notification = notify(
        recipient=rep, kind=NotificationKind.OTHER, message="Go", url="/contacts/"
    )
    response = client_as(rep).post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    notification.refresh_from_db()
    assert notification.is_read


def test_opening_refuses_an_offsite_url(rep: User, client_as) -> None:
    notification = notify(
        recipient=rep, kind=NotificationKind.OTHER, message="Go", url="https://evil.example/"
    )
    response = client_as(rep).post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_404(rep: User, other_rep: User, client_as) -> None:
    notification = notify(recipient=other_rep, kind=NotificationKind.OTHER, message="Private")
    response = client_as(rep).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_read(rep: User, other_rep: User, client_as) -> None:
    notify(recipient=rep, kind=NotificationKind.OTHER, message="A")
    notify(recipient=rep, kind=NotificationKind.OTHER, message="B")
    theirs = notify(recipient=other_rep, kind=NotificationKind.OTHER, message="C")
    client_as(rep).post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_the_navigation_shows_the_bell(rep: User, client_as) -> None:
    page = client_as(rep).get("/").content.decode()
    assert 'data-testid="bell"' in page
    assert "/notifications/unread/" in page


def test_notifications_of_one_workspace_are_invisible_from_another(
    alpha: Workspace, beta: Workspace
) -> None:
    with schema_context(alpha.schema):
        alpha_user = UserFactory.create(role=Role.REP)
        secret = notify(recipient=alpha_user, kind=NotificationKind.OTHER, message="Alpha secret")
    with schema_context(beta.schema):
        beta_user = UserFactory.create(role=Role.REP)
        assert not Notification.objects.filter(message="Alpha secret").exists()
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_user)
    assert "Alpha secret" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{secret.pk}/open/").status_code == 404
    with schema_context(alpha.schema):
        secret.refresh_from_db()
        assert not secret.is_read


def test_unknown_lead_owner_change_leaves_no_notification_on_rollback(
    admin: User, rep: User
) -> None:
    """A change that fails validation tells nobody (the notification is in its transaction)."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.lead_create(by=admin, fields={"name": "", "owner": rep})
    assert not Lead.objects.exists()
    assert not Notification.objects.exists()


def test_activity_assigned_to_someone_else_notifies_them(admin: User, rep: User) -> None:
    ActivityFactory.create(owner=admin)  # unrelated
    services.activity_create(
        by=admin, fields={"kind": "call", "subject": "Ring them", "owner": rep}
    )
    assert _kinds(rep) == [NotificationKind.ASSIGNED]


def test_a_finished_import_tells_who_started_it(crm: Workspace, admin: User) -> None:
    from tests.onboarding.imports.conftest import import_file

    batch = import_file(admin, b"Name,Email\nLi Wei,li@example.com\n")
    notification = Notification.objects.get(recipient=admin)
    assert notification.kind == NotificationKind.IMPORT_FINISHED
    assert notification.url == f"/imports/{batch.pk}/"


def test_an_import_assigning_records_tells_once_not_per_row(crm: Workspace, admin: User) -> None:
    from tests.onboarding.imports.conftest import import_file

    rep = UserFactory.create(role=Role.REP, email="rita@alpha.example")
    rows = "".join(f"Person {n},p{n}@example.com,rita@alpha.example\n" for n in range(5))
    import_file(admin, f"Name,Email,Owner\n{rows}".encode())
    assert Contact.objects.filter(owner=rep).count() == 5
    assert not Notification.objects.filter(recipient=rep).exists()
    assert Notification.objects.filter(recipient=admin).count() == 1
