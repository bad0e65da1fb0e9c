"""Pages do what they say: create with duplicate warning, quick add, complete and follow up,
convert, merge, bulk confirmation, board moves, settings, partial rendering for htmx."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from crm.models import (
    Activity,
    AuditEntry,
    Company,
    Contact,
    CrmSettings,
    CustomFieldDefinition,
    Deal,
    Lead,
    LeadStatus,
    Stage,
    StageTransition,
    Tag,
)
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    LeadFactory,
    stage_named,
)
from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def me(alpha):
    with schema_context(alpha.schema):
        return AdminFactory.create(full_name="Dana Admin")


@pytest.fixture
def client(client_as, me):
    return client_as(me)


def in_alpha(alpha, fn):
    with schema_context(alpha.schema):
        return fn()


def test_contact_create_redirects_to_the_new_contact(alpha, client, me) -> None:
    response = client.post(
        "/contacts/new/",
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "ann@lee.example",
            "owner": me.pk,
            "company_role": "employee",
            "tag_names": "vip, fair",
        },
    )
    contact = in_alpha(alpha, lambda: Contact.objects.get(last_name="Lee"))
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert in_alpha(alpha, lambda: sorted(contact.tags.values_list("name", flat=True))) == [
        "fair",
        "vip",
    ]


def test_contact_create_warns_about_a_duplicate_email(alpha, client, me) -> None:
    in_alpha(
        alpha, lambda: ContactFactory.create(owner=me, email="dup@x.example", last_name="First")
    )
    data = {
        "last_name": "Second",
        "email": "dup@x.example",
        "owner": me.pk,
        "company_role": "employee",
    }
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    assert b"duplicate-warning" in response.content
    assert not in_alpha(alpha, lambda: Contact.objects.filter(last_name="Second").exists())


def test_contact_create_anyway_after_the_warning(alpha, client, me) -> None:
    in_alpha(alpha, lambda: ContactFactory.create(owner=me, email="dup@x.example"))
    data = {
        "last_name": "Second",
        "email": "dup@x.example",
        "owner": me.pk,
        "company_role": "employee",
        "confirm_duplicate": "1",
    }
    assert client.post("/contacts/new/", data).status_code == 302


def test_company_create_warns_about_a_similar_name(alpha, client, me) -> None:
    in_alpha(alpha, lambda: CompanyFactory.create(owner=me, name="Globex Corporation"))
    response = client.post("/companies/new/", {"name": "Globex Corp", "owner": me.pk})
    assert b"duplicate-warning" in response.content


def test_custom_fields_are_rendered_and_validated_on_the_form(alpha, client, me) -> None:
    in_alpha(
        alpha,
        lambda: CustomFieldFactory.create(
            object_type="company",
            key="employees",
            label="Employees",
            field_type="number",
            required=True,
        ),
    )
    assert b"Employees" in client.get("/companies/new/").content
    response = client.post(
        "/companies/new/", {"name": "Initech", "owner": me.pk, "cf_employees": "lots"}
    )
    assert response.status_code == 400
    assert not in_alpha(alpha, lambda: Company.objects.filter(name="Initech").exists())


def test_custom_field_value_is_saved_from_the_form(alpha, client, me) -> None:
    in_alpha(
        alpha,
        lambda: CustomFieldFactory.create(
            object_type="company", key="employees", field_type="number"
        ),
    )
    client.post("/companies/new/", {"name": "Initech", "owner": me.pk, "cf_employees": "250"})
    company = in_alpha(alpha, lambda: Company.objects.get(name="Initech"))
    assert company.custom == {"employees": "250"}


def test_list_filters_by_custom_field(alpha, client, me) -> None:
    def make():
        CustomFieldFactory.create(
            object_type="company", key="tier", field_type="choice", choices=["A", "B"]
        )
        CompanyFactory.create(owner=me, name="Tier A Co", custom={"tier": "A"})
        CompanyFactory.create(owner=me, name="Tier B Co", custom={"tier": "B"})

    in_alpha(alpha, make)
    content = client.get("/companies/?cf_tier=A").content
    assert b"Tier A Co" in content
    assert b"Tier B Co" not in content


def test_list_search_finds_by_partial_name_and_typo(alpha, client, me) -> None:
    in_alpha(
        alpha, lambda: ContactFactory.create(owner=me, first_name="Bartholomew", last_name="Quint")
    )
    assert b"Bartholomew" in client.get("/contacts/?q=tholom").content
    assert b"Bartholomew" in client.get("/contacts/?q=Bartholomev").content


def test_list_htmx_request_gets_only_the_results_partial(alpha, client, me) -> None:
    in_alpha(alpha, lambda: ContactFactory.create(owner=me))
    response = client.get("/contacts/?q=x", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="results"' in response.content


def test_list_sorts_by_a_whitelisted_column_only(alpha, client, me) -> None:
    in_alpha(
        alpha,
        lambda: (
            CompanyFactory.create(owner=me, name="Aaa"),
            CompanyFactory.create(owner=me, name="Zzz"),
        ),
    )
    content = client.get("/companies/?sort=-name").content
    assert content.index(b"Zzz") < content.index(b"Aaa")
    assert client.get("/companies/?sort=owner__password").status_code == 200


def test_empty_list_shows_an_empty_state(client) -> None:
    assert b"empty-state" in client.get("/leads/").content


def test_quick_add_note_appears_on_the_timeline(alpha, client, me) -> None:
    contact = in_alpha(alpha, lambda: ContactFactory.create(owner=me))
    response = client.post(
        f"/contacts/{contact.pk}/activities/",
        {"kind": "note", "subject": "Prefers email"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Prefers email" in response.content
    assert b"<html" not in response.content


def test_timeline_shows_field_changes_with_old_and_new(alpha, client, me) -> None:
    from crm import services

    contact = in_alpha(alpha, lambda: ContactFactory.create(owner=me, title="Buyer"))
    in_alpha(
        alpha, lambda: services.contact_update(contact=contact, by=me, fields={"title": "CEO"})
    )
    content = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Buyer" in content
    assert "CEO" in content


def test_completing_an_activity_offers_the_next_one(alpha, client, me) -> None:
    contact = in_alpha(alpha, lambda: ContactFactory.create(owner=me))
    call = in_alpha(alpha, lambda: ActivityFactory.create(owner=me, contact=contact))
    response = client.post(f"/activities/{call.pk}/complete/", {"outcome": "Interested"})
    assert response["Location"] == f"/activities/new/?follow_up={call.pk}"
    form = client.get(response["Location"]).content.decode()
    assert f'<option value="{contact.pk}" selected>' in form
    assert in_alpha(alpha, lambda: Activity.objects.get(pk=call.pk).outcome) == "Interested"


def test_lead_conversion_page_converts(alpha, client, me) -> None:
    lead = in_alpha(alpha, lambda: LeadFactory.create(owner=me, company_name="Umbrella"))
    response = client.post(
        f"/leads/{lead.pk}/convert/", {"create_deal": "on", "deal_title": "Umbrella deal"}
    )
    deal = in_alpha(alpha, lambda: Deal.objects.get(title="Umbrella deal"))
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert in_alpha(alpha, lambda: Lead.objects.get(pk=lead.pk).status) == LeadStatus.CONVERTED


def test_merge_page_merges_into_the_chosen_record(alpha, client, me) -> None:
    a = in_alpha(alpha, lambda: ContactFactory.create(owner=me, last_name="Keep"))
    b = in_alpha(alpha, lambda: ContactFactory.create(owner=me, last_name="Drop"))
    assert client.get(f"/contacts/merge/?ids={a.pk}&ids={b.pk}").status_code == 200
    client.post("/contacts/merge/", {"ids": [a.pk, b.pk], "primary": a.pk})
    assert in_alpha(alpha, lambda: list(Contact.objects.filter(pk__in=[a.pk, b.pk]))) == [a]


def test_bulk_delete_asks_for_confirmation_first(alpha, client, me) -> None:
    lead = in_alpha(alpha, lambda: LeadFactory.create(owner=me))
    response = client.post("/leads/bulk/", {"action": "delete", "ids": [lead.pk]})
    assert b"bulk-confirm" in response.content
    assert in_alpha(alpha, lambda: Lead.objects.filter(pk=lead.pk).exists())
    client.post("/leads/bulk/", {"action": "delete", "ids": [lead.pk], "confirmed": "1"})
    assert not in_alpha(alpha, lambda: Lead.objects.filter(pk=lead.pk).exists())


def test_bulk_add_tag(alpha, client, me) -> None:
    deals = in_alpha(alpha, lambda: [DealFactory.create(owner=me), DealFactory.create(owner=me)])
    client.post("/deals/bulk/", {"action": "tag", "tag_name": "q4", "ids": [d.pk for d in deals]})
    assert in_alpha(alpha, lambda: Deal.objects.filter(tags__name="q4").count()) == 2


def test_board_shows_columns_with_counts_and_weighted_sums(alpha, client, me) -> None:
    in_alpha(
        alpha, lambda: DealFactory.create(owner=me, stage=stage_named("Proposal"), amount=1000)
    )
    content = client.get("/deals/").content.decode()
    assert 'data-testid="column-proposal"' in content
    assert 'weighted</span> <span class="converted-total">€500.00' in content


def test_board_highlights_rotting_deals(alpha, client, me) -> None:
    import datetime

    from django.utils import timezone

    old = timezone.now() - datetime.timedelta(days=30)
    in_alpha(alpha, lambda: DealFactory.create(owner=me, stage_entered_at=old))
    assert b"crm-rotting" in client.get("/deals/").content


def test_board_move_by_htmx_answers_with_a_refresh_trigger(alpha, client, me) -> None:
    deal = in_alpha(alpha, lambda: DealFactory.create(owner=me))
    won = in_alpha(alpha, lambda: stage_named("Won"))
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": won.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert "board-changed" in json.loads(response["HX-Trigger"])
    assert in_alpha(alpha, lambda: StageTransition.objects.filter(deal=deal, to_stage=won).exists())


def test_deal_detail_shows_stage_history(alpha, client, me) -> None:
    from crm import services

    deal = in_alpha(alpha, lambda: services.deal_create(by=me, fields={"title": "History"}))
    in_alpha(alpha, lambda: services.deal_move(deal=deal, stage=stage_named("Proposal"), by=me))
    content = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Moved from Qualified to Proposal" in content


def test_global_search_groups_results_by_type(alpha, client, me) -> None:
    def make():
        CompanyFactory.create(owner=me, name="Stark Industries")
        ContactFactory.create(owner=me, first_name="Tony", last_name="Stark")

    in_alpha(alpha, make)
    content = client.get("/search/?q=stark", HTTP_HX_REQUEST="true").content.decode()
    assert "Stark Industries" in content
    assert "Tony Stark" in content


def test_dashboard_lists_my_overdue_activities(alpha, client, me) -> None:
    import datetime

    from django.utils import timezone

    due = timezone.now() - datetime.timedelta(days=2)
    in_alpha(alpha, lambda: ActivityFactory.create(owner=me, subject="Chase invoice", due_at=due))
    content = client.get("/").content.decode()
    assert "Overdue" in content
    assert "Chase invoice" in content


def test_admin_adds_and_deletes_an_empty_stage(alpha, client) -> None:
    pipeline_id = in_alpha(alpha, lambda: stage_named("Won").pipeline_id)
    client.post(
        f"/settings/pipelines/{pipeline_id}/stages/new/",
        {"new-name": "Demo", "new-probability": "40", "new-kind": "open", "new-colour": "teal"},
    )
    stage = in_alpha(alpha, lambda: Stage.objects.get(name="Demo"))
    names = in_alpha(alpha, lambda: list(stage.pipeline.stages.values_list("name", flat=True)))
    assert names.index("Demo") < names.index("Won")
    client.post(f"/settings/stages/{stage.pk}/", {"delete": "1"})
    assert not in_alpha(alpha, lambda: Stage.objects.filter(pk=stage.pk).exists())


def test_a_stage_with_deals_cannot_be_deleted(alpha, client, me) -> None:
    deal = in_alpha(alpha, lambda: DealFactory.create(owner=me))
    client.post(f"/settings/stages/{deal.stage_id}/", {"delete": "1"})
    assert in_alpha(alpha, lambda: Stage.objects.filter(pk=deal.stage_id).exists())


def test_admin_reorders_stages_by_drag_order(alpha, client) -> None:
    def ids():
        pipeline = stage_named("Won").pipeline
        return pipeline.pk, list(pipeline.stages.order_by("position").values_list("pk", flat=True))

    pipeline_id, order = in_alpha(alpha, ids)
    new_order = [order[1], order[0], *order[2:]]
    client.post(f"/settings/pipelines/{pipeline_id}/", {"order": ",".join(map(str, new_order))})
    assert in_alpha(alpha, ids)[1] == new_order


def test_admin_defines_a_custom_field(alpha, client) -> None:
    client.post(
        "/settings/fields/",
        {
            "object_type": "deal",
            "label": "Region",
            "field_type": "choice",
            "choices_text": "North\nSouth",
        },
    )
    definition = in_alpha(alpha, lambda: CustomFieldDefinition.objects.get(label="Region"))
    assert definition.choices == ["North", "South"]


def test_admin_reassigns_a_leavers_records(alpha, client) -> None:
    leaver, heir = in_alpha(alpha, lambda: (UserFactory.create(), UserFactory.create()))
    in_alpha(alpha, lambda: ContactFactory.create(owner=leaver))
    client.post("/settings/crm/", {"form": "reassign", "from_user": leaver.pk, "to_user": heir.pk})
    assert in_alpha(alpha, lambda: Contact.objects.filter(owner=heir).count()) == 1


def test_admin_turns_on_reps_see_all(alpha, client) -> None:
    client.post("/settings/crm/", {"form": "settings", "reps_see_all": "on"})
    assert in_alpha(alpha, lambda: CrmSettings.objects.get(pk=1).reps_see_all) is True


def test_audit_log_lists_changes(alpha, client, me) -> None:
    from crm import services

    in_alpha(alpha, lambda: services.company_create(by=me, fields={"name": "Audited Inc"}))
    assert b"Audited Inc" in client.get("/settings/audit/").content
    assert in_alpha(alpha, lambda: AuditEntry.objects.filter(object_repr="Audited Inc").exists())


def test_contact_list_rows_show_opt_out_phone_and_escape_names(alpha, client, me) -> None:
    in_alpha(
        alpha,
        lambda: ContactFactory.create(
            owner=me,
            first_name="<b>Bold</b>",
            last_name="Li",
            email="li@example.com",
            email_opt_out=True,
            phone="+8613800138000",
        ),
    )
    page = client.get("/contacts/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<b>Bold</b>" not in page
    assert 'href="mailto:li@example.com"' in page
    assert 'title="No marketing emails"' in page
    assert "138" in page


def test_company_list_rows_link_the_domain_and_show_tags(alpha, client, me) -> None:
    def make() -> None:
        company = CompanyFactory.create(owner=me, name="Acme <Ltd>", domain="acme.example")
        company.tags.add(Tag.objects.create(name="Key account", colour="red"))

    in_alpha(alpha, make)
    page = client.get("/companies/").content.decode()
    assert "Acme &lt;Ltd&gt;" in page
    assert 'href="https://acme.example"' in page
    assert '<span class="badge bg-red-lt me-1">Key account</span>' in page


def test_a_board_card_shows_company_amount_owner_idle_time_and_tags(alpha, client, me) -> None:
    """The card the board renders in Python: link, company, money, owner's initial, the idle
    badge with its time, tag badges, escaped title, the move button for a writer."""
    import datetime

    from django.utils import timezone

    from tests.crm.factories import CompanyFactory

    def make() -> Deal:
        deal = DealFactory.create(
            owner=me,
            title="<Big> order",
            company=CompanyFactory.create(name="Acme & Co"),
            amount=1000,
            stage=stage_named("Proposal"),
            stage_entered_at=timezone.now() - datetime.timedelta(days=30),
        )
        deal.tags.create(name="vip", colour="green")
        return deal

    deal = in_alpha(alpha, make)
    content = client.get("/deals/").content.decode()
    card = content[content.index(f'data-deal="{deal.pk}"') :].split("</article>")[0]
    assert f'href="/deals/{deal.pk}/"' in card
    assert "&lt;Big&gt; order" in card
    assert "<Big>" not in card
    assert "Acme &amp; Co" in card
    assert "€1,000.00" in card
    assert "Idle in this stage for too long" in card
    assert '<span class="badge bg-green-lt me-1">vip</span>' in card
    assert 'data-testid="move-button"' in card
    assert f">{me.get_short_name()[:1].upper()}</span>" in card
