"""Search columns follow the records: the services write them, the backfill fills rows written
without them, and searches read them through their indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from crm import services
from crm.models import Company, Contact, Deal, Lead
from crm.selectors.search import global_search, text_search
from crm.services.search import search_backfill


def found(user, model, text: str) -> set[int]:
    return set(text_search(model.objects.visible_to(user), text).values_list("pk", flat=True))


def test_a_renamed_contact_is_found_by_the_new_name_only(crm, admin) -> None:
    """After 陳大文 is renamed 陳小文, "cxw" finds the contact and "cdw" no longer does."""
    contact = services.contact_create(by=admin, fields={"last_name": "陳大文"})
    services.contact_update(contact=contact, by=admin, fields={"last_name": "陳小文"})
    assert found(admin, Contact, "cxw") == {contact.pk}
    assert found(admin, Contact, "cdw") == set()


def test_a_changed_phone_number_is_found(crm, admin) -> None:
    """A mobile number added later is searchable at once."""
    contact = services.contact_create(by=admin, fields={"last_name": "Wu"})
    services.contact_update(contact=contact, by=admin, fields={"mobile": "+86 139 1234 5678"})
    assert found(admin, Contact, "13912345678") == {contact.pk}


def test_a_merged_contact_is_found_by_the_duplicate_address(crm, admin) -> None:
    """The survivor of a merge keeps the duplicate's address as an extra, and is found by it."""
    primary = services.contact_create(by=admin, fields={"last_name": "Chan", "email": "a@x.hk"})
    duplicate = services.contact_create(by=admin, fields={"last_name": "Chan", "email": "b@y.hk"})
    services.contact_merge(primary=primary, duplicate=duplicate, by=admin)
    assert found(admin, Contact, "b@y.hk") == {primary.pk}


def test_a_merged_company_is_found_by_the_duplicate_domain(crm, admin) -> None:
    """A company without a domain takes its duplicate's, and is found by it."""
    primary = services.company_create(by=admin, fields={"name": "Jade Garden"})
    duplicate = services.company_create(
        by=admin, fields={"name": "Jade Garden Ltd", "domain": "jadegarden.cn"}
    )
    services.company_merge(primary=primary, duplicate=duplicate, by=admin)
    assert found(admin, Company, "www.jadegarden.cn") == {primary.pk}


def test_a_converted_lead_becomes_a_contact_found_by_pinyin(crm, admin) -> None:
    """Converting 王小明 makes a contact that "wangxiaoming" finds."""
    lead = services.lead_create(by=admin, fields={"name": "王小明", "company_name": "小明贸易"})
    conversion = services.lead_convert(lead=lead, by=admin)
    assert found(admin, Contact, "wangxiaoming") == {conversion.contact.pk}


def test_a_deal_is_found_by_its_traditional_title_in_simplified(crm, admin) -> None:
    """A deal titled 華為續約 is found by 华为."""
    deal = services.deal_create(by=admin, fields={"title": "華為續約"})
    assert found(admin, Deal, "华为") == {deal.pk}


def test_rows_written_without_search_columns_are_found_after_the_backfill(crm, admin) -> None:
    """A contact inserted directly (as ``COPY`` does) is unfindable until the backfill."""
    contact = Contact.objects.create(owner=admin, last_name="張偉", phone="138-0013-8000")
    assert found(admin, Contact, "zhangwei") == set()
    assert search_backfill(Contact) == 1
    assert found(admin, Contact, "zhangwei") == {contact.pk}
    assert found(admin, Contact, "+86 138 0013 8000") == {contact.pk}


def test_the_backfill_reads_in_batches_until_every_row_is_filled(crm, admin) -> None:
    """Five leads, two per batch: all five are filled."""
    for name in ["李雷", "韩梅梅", "Anna Berg", "Ole Berg", "林涛"]:
        Lead.objects.create(owner=admin, name=name)
    assert search_backfill(Lead, batch_size=2) == 5
    assert not Lead.objects.filter(search_text="").exists()


def test_the_backfill_leaves_filled_rows_alone(crm, admin) -> None:
    """A second run writes nothing: only rows that never had search columns are filled."""
    services.company_create(by=admin, fields={"name": "Baker Bakeries"})
    assert search_backfill(Company) == 0


def test_the_backfill_of_every_row_recomputes_them(crm, admin) -> None:
    """``every_row`` rewrites columns that are out of date."""
    company = services.company_create(by=admin, fields={"name": "Baker Bakeries"})
    Company.objects.filter(pk=company.pk).update(search_text=" stale ")
    search_backfill(Company, every_row=True)
    assert found(admin, Company, "bakeries") == {company.pk}


def index_plan(queryset) -> str:
    """The plan of ``queryset`` unordered, where a few test rows cannot make a scan cheaper."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.order_by().explain()


def test_list_search_reads_the_search_indexes(crm, admin) -> None:
    """The words, keys and phone digits are looked up in their GIN indexes, not scanned."""
    services.contact_create(by=admin, fields={"last_name": "Schmidt", "phone": "030 1234567"})
    plan = index_plan(text_search(Contact.objects.all(), "030 1234567"))
    assert "crm_contact_search_text_trgm" in plan
    assert "crm_contact_search_keys_gin" in plan
    assert "crm_contact_search_phones_trgm" in plan


def test_typo_search_reads_the_typo_index(crm, admin) -> None:
    """Close spellings are found through the GIN index on ``search_typos``."""
    services.contact_create(by=admin, fields={"last_name": "Schmidt"})
    plan = index_plan(text_search(Contact.objects.all(), "Scmhidt"))
    assert "crm_contact_search_typos_gin" in plan


def test_global_search_costs_one_query_per_record_type(crm, admin, django_assert_num_queries):
    """Contacts, companies, deals and leads: four queries whatever the query finds."""
    services.contact_create(by=admin, fields={"last_name": "陳大文"})
    with django_assert_num_queries(4):
        global_search(user=admin, text="cdw")


@pytest.mark.parametrize(
    "text", ["\udcff", "a\udcffb", "%", "_", "\\", "'; --", "\uff20\uff20", "١٢٣٤٥٦٧٨"]
)
def test_odd_search_text_answers_without_error(crm, admin, text) -> None:
    """Lone surrogates, LIKE wildcards, quotes and foreign digits are searched as text."""
    services.contact_create(by=admin, fields={"last_name": "100% Organic_Foods"})
    assert isinstance(global_search(user=admin, text=text), list)
    assert isinstance(found(admin, Contact, text), set)


def test_the_backfill_command_fills_the_workspace_it_runs_in(crm, admin) -> None:
    """``search_backfill`` (run per workspace by ``all_tenants_command``) fills its rows."""
    from io import StringIO

    from django.core.management import call_command

    contact = Contact.objects.create(owner=admin, last_name="陳大文")
    call_command("search_backfill", stdout=StringIO())
    assert found(admin, Contact, "cdw") == {contact.pk}


def test_a_contact_is_found_by_job_title(crm, admin) -> None:
    """ "finance director" finds the contact with that title, in traditional characters too."""
    contact = services.contact_create(
        by=admin, fields={"last_name": "Lam", "title": "Finance Director 財務總監"}
    )
    assert found(admin, Contact, "finance director") == {contact.pk}
    assert found(admin, Contact, "财务总监") == {contact.pk}


def test_a_company_is_found_by_its_city(crm, admin) -> None:
    """ "Shenzhen" finds the companies based there."""
    company = services.company_create(by=admin, fields={"name": "Jade", "city": "Shenzhen"})
    assert found(admin, Company, "shenzhen") == {company.pk}
