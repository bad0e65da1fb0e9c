"""E-mail from the CRM: templates with a closed set of merge fields, sending to contacts
with opt-outs respected and the reason shown, each e-mail on the contact's timeline."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from core.jobs.models import Job, JobQueue
from crm.mailing.merge import MergeContext, merge_errors, merge_render
from crm.mailing.models import EmailBatch, EmailTemplate
from crm.mailing.services import email_batch_run, email_send, email_template_save
from crm.models import Activity, ActivityKind, Contact, ContactCompany
from tenants.users.models import Role, User
from tests.conftest import Workspace, after_commit, sign_in
from tests.crm.factories import CompanyFactory, ContactFactory
from tests.factories import UserFactory

GREETING = "Dear {{ contact.first_name }} of {{ company.name }}, regards {{ sender.name }}"


def _contact(owner: User, **fields) -> Contact:
    defaults = {
        "first_name": "Li",
        "last_name": "Wei",
        "full_name": "Li Wei",
        "email": "li@example.com",
    }
    return ContactFactory.create(owner=owner, **{**defaults, **fields})


def test_merge_fields_are_filled_in(admin: User) -> None:
    contact = _contact(admin)
    company = CompanyFactory.create(owner=admin, name="Acme")
    text = merge_render(GREETING, MergeContext(contact=contact, company=company, sender=admin))
    assert text == "Dear Li of Acme, regards Ada Admin"


def test_a_missing_record_leaves_its_fields_empty(admin: User) -> None:
    assert merge_render("Hi {{ company.name }}!", MergeContext(sender=admin)) == "Hi !"


def test_unknown_fields_and_template_syntax_are_errors() -> None:
    translation.activate("en")
    assert merge_errors("{{ contact.password }}") == ["Unknown merge field {{ contact.password }}."]
    assert merge_errors("{{ settings.SECRET_KEY }}")
    assert merge_errors("{% load static %}")
    assert merge_errors("{{ contact.first_name|upper }}")
    assert merge_errors(GREETING) == []


def test_attribute_access_beyond_the_list_is_impossible(admin: User) -> None:
    contact = _contact(admin)
    text = merge_render("{{ contact.owner }}{{ contact.__class__ }}", MergeContext(contact=contact))
    assert text == ""


def test_saving_a_template_with_a_bad_field_is_refused(admin: User) -> None:
    with pytest.raises(ValidationError) as error:
        email_template_save(
            by=admin,
            fields={"name": "Hi", "language": "en", "subject": "Hi", "body": "{{ contact.pwd }}"},
        )
    assert "{{ contact.pwd }}" in str(error.value)


def test_only_admins_write_templates(rep: User) -> None:
    from crm.errors import CrmError

    with pytest.raises(CrmError):
        email_template_save(
            by=rep, fields={"name": "Hi", "language": "en", "subject": "Hi", "body": "Hello"}
        )


def test_the_template_page_shows_the_bad_field(admin: User, client_as) -> None:
    response = client_as(admin).post(
        "/settings/email-templates/new/",
        {"name": "Welcome", "language": "zh-hans", "subject": "Hi", "body": "{{ deal.amount }}"},
    )
    assert response.status_code == 400
    assert "{{ deal.amount }}" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_the_template_preview_uses_the_chosen_contact(admin: User, client_as) -> None:
    template = email_template_save(
        by=admin,
        fields={
            "name": "Hi",
            "language": "en",
            "subject": "Hi {{ contact.first_name }}",
            "body": "x",
        },
    )
    contact = _contact(admin, first_name="Mei")
    page = client_as(admin).get(f"/settings/email-templates/{template.pk}/?contact={contact.pk}")
    assert "Hi Mei" in page.content.decode()


def test_sending_to_a_contact_mails_and_logs_on_the_timeline(admin: User) -> None:
    contact = _contact(admin)
    company = CompanyFactory.create(owner=admin, name="Acme")
    ContactCompany.objects.create(contact=contact, company=company)
    result = email_send(
        sender=admin, contacts=[contact], subject="Hello {{ contact.first_name }}", body=GREETING
    )
    email_batch_run(batch_id=result.batch.pk)
    message = mail.outbox[0]
    assert message.subject == "Hello Li"
    assert message.body == "Dear Li of Acme, regards Ada Admin"
    assert message.from_email.startswith("Ada Admin <")
    assert message.reply_to == [admin.email]
    activity = Activity.objects.get(contact=contact)
    assert activity.kind == ActivityKind.EMAIL
    assert activity.subject == "Hello Li"
    assert activity.is_done


def test_one_contact_goes_interactive_a_selection_goes_bulk(admin: User) -> None:
    one = email_send(sender=admin, contacts=[_contact(admin)], subject="S", body="B")
    many = email_send(
        sender=admin,
        contacts=[_contact(admin, email=f"c{n}@example.com") for n in range(2)],
        subject="S",
        body="B",
    )
    assert Job.objects.get(kwargs__batch_id=one.batch.pk).queue == JobQueue.INTERACTIVE
    assert Job.objects.get(kwargs__batch_id=many.batch.pk).queue == JobQueue.BULK


def test_opted_out_and_addressless_contacts_are_not_sent_with_reasons(admin: User) -> None:
    ok = _contact(admin, email="ok@example.com")
    opted = _contact(admin, full_name="Li Wei", email="li@example.com", email_opt_out=True)
    none = _contact(admin, full_name="Bob Chen", email="")
    result = email_send(sender=admin, contacts=[ok, opted, none], subject="S", body="B")
    assert result.sendable == 1
    assert result.summary == (
        "2 of 3 not sent: Li Wei has opted out of e-mail; Bob Chen has no e-mail address"
    )
    email_batch_run(batch_id=result.batch.pk)
    assert [m.to for m in mail.outbox] == [["ok@example.com"]]


def test_a_contact_who_opts_out_before_the_job_runs_is_not_sent(admin: User) -> None:
    contact = _contact(admin)
    result = email_send(sender=admin, contacts=[contact], subject="S", body="B")
    Contact.objects.filter(pk=contact.pk).update(email_opt_out=True)
    assert email_batch_run(batch_id=result.batch.pk) == 0
    assert not mail.outbox
    assert EmailBatch.objects.get(pk=result.batch.pk).skipped[0]["id"] == contact.pk


def test_a_rerun_sends_nobody_twice(admin: User) -> None:
    result = email_send(sender=admin, contacts=[_contact(admin)], subject="S", body="B")
    email_batch_run(batch_id=result.batch.pk)
    assert email_batch_run(batch_id=result.batch.pk) == 0
    assert len(mail.outbox) == 1
    assert Activity.objects.filter(kind=ActivityKind.EMAIL).count() == 1


def test_the_compose_page_shows_who_will_not_be_sent(admin: User, client_as) -> None:
    contact = _contact(admin, email_opt_out=True)
    page = client_as(admin).get(f"/contacts/{contact.pk}/email/").content.decode()
    assert "has opted out of e-mail" in page


def test_sending_from_the_page_reports_skips_and_sends_after_commit(admin: User, client_as) -> None:
    ok = _contact(admin, email="ok@example.com")
    opted = _contact(admin, full_name="Li Wei", email_opt_out=True)
    client = client_as(admin)
    with after_commit():
        response = client.post(
            "/contacts/email/",
            {"ids": f"{ok.pk},{opted.pk}", "subject": "Hi {{ contact.first_name }}", "body": "B"},
            follow=True,
        )
    body = response.content.decode()
    assert "1 of 2 not sent: Li Wei has opted out of e-mail" in body
    assert [m.to for m in mail.outbox] == [["ok@example.com"]]


def test_a_template_fills_the_compose_form(admin: User, client_as) -> None:
    template = email_template_save(
        by=admin, fields={"name": "T", "language": "en", "subject": "Offer", "body": "Our offer"}
    )
    contact = _contact(admin)
    page = client_as(admin).post(
        f"/contacts/{contact.pk}/email/", {"template": template.pk, "use_template": "1"}
    )
    assert page.status_code == 200
    assert "Our offer" in page.content.decode()
    assert not EmailBatch.objects.exists()


def test_a_rep_cannot_email_someone_elses_contact(
    crm: Workspace, rep: User, other_rep: User, client_as
) -> None:
    from crm.models import CrmSettings

    CrmSettings.objects.update_or_create(pk=1, defaults={"reps_see_all": False})
    contact = _contact(other_rep)
    assert client_as(rep).get(f"/contacts/{contact.pk}/email/").status_code == 404


def test_the_bulk_selection_only_reaches_visible_contacts(
    crm: Workspace, rep: User, other_rep: User, client_as
) -> None:
    from crm.models import CrmSettings

    CrmSettings.objects.update_or_create(pk=1, defaults={"reps_see_all": False})
    mine = _contact(rep, email="mine@example.com")
    theirs = _contact(other_rep, email="theirs@example.com")
    with after_commit():
        client_as(rep).post(
            "/contacts/email/", {"ids": f"{mine.pk},{theirs.pk}", "subject": "S", "body": "B"}
        )
    assert [m.to for m in mail.outbox] == [["mine@example.com"]]


def test_templates_and_sends_of_one_workspace_are_invisible_from_another(
    alpha: Workspace, beta: Workspace
) -> None:
    with schema_context(alpha.schema):
        admin = UserFactory.create(role=Role.ADMIN)
        template = email_template_save(
            by=admin, fields={"name": "Alpha only", "language": "en", "subject": "S", "body": "B"}
        )
        batch = email_send(
            sender=admin, contacts=[_contact(admin)], subject="Alpha send", body="B"
        ).batch
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(role=Role.ADMIN)
        assert not EmailTemplate.objects.exists()
        assert not EmailBatch.objects.filter(subject="Alpha send").exists()
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    assert "Alpha only" not in client.get("/settings/email-templates/").content.decode()
    assert client.get(f"/settings/email-templates/{template.pk}/").status_code == 404
    assert batch.pk
