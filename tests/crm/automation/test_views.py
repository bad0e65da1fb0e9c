"""The rule settings pages: form validation, secret shown once, run log, dry run, roles."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from crm.automation.models import Rule, RuleRun, RunStatus
from crm.models import Activity

pytestmark = pytest.mark.usefixtures("crm")


def _post_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Welcome call",
        "is_active": "on",
        "object_type": "contact",
        "trigger": "created",
        "match": "all",
        "cond-TOTAL_FORMS": "2",
        "cond-INITIAL_FORMS": "0",
        "cond-0-field": "city",
        "cond-0-operator": "equals",
        "cond-0-value": "Shanghai",
        "act-TOTAL_FORMS": "2",
        "act-INITIAL_FORMS": "0",
        "act-0-kind": "create_activity",
        "act-0-activity_kind": "call",
        "act-0-title": "Welcome call",
        "act-0-due_days": "1",
        "act-0-mode": "fixed",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_rule(admin, client_as) -> None:
    response = client_as(admin).post("/settings/rules/new/", _post_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get()
    assert rule.conditions == [{"field": "city", "operator": "equals", "value": "Shanghai"}]
    assert rule.actions == [
        {"kind": "create_activity", "activity_kind": "call", "title": "Welcome call", "due_days": 1}
    ]
    assert rule.created_by == admin


def test_missing_trigger_details_are_named(admin, client_as) -> None:
    response = client_as(admin).post("/settings/rules/new/", _post_data(trigger="field_changed"))
    assert response.status_code == 400
    assert "This trigger needs it." in response.content.decode()
    assert not Rule.objects.exists()


def test_a_condition_on_another_record_types_field_is_refused(admin, client_as) -> None:
    response = client_as(admin).post(
        "/settings/rules/new/", _post_data(**{"cond-0-field": "amount", "cond-0-value": "5"})
    )
    assert response.status_code == 400
    assert "Not a field of this record type." in response.content.decode()


def test_a_rule_needs_an_action(admin, client_as) -> None:
    response = client_as(admin).post("/settings/rules/new/", _post_data(**{"act-0-kind": ""}))
    assert response.status_code == 400
    assert "Add at least one action." in response.content.decode()


def test_a_webhook_to_a_private_address_is_refused_in_the_form(admin, client_as) -> None:
    response = client_as(admin).post(
        "/settings/rules/new/",
        _post_data(**{"act-0-kind": "webhook", "act-0-url": "https://192.168.1.1/x"}),
    )
    assert response.status_code == 400
    assert "private or local network" in response.content.decode()


def test_the_webhook_secret_is_shown_once(admin, client_as) -> None:
    client = client_as(admin)
    response = client.post(
        "/settings/rules/new/",
        _post_data(**{"act-0-kind": "webhook", "act-0-url": "https://hooks.example.com/in"}),
    )
    rule = Rule.objects.get()
    first = client.get(response["Location"]).content.decode()
    assert rule.webhook_secret in first
    assert rule.webhook_secret not in client.get(response["Location"]).content.decode()


def test_the_rule_page_shows_its_run_log(admin, client_as) -> None:
    rule = Rule.objects.create(
        name="Tagger", object_type="contact", trigger="created",
        actions=[{"kind": "add_tag", "tag": "x"}],
    )  # fmt: skip
    RuleRun.objects.create(
        rule=rule, object_type="contact", object_id=7, object_repr="Li Na",
        status=RunStatus.FAILED, error="Boom happened",
    )  # fmt: skip
    page = client_as(admin).get(f"/settings/rules/{rule.pk}/").content.decode()
    assert "Li Na" in page
    assert "Boom happened" in page


def test_the_dry_run_page_writes_nothing(admin, rep, client_as) -> None:
    from crm import services as crm

    crm.contact_create(by=rep, fields={"full_name": "Li Na"})
    rule = Rule.objects.create(
        name="Tasks", object_type="contact", trigger="created",
        actions=[{"kind": "create_activity", "title": "Hello", "due_days": 0}],
    )  # fmt: skip
    response = client_as(admin).get(f"/settings/rules/{rule.pk}/dry-run/")
    assert response.status_code == 200
    assert "Li Na" in response.content.decode()
    assert not Activity.objects.exists()
    assert not RuleRun.objects.exists()


def test_reps_cannot_open_rules(rep, client_as) -> None:
    assert client_as(rep).get("/settings/rules/").status_code == 403


def test_another_workspace_cannot_see_a_rule(alpha, beta, client_as) -> None:
    from django.test import Client

    from tests.conftest import sign_in
    from tests.factories import AdminFactory

    rule = Rule.objects.create(name="Alpha only", object_type="contact", trigger="created")
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create()
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    assert client.get(f"/settings/rules/{rule.pk}/").status_code == 404
    assert "Alpha only" not in client.get("/settings/rules/").content.decode()


def test_the_pages_render_for_an_admin(admin, rep, other_rep, client_as) -> None:
    rule = Rule.objects.create(
        name="Rotation",
        object_type="lead",
        trigger="lead_source",
        trigger_source="event",
        conditions=[{"field": "status", "operator": "equals", "value": "new"}],
        actions=[{"kind": "assign_owner", "mode": "round_robin", "users": [rep.pk, other_rep.pk]}],
    )
    client = client_as(admin)
    assert "Rotation" in client.get("/settings/rules/").content.decode()
    edit = client.get(f"/settings/rules/{rule.pk}/edit/").content.decode()
    assert 'value="Rotation"' in edit
    assert 'name="act-0-users"' in edit
    detail = client.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert "Assign the owner in turn among" in detail
    assert client.get("/settings/rules/new/").status_code == 200
    assert client.get("/settings/care/").status_code == 200


def test_editing_keeps_the_rows_and_resets_the_rotation(admin, rep, other_rep, client_as) -> None:
    rule = Rule.objects.create(
        name="Rotation", object_type="contact", trigger="created",
        actions=[{"kind": "assign_owner", "mode": "round_robin", "users": [rep.pk, other_rep.pk]}],
        rotation={"0": 1},
    )  # fmt: skip
    data = _post_data(**{
        "name": "Rotation", "cond-0-field": "", "act-0-kind": "assign_owner",
        "act-0-mode": "round_robin", "act-0-title": "",
    })  # fmt: skip
    data["act-0-users"] = [str(rep.pk), str(admin.pk)]  # type: ignore[assignment]
    response = client_as(admin).post(f"/settings/rules/{rule.pk}/edit/", data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.actions == [
        {"kind": "assign_owner", "mode": "round_robin", "users": [rep.pk, admin.pk]}
    ]
    assert rule.conditions == []
    assert rule.rotation == {}
