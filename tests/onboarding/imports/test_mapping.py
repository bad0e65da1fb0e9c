"""Which column is which: headers matched loosely, Chinese headers, each preset recognised."""

from __future__ import annotations

import pytest

from onboarding.imports.mapping import PRESETS, auto_map, detect_preset
from tests.onboarding.imports.conftest import upload


def test_headers_match_whatever_their_case_and_spacing() -> None:
    """``FIRST NAME``, ``first_name`` and `` E-Mail `` map to their fields."""
    assert auto_map(["FIRST NAME", "last_name", " E-Mail ", "Shoe size"], "contacts") == [
        "first_name",
        "last_name",
        "email",
        "",
    ]


@pytest.mark.parametrize(
    "headers",
    [
        ["姓名", "手机", "公司", "邮箱", "职位", "生日", "地址"],
        ["姓名", "手機", "公司", "電子郵件", "職位", "生日", "地址"],
    ],
    ids=["simplified", "traditional"],
)
def test_chinese_headers_in_both_scripts_map_without_a_preset(headers: list[str]) -> None:
    """Usual Chinese column names fill name, mobile, company, e-mail, title, birthday, address."""
    assert auto_map(headers, "contacts") == [
        "full_name",
        "mobile",
        "company",
        "email",
        "title",
        "birthday",
        "address",
    ]


EXPORT_HEADERS = {
    "hubspot_contacts": [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Company Name",
        "Associated Company IDs (Primary)",
    ],
    "hubspot_companies": ["Record ID", "Company name", "Company Domain Name", "Industry", "City"],
    "hubspot_deals": [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Amount",
        "Close Date",
        "Associated Company IDs (Primary)",
    ],
    "pipedrive_people": [
        "Person - ID",
        "Person - Name",
        "Person - Email",
        "Person - Phone",
        "Person - Organization",
    ],
    "pipedrive_organizations": [
        "Organization - ID",
        "Organization - Name",
        "Organization - Address",
    ],
    "pipedrive_deals": [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Stage",
        "Deal - Organization",
    ],
    "salesforce_account": ["Id", "Name", "Website", "Industry", "BillingCity", "BillingCountry"],
    "salesforce_contact": [
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "MailingCity",
    ],
    "salesforce_lead": ["Id", "FirstName", "LastName", "Company", "Email", "LeadSource", "Status"],
    "salesforce_opportunity": [
        "Id",
        "AccountId",
        "Name",
        "Amount",
        "CloseDate",
        "StageName",
        "Probability",
    ],
    "zoho_contacts": [
        "Record Id",
        "First Name",
        "Last Name",
        "Email",
        "Account Name",
        "Contact Owner",
    ],
    "zoho_deals": [
        "Record Id",
        "Deal Name",
        "Amount",
        "Closing Date",
        "Stage",
        "Account Name",
        "Deal Owner",
    ],
}


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_each_preset_recognises_its_export_and_maps_every_column(preset) -> None:
    """An export's headers select its preset, and each of those headers fills a field."""
    headers = EXPORT_HEADERS[preset.key]
    assert detect_preset(headers) == preset
    mapping = auto_map(headers, preset.kind, preset=preset)
    assert all(mapping), dict(zip(headers, mapping, strict=True))


def test_every_preset_has_a_test_export() -> None:
    """A new preset needs its headers above."""
    assert set(EXPORT_HEADERS) == {p.key for p in PRESETS}


def test_the_detected_preset_sets_the_kind_and_the_source_system(admin) -> None:
    """A Salesforce Contact export becomes a contact import whose ids are Salesforce's."""
    data = b"Id,AccountId,FirstName,LastName,Email\n003A,001A,Mary,Smith,mary@acme.example\n"
    batch = upload(admin, data, name="Contact.csv")
    assert (batch.kind, batch.preset, batch.source) == (
        "contacts",
        "salesforce_contact",
        "salesforce",
    )
    assert batch.mapping == ["source_id", "company_source_id", "first_name", "last_name", "email"]
