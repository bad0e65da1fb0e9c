"""Web-to-lead forms: the builder, the public endpoint's protections, leads and contacts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from crm.marketing.models import Assignment, SubmissionResult, WebForm, WebFormSubmission
from crm.marketing.webforms import form_key
from crm.models import Activity, Contact, Lead, LeadSource
from tenants.users.models import User
from tests.conftest import Workspace, after_commit
from tests.crm.factories import ContactFactory

FIELDS = [
    {"key": "name", "required": True, "labels": {"en": "Your name", "zh-hans": "您的姓名"}},
    {"key": "email", "required": True, "labels": {}},
    {"key": "phone", "required": False, "labels": {}},
    {"key": "company_name", "required": False, "labels": {}},
    {"key": "message", "required": False, "labels": {}},
]


def make_form(owner: User, **values) -> WebForm:
    values = {"name": "Contact us", "fields": FIELDS, "owner": owner, **values}
    return WebForm.objects.create(**values)


def url_of(form: WebForm) -> str:
    return f"/f/{form_key(form)}/"


def submit(client: Client, form: WebForm, **data: str) -> Any:
    payload = {"name": "Mei Chen", "email": "Mei@Example.com", **data}
    return client.post(url_of(form), payload)


def test_valid_submission_creates_a_website_lead_with_utm(crm: Workspace, admin: User) -> None:
    """A new visitor becomes a lead owned by the form's owner, UTM and page logged."""
    form = make_form(admin)
    response = submit(
        Client(HTTP_HOST=crm.host),
        form,
        company_name="Chen Trading",
        message="Please call me",
        page_url="https://shop.example/offer?utm_source=newsletter&utm_medium=email",
        utm_campaign="spring",
    )
    assert response.status_code == 200
    assert b"webform-thanks" in response.content
    lead = Lead.objects.get(email="mei@example.com")
    assert (lead.name, lead.company_name, lead.owner, lead.source) == (
        "Mei Chen",
        "Chen Trading",
        admin,
        LeadSource.WEBSITE,
    )
    submission = WebFormSubmission.objects.get(form=form)
    assert submission.result == SubmissionResult.LEAD_CREATED
    assert submission.lead == lead
    assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
        "newsletter",
        "email",
        "spring",
    )
    assert submission.page_url.startswith("https://shop.example/offer")
    note = Activity.objects.get(lead=lead)
    assert "Please call me" in note.body
    assert "utm_campaign: spring" in note.body


def test_referrer_gives_page_and_utm_when_the_snippet_sends_none(
    crm: Workspace, admin: User
) -> None:
    form = make_form(admin)
    Client(HTTP_HOST=crm.host).post(
        url_of(form),
        {"name": "A", "email": "a@example.com"},
        HTTP_REFERER="https://site.example/p?utm_source=ads&utm_term=crm",
    )
    submission = WebFormSubmission.objects.get(form=form)
    assert submission.page_url == "https://site.example/p?utm_source=ads&utm_term=crm"
    assert (submission.utm_source, submission.utm_term) == ("ads", "crm")


def test_honeypot_submission_is_thanked_and_dropped(crm: Workspace, admin: User) -> None:
    form = make_form(admin)
    response = submit(Client(HTTP_HOST=crm.host), form, website_url="http://spam.example")
    assert response.status_code == 200
    assert not Lead.objects.exists()
    assert not WebFormSubmission.objects.exists()


def test_submissions_over_the_ip_limit_get_429(crm: Workspace, admin: User, settings) -> None:
    settings.WEBFORM_RATE_LIMIT = "2/m"
    form = make_form(admin)
    client = Client(HTTP_HOST=crm.host)
    statuses = [submit(client, form, email=f"v{i}@example.com").status_code for i in range(3)]
    assert statuses == [200, 200, 429]
    assert Lead.objects.count() == 2


def test_duplicate_email_updates_the_contact_instead(
    crm: Workspace, admin: User, rep: User
) -> None:
    """A visitor who is already a contact (e-mail in any case) updates it: no new lead."""
    contact = ContactFactory.create(email="mei@example.com", phone="", owner=rep)
    response = submit(Client(HTTP_HOST=crm.host), make_form(admin), phone="+44 20 7946 0958")
    assert response.status_code == 200
    assert not Lead.objects.exists()
    contact.refresh_from_db()
    assert contact.phone == "+442079460958"
    submission = WebFormSubmission.objects.get()
    assert (submission.result, submission.contact) == (SubmissionResult.CONTACT_UPDATED, contact)
    assert Activity.objects.filter(contact=contact).exists()


def test_matching_by_phone_when_the_email_is_new(crm: Workspace, admin: User, rep: User) -> None:
    contact = ContactFactory.create(email="old@example.com", mobile="+442079460958", owner=rep)
    submit(
        Client(HTTP_HOST=crm.host),
        make_form(admin),
        email="new@example.com",
        phone="+44 20 7946 0958",
    )
    assert not Lead.objects.exists()
    assert WebFormSubmission.objects.get().contact == contact


def test_bad_key_is_404(crm: Workspace, admin: User) -> None:
    form = make_form(admin)
    client = Client(HTTP_HOST=crm.host)
    assert client.get(f"/f/{form.pk}-{'0' * 32}/").status_code == 404
    assert client.post(f"/f/{form.pk}/", {"email": "x@example.com"}).status_code == 404
    assert not Lead.objects.exists()


def test_paused_form_is_404(crm: Workspace, admin: User) -> None:
    form = make_form(admin, is_active=False)
    assert Client(HTTP_HOST=crm.host).get(url_of(form)).status_code == 404


def test_oversized_body_is_413(crm: Workspace, admin: User, settings) -> None:
    settings.WEBFORM_MAX_BODY_BYTES = 1000
    response = submit(Client(HTTP_HOST=crm.host), make_form(admin), message="x" * 2000)
    assert response.status_code == 413
    assert not Lead.objects.exists()


def test_overlong_field_is_400_with_the_error(crm: Workspace, admin: User) -> None:
    response = submit(Client(HTTP_HOST=crm.host), make_form(admin), name="x" * 201)
    assert response.status_code == 400
    assert b"invalid-feedback" in response.content
    assert not Lead.objects.exists()


def test_missing_required_field_is_400(crm: Workspace, admin: User) -> None:
    response = Client(HTTP_HOST=crm.host).post(url_of(make_form(admin)), {"name": "No Mail"})
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_invalid_phone_is_400(crm: Workspace, admin: User) -> None:
    response = submit(Client(HTTP_HOST=crm.host), make_form(admin), phone="+1 12")
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_hosted_page_shows_labels_in_the_visitors_language(crm: Workspace, admin: User) -> None:
    form = make_form(admin)
    client = Client(HTTP_HOST=crm.host)
    assert "Your name" in client.get(url_of(form)).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "您的姓名" in client.get(url_of(form)).content.decode()


def test_hosted_page_keeps_utm_of_its_address(crm: Workspace, admin: User) -> None:
    page = Client(HTTP_HOST=crm.host).get(url_of(make_form(admin)) + "?utm_source=flyer")
    assert b'name="utm_source" value="flyer"' in page.content


def test_redirect_url_after_submission_and_in_form_action(crm: Workspace, admin: User) -> None:
    form = make_form(admin, redirect_url="https://shop.example/thanks")
    client = Client(HTTP_HOST=crm.host)
    page = client.get(url_of(form))
    assert "https://shop.example" in page["Content-Security-Policy"].split("form-action")[1]
    response = submit(client, form)
    assert response.status_code == 303
    assert response["Location"] == "https://shop.example/thanks"


def test_round_robin_takes_turns(crm: Workspace, admin: User, rep: User, other_rep: User) -> None:
    form = make_form(admin, assignment=Assignment.ROUND_ROBIN)
    form.round_robin_users.set([rep, other_rep])
    client = Client(HTTP_HOST=crm.host)
    for i in range(3):
        submit(client, form, email=f"rr{i}@example.com")
    owners = list(Lead.objects.order_by("id").values_list("owner", flat=True))
    assert owners == [rep.pk, other_rep.pk, rep.pk]


def test_auto_reply_and_double_opt_in(crm: Workspace, admin: User) -> None:
    form = make_form(
        admin,
        auto_reply=True,
        auto_reply_subject="Thanks!",
        auto_reply_body="Hello",
        double_opt_in=True,
    )
    client = Client(HTTP_HOST=crm.host)
    with after_commit():
        submit(client, form)
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects[1] == "Thanks!"
    assert all(message.to == ["mei@example.com"] for message in mail.outbox)
    confirm = next(m for m in mail.outbox if m.subject != "Thanks!")
    link = next(line for line in confirm.body.splitlines() if "/f/confirm/" in line)
    path = link.split(crm.host, 1)[1].split(":", 1)[-1]
    path = path[path.index("/f/confirm/") :]
    assert client.get(path).status_code == 200
    assert WebFormSubmission.objects.get().confirmed_at is None
    assert client.post(path).status_code == 200
    assert WebFormSubmission.objects.get().confirmed_at is not None


def test_confirmation_link_of_another_workspace_is_404(
    crm: Workspace, admin: User, beta: Workspace
) -> None:
    from crm.marketing.views.public import confirmation_token

    form = make_form(admin)
    submit(Client(HTTP_HOST=crm.host), form)
    token = confirmation_token(WebFormSubmission.objects.get())
    assert Client(HTTP_HOST=beta.host).get(f"/f/confirm/{token}/").status_code == 404
    assert Client(HTTP_HOST=crm.host).get("/f/confirm/forged/").status_code == 404


def test_form_key_of_one_workspace_is_404_on_another(
    crm: Workspace, admin: User, beta: Workspace
) -> None:
    form = make_form(admin)
    path = url_of(form)
    with schema_context(beta.schema):
        beta_owner = User.objects.create_user(email="o@beta.example", password="x", full_name="O")
        WebForm.objects.create(name="Beta", fields=FIELDS, owner=beta_owner, id=form.pk)
        beta_client = Client(HTTP_HOST=beta.host)
        assert beta_client.get(path).status_code == 404
        assert beta_client.post(path, {"name": "X", "email": "x@example.com"}).status_code == 404
        assert not Lead.objects.exists()


def test_embed_snippet_posts_to_the_workspace_host(crm: Workspace, admin: User, client_as) -> None:
    form = make_form(admin)
    page = client_as(admin).get(f"/marketing/forms/{form.pk}/")
    assert page.status_code == 200
    snippet = page.context["snippet"]
    assert f'action="http://{crm.host}/f/{form_key(form)}/"' in snippet
    assert 'name="website_url"' in snippet
    assert 'name="utm_source"' in snippet
    assert 'name="page_url"' in snippet
    assert "Your name" in snippet
    assert 'name="email"' in snippet
    assert "required" in snippet


def test_builder_saves_fields_labels_and_rotation(
    crm: Workspace, admin: User, rep: User, client_as
) -> None:
    data = {
        "name": "Demo request", "is_active": "on", "assignment": Assignment.ROUND_ROBIN,
        "owner": admin.pk, "round_robin_users": [rep.pk],
        "use:email": "on", "req:email": "on", "pos:email": "1", "label:zh-hant:email": "電子郵件",
        "use:name": "on", "pos:name": "2",
    }  # fmt: skip
    response = client_as(admin).post("/marketing/forms/new/", data)
    assert response.status_code == 302, response.content
    form = WebForm.objects.get(name="Demo request")
    assert form.fields == [
        {"key": "email", "required": True, "labels": {"zh-hant": "電子郵件"}},
        {"key": "name", "required": False, "labels": {}},
    ]
    assert list(form.round_robin_users.all()) == [rep]


def test_builder_needs_email_or_phone(crm: Workspace, admin: User, client_as) -> None:
    data = {"name": "Bad", "assignment": Assignment.FIXED, "owner": admin.pk, "use:name": "on"}
    response = client_as(admin).post("/marketing/forms/new/", data)
    assert response.status_code == 400
    assert not WebForm.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager", "reader"])
def test_builder_is_for_admins_only(
    crm: Workspace, admin: User, client_as, role: str, request
) -> None:
    user = request.getfixturevalue(role)
    form = make_form(admin)
    client = client_as(user)
    assert client.get("/marketing/forms/").status_code == 403
    assert client.get(f"/marketing/forms/{form.pk}/").status_code == 403
    assert client.post(f"/marketing/forms/{form.pk}/delete/").status_code == 403
    assert WebForm.objects.filter(pk=form.pk).exists()


def test_custom_field_of_leads_is_stored_on_the_lead(crm: Workspace, admin: User) -> None:
    from crm.models import CustomFieldDefinition, FieldType, ObjectType

    CustomFieldDefinition.objects.create(
        object_type=ObjectType.LEAD, key="budget", label="Budget", field_type=FieldType.NUMBER
    )
    form = make_form(
        admin, fields=[*FIELDS, {"key": "lead.budget", "required": True, "labels": {}}]
    )
    response = submit(Client(HTTP_HOST=crm.host), form, **{"lead__budget": "1500"})
    assert response.status_code == 200, response.content
    assert Lead.objects.get().custom == {"budget": "1500"}


def test_contact_isolation_matching_ignores_other_workspace(
    crm: Workspace, admin: User, beta: Workspace
) -> None:
    """A contact of another workspace with the same address does not match: a lead is made."""
    with schema_context(beta.schema):
        owner = User.objects.create_user(email="b@beta.example", password="x", full_name="B")
        ContactFactory.create(email="mei@example.com", owner=owner)
    submit(Client(HTTP_HOST=crm.host), make_form(admin))
    assert Lead.objects.filter(email="mei@example.com").exists()
    assert not Contact.objects.filter(email="mei@example.com").exists()
