"""Sample data: added in the workspace's language, tagged and registered, and removed in one
click without touching a record of the customer's own."""

from __future__ import annotations

from django.test import Client

from crm.models import Activity, AuditEntry, Company, Contact, Deal, Lead, Tag
from onboarding.models import GuidedStart, SampleRecord, Step
from onboarding.selectors import StepStatus, real_records_exist, step_states
from onboarding.services import sample_data_add, sample_data_remove
from tests.crm.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Company, Contact, Deal, Activity, Lead)
    }


def test_sample_data_is_added_tagged_and_registered(guided, admin) -> None:
    created = sample_data_add(by=admin, language="en")
    assert created == sum(_counts().values())
    tag = Tag.objects.get(name="Sample")
    assert Deal.objects.filter(tags=tag).count() == Deal.objects.count() == 5
    assert SampleRecord.objects.filter(removed_at__isnull=True).count() == created + 1
    assert Deal.objects.filter(stage__kind="won").count() == 1


def test_sample_data_speaks_the_workspace_language(guided, admin) -> None:
    sample_data_add(by=admin, language="zh-hant")
    assert Company.objects.filter(name="綠葉咖啡").exists()
    assert Tag.objects.filter(name="範例資料").exists()
    assert Contact.objects.filter(first_name="", last_name="王大明").exists()


def test_sample_data_does_not_count_as_the_customers_own(guided, admin) -> None:
    sample_data_add(by=admin, language="en")
    assert not real_records_exist()
    state = next(
        s for s in step_states(GuidedStart.objects.get(pk=1), user=admin) if s.step == Step.DATA
    )
    assert state.status == StepStatus.TODO


def test_removal_deletes_exactly_the_sample_records(guided, admin) -> None:
    own_company = CompanyFactory.create(name="Real Customer Ltd", owner=admin)
    own_deal = DealFactory.create(title="Real deal", owner=admin, company=own_company)
    before = _counts()
    sample_data_add(by=admin, language="en")
    result = sample_data_remove(by=admin)
    assert result.kept == 0
    assert _counts() == before
    assert Company.objects.filter(pk=own_company.pk).exists()
    assert Deal.objects.get(pk=own_deal.pk).company_id == own_company.pk
    assert not Tag.objects.filter(name="Sample").exists()
    assert not SampleRecord.objects.filter(removed_at__isnull=True).exists()


def test_a_sample_record_a_real_record_refers_to_is_kept_and_the_real_one_untouched(
    guided, admin
) -> None:
    """A call the customer logged on a sample contact keeps its contact: removing the sample
    would quietly unlink it."""
    sample_data_add(by=admin, language="en")
    sample_contact = Contact.objects.get(last_name="Weber")
    call = ActivityFactory.create(owner=admin, contact=sample_contact, subject="Real call")
    result = sample_data_remove(by=admin)
    assert result.kept == 1
    call.refresh_from_db()
    assert call.contact_id == sample_contact.pk
    assert list(Contact.objects.all()) == [sample_contact]
    assert Tag.objects.filter(name="Sample").exists()


def test_a_tag_the_customer_already_had_is_not_removed(guided, admin) -> None:
    tag = Tag.objects.create(name="Sample")
    ContactFactory.create(owner=admin).tags.add(tag)
    sample_data_add(by=admin, language="en")
    sample_data_remove(by=admin)
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_removal_is_audited(guided, admin) -> None:
    sample_data_add(by=admin, language="en")
    sample_data_remove(by=admin)
    assert AuditEntry.objects.filter(action="delete", object_type="deal").count() == 5


def test_sample_data_is_added_once(guided, admin, admin_client: Client) -> None:
    assert admin_client.post("/start/data/sample/").status_code == 302
    admin_client.post("/start/data/sample/")
    assert Deal.objects.count() == 5
    page = admin_client.get("/start/data/").content
    assert b'data-testid="sample-remove"' in page
    admin_client.post("/start/data/sample/remove/")
    assert Deal.objects.count() == 0
    assert b'data-testid="sample-add"' in admin_client.get("/start/data/").content


def test_sample_data_follows_a_configured_pipeline(guided, admin, admin_client) -> None:
    from tests.onboarding.test_wizard import _process_post

    admin_client.post(
        "/start/process/",
        _process_post(
            [("Asked", "10", "open", ""), ("Booked", "", "won", ""), ("Lost", "", "lost", "")]
        ),
    )
    sample_data_add(by=admin, language="en")
    assert set(Deal.objects.values_list("stage__name", flat=True)) == {"Asked", "Booked"}


def test_a_rep_cannot_add_or_remove_sample_data(guided, rep_client) -> None:
    assert rep_client.post("/start/data/sample/").status_code == 403
    assert rep_client.post("/start/data/sample/remove/").status_code == 403
    assert Deal.objects.count() == 0
