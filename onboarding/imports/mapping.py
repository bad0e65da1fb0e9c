"""What a column can become, and which column is which: targets, header matching, presets.

Headers are compared without case, spaces, underscores or punctuation (``First Name``,
``first_name`` and ``FIRSTNAME`` are one header). A preset recognises another CRM's export by
its headers and maps them, source ids and references between files included; Chinese headers
in both scripts map without a preset.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.models import CustomFieldDefinition
from onboarding.imports.models import ImportKind

#: A mapping to a custom field is ``custom:<key>``; a new one is created from the column.
CUSTOM_PREFIX = "custom:"
NEW_CUSTOM = "new_custom"
SKIP = ""


@dataclass(frozen=True)
class Target:
    """A field a column can fill, how its cells are read, and the headers that name it."""

    key: str
    label: Promise
    #: text, name, email, phone, date, money, currency, percent, bool, choice, domain,
    #: owner, tags, company, contact, ref, source_id
    kind: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


_NAME_WORDS = (
    "name",
    "full name",
    "contact name",
    "姓名",
    "名字",
    "联系人",
    "聯絡人",
    "聯絡人姓名",
)
_EMAIL_WORDS = ("email", "e-mail", "email address", "e-mail address", "mail", "邮箱", "郵箱",
                "电子邮件", "電子郵件", "电子邮箱", "電子信箱", "邮件", "郵件")  # fmt: skip
_PHONE_WORDS = ("phone", "phone number", "telephone", "tel", "work phone", "business phone",
                "电话", "電話", "座机", "座機", "办公电话", "辦公電話", "联系电话", "聯絡電話")  # fmt: skip
_MOBILE_WORDS = ("mobile", "mobile phone", "cell", "cell phone", "手机", "手機", "手机号",
                 "手機號碼", "行动电话", "行動電話")  # fmt: skip
_COMPANY_WORDS = ("company", "company name", "organization", "organisation", "account",
                  "account name", "公司", "公司名称", "公司名稱", "单位", "單位", "企业", "企業",
                  "客户名称", "客戶名稱")  # fmt: skip
_WEBSITE_WORDS = ("website", "web site", "web", "url", "domain", "company domain",
                  "company domain name", "网站", "網站", "网址", "網址", "官网", "官網")  # fmt: skip
_ADDRESS_WORDS = (
    "address",
    "street",
    "street address",
    "地址",
    "通讯地址",
    "通訊地址",
    "联系地址",
    "聯絡地址",
)
_CITY_WORDS = ("city", "town", "城市", "市")
_COUNTRY_WORDS = (
    "country",
    "country/region",
    "国家",
    "國家",
    "国家/地区",
    "國家/地區",
    "地区",
    "地區",
)
_OWNER_WORDS = (
    "owner",
    "record owner",
    "assigned to",
    "sales rep",
    "负责人",
    "負責人",
    "所有者",
    "销售",
    "業務",
)
_TAG_WORDS = ("tags", "tag", "labels", "label", "标签", "標籤")
_ID_WORDS = ("record id", "id")

CONTACT_TARGETS: tuple[Target, ...] = (
    Target("full_name", _("Full name"), "name", _NAME_WORDS),
    Target("first_name", _("First name"), "text", ("first name", "given name", "firstname", "名")),
    Target("last_name", _("Last name"), "text", ("last name", "surname", "family name", "lastname", "姓")),
    Target("title", _("Job title"), "text", ("title", "job title", "position", "role", "职位", "職位", "职务", "職務", "职称", "職稱")),
    Target("email", _("Email"), "email", _EMAIL_WORDS),
    Target("phone", _("Phone"), "phone", _PHONE_WORDS),
    Target("mobile", _("Mobile"), "phone", _MOBILE_WORDS),
    Target("address", _("Address"), "text", _ADDRESS_WORDS),
    Target("city", _("City"), "text", _CITY_WORDS),
    Target("country", _("Country"), "text", _COUNTRY_WORDS),
    Target("birthday", _("Birthday"), "date", ("birthday", "birth date", "date of birth", "dob", "生日", "出生日期")),
    Target("email_opt_out", _("No marketing emails"), "bool", ("email opt out", "unsubscribed", "no marketing emails")),
    Target("phone_opt_out", _("No calls"), "bool", ("do not call", "no calls")),
    Target("company", _("Company"), "company", _COMPANY_WORDS),
    Target("company_domain", _("Company website"), "domain", ("company website",)),
    Target("company_source_id", _("Company's id in the source system"), "ref", ("company id", "account id")),
    Target("owner", _("Owner"), "owner", _OWNER_WORDS),
    Target("tags", _("Tags"), "tags", _TAG_WORDS),
    Target("source_id", _("Id in the source system"), "source_id", _ID_WORDS),
)  # fmt: skip

COMPANY_TARGETS: tuple[Target, ...] = (
    Target("name", _("Name"), "text", ("name", *_COMPANY_WORDS), required=True),
    Target("domain", _("Website"), "domain", _WEBSITE_WORDS),
    Target("industry", _("Industry"), "text", ("industry", "sector", "行业", "行業", "产业", "產業")),
    Target("size", _("Size"), "choice", ("size", "employees", "number of employees", "company size", "规模", "規模", "员工人数", "員工人數")),
    Target("phone", _("Phone"), "phone", _PHONE_WORDS),
    Target("address", _("Address"), "text", _ADDRESS_WORDS),
    Target("city", _("City"), "text", _CITY_WORDS),
    Target("country", _("Country"), "text", _COUNTRY_WORDS),
    Target("owner", _("Owner"), "owner", _OWNER_WORDS),
    Target("tags", _("Tags"), "tags", _TAG_WORDS),
    Target("source_id", _("Id in the source system"), "source_id", _ID_WORDS),
)  # fmt: skip

LEAD_TARGETS: tuple[Target, ...] = (
    Target("name", _("Name"), "text", _NAME_WORDS, required=True),
    Target("first_name", _("First name"), "text", ("first name", "given name", "firstname", "名")),
    Target("last_name", _("Last name"), "text", ("last name", "surname", "family name", "lastname", "姓")),
    Target("company_name", _("Company name"), "text", _COMPANY_WORDS),
    Target("email", _("Email"), "email", _EMAIL_WORDS),
    Target("phone", _("Phone"), "phone", (*_PHONE_WORDS, *_MOBILE_WORDS)),
    Target("source", _("Source"), "choice", ("source", "lead source", "来源", "來源", "线索来源", "潛在客戶來源")),
    Target("status", _("Status"), "choice", ("status", "lead status", "状态", "狀態")),
    Target("owner", _("Owner"), "owner", _OWNER_WORDS),
    Target("tags", _("Tags"), "tags", _TAG_WORDS),
    Target("source_id", _("Id in the source system"), "source_id", _ID_WORDS),
)  # fmt: skip

DEAL_TARGETS: tuple[Target, ...] = (
    Target("title", _("Title"), "text", ("title", "name", "deal", "deal name", "opportunity", "opportunity name", "商机", "商機", "商机名称", "商機名稱", "项目", "項目"), required=True),
    Target("amount", _("Amount"), "money", ("amount", "value", "deal value", "金额", "金額", "合同金额", "合約金額")),
    Target("currency", _("Currency"), "currency", ("currency", "币种", "幣別", "货币", "貨幣")),
    Target("expected_close_on", _("Expected close"), "date", ("close date", "expected close", "expected close date", "closing date", "预计成交日期", "預計成交日期")),
    Target("probability", _("Probability (%)"), "percent", ("probability", "probability (%)", "成交概率", "成交機率")),
    Target("stage", _("Stage"), "stage", ("stage", "deal stage", "阶段", "階段")),
    Target("pipeline", _("Pipeline"), "pipeline", ("pipeline", "销售流程", "銷售流程")),
    Target("company", _("Company"), "company", _COMPANY_WORDS),
    Target("company_source_id", _("Company's id in the source system"), "ref", ("company id", "account id")),
    Target("contact", _("Contact (e-mail or name)"), "contact", ("contact", "contact person", "contact email", *_EMAIL_WORDS[:2], "联系人", "聯絡人")),
    Target("contact_source_id", _("Contact's id in the source system"), "ref", ("contact id",)),
    Target("owner", _("Owner"), "owner", _OWNER_WORDS),
    Target("tags", _("Tags"), "tags", _TAG_WORDS),
    Target("source_id", _("Id in the source system"), "source_id", _ID_WORDS),
)  # fmt: skip

TARGETS: dict[str, tuple[Target, ...]] = {
    ImportKind.CONTACTS: CONTACT_TARGETS,
    ImportKind.COMPANIES: COMPANY_TARGETS,
    ImportKind.LEADS: LEAD_TARGETS,
    ImportKind.DEALS: DEAL_TARGETS,
}
#: The custom fields' record type of each kind of import.
OBJECT_TYPES = {
    ImportKind.CONTACTS: "contact",
    ImportKind.COMPANIES: "company",
    ImportKind.LEADS: "lead",
    ImportKind.DEALS: "deal",
}


def header_key(header: Any) -> str:
    """A header compared as people mean it: no case, spaces, underscores or punctuation."""
    value = unicodedata.normalize("NFKC", str(header or "")).casefold()
    return re.sub(r"[\W_]+", "", value)


def target(kind: str, key: str) -> Target | None:
    return next((t for t in TARGETS[kind] if t.key == key), None)


@dataclass(frozen=True)
class Preset:
    """Another CRM's export: the headers that recognise it and the column of each target."""

    key: str
    label: str
    kind: str
    #: The system whose ids the file carries; re-imports and cross-file links go by them.
    source: str
    columns: dict[str, str]
    #: Headers all present in the system's export of this record type.
    signature: tuple[str, ...]


PRESETS: tuple[Preset, ...] = (
    Preset("hubspot_contacts", "HubSpot — contacts", ImportKind.CONTACTS, "hubspot", {
        "Record ID": "source_id", "First Name": "first_name", "Last Name": "last_name",
        "Email": "email", "Phone Number": "phone", "Mobile Phone Number": "mobile",
        "Job Title": "title", "Company Name": "company", "Street Address": "address",
        "City": "city", "Country/Region": "country", "Contact owner": "owner",
        "Associated Company IDs (Primary)": "company_source_id",
        "Associated Company ID": "company_source_id", "Date of birth": "birthday",
    }, ("Record ID", "First Name", "Last Name", "Email")),
    Preset("hubspot_companies", "HubSpot — companies", ImportKind.COMPANIES, "hubspot", {
        "Record ID": "source_id", "Company name": "name", "Company Domain Name": "domain",
        "Website URL": "domain", "Industry": "industry", "Phone Number": "phone",
        "Street Address": "address", "City": "city", "Country/Region": "country",
        "Company owner": "owner",
    }, ("Record ID", "Company name")),
    Preset("hubspot_deals", "HubSpot — deals", ImportKind.DEALS, "hubspot", {
        "Record ID": "source_id", "Deal Name": "title", "Amount": "amount",
        "Close Date": "expected_close_on", "Deal Stage": "stage", "Pipeline": "pipeline",
        "Deal owner": "owner", "Currency": "currency",
        "Associated Company IDs (Primary)": "company_source_id",
        "Associated Company ID": "company_source_id",
        "Associated Contact IDs": "contact_source_id", "Associated Contact ID": "contact_source_id",
    }, ("Record ID", "Deal Name")),
    Preset("pipedrive_people", "Pipedrive — people", ImportKind.CONTACTS, "pipedrive", {
        "Person - ID": "source_id", "Person - Name": "full_name",
        "Person - First name": "first_name", "Person - Last name": "last_name",
        "Person - Email": "email", "Person - Email - Work": "email",
        "Person - Phone": "phone", "Person - Phone - Work": "phone",
        "Person - Phone - Mobile": "mobile", "Person - Organization": "company",
        "Person - Organization ID": "company_source_id", "Organization - ID": "company_source_id",
        "Person - Owner": "owner", "Person - Labels": "tags", "Person - Job title": "title",
    }, ("Person - Name",)),
    Preset("pipedrive_organizations", "Pipedrive — organizations", ImportKind.COMPANIES,
           "pipedrive", {
        "Organization - ID": "source_id", "Organization - Name": "name",
        "Organization - Address": "address", "Organization - Website": "domain",
        "Organization - Owner": "owner", "Organization - Labels": "tags",
        "Organization - Industry": "industry",
    }, ("Organization - Name",)),
    Preset("pipedrive_deals", "Pipedrive — deals", ImportKind.DEALS, "pipedrive", {
        "Deal - ID": "source_id", "Deal - Title": "title", "Deal - Value": "amount",
        "Deal - Currency": "currency", "Deal - Stage": "stage", "Deal - Pipeline": "pipeline",
        "Deal - Organization": "company", "Deal - Organization ID": "company_source_id",
        "Deal - Contact person": "contact", "Deal - Contact person ID": "contact_source_id",
        "Deal - Expected close date": "expected_close_on", "Deal - Owner": "owner",
        "Deal - Probability": "probability", "Deal - Labels": "tags",
    }, ("Deal - Title",)),
    Preset("salesforce_account", "Salesforce — Account", ImportKind.COMPANIES, "salesforce", {
        "Id": "source_id", "Name": "name", "Website": "domain", "Industry": "industry",
        "Phone": "phone", "BillingStreet": "address", "BillingCity": "city",
        "BillingCountry": "country", "Owner.Email": "owner",
    }, ("Id", "Name", "BillingCity")),
    Preset("salesforce_contact", "Salesforce — Contact", ImportKind.CONTACTS, "salesforce", {
        "Id": "source_id", "AccountId": "company_source_id", "FirstName": "first_name",
        "LastName": "last_name", "Title": "title", "Email": "email", "Phone": "phone",
        "MobilePhone": "mobile", "MailingStreet": "address", "MailingCity": "city",
        "MailingCountry": "country", "Birthdate": "birthday",
        "HasOptedOutOfEmail": "email_opt_out", "DoNotCall": "phone_opt_out",
        "Account.Name": "company", "Owner.Email": "owner",
    }, ("Id", "AccountId", "LastName")),
    Preset("salesforce_lead", "Salesforce — Lead", ImportKind.LEADS, "salesforce", {
        "Id": "source_id", "FirstName": "first_name", "LastName": "last_name",
        "Company": "company_name", "Email": "email", "Phone": "phone",
        "LeadSource": "source", "Status": "status", "Owner.Email": "owner",
    }, ("Id", "LastName", "Company", "LeadSource")),
    Preset("salesforce_opportunity", "Salesforce — Opportunity", ImportKind.DEALS, "salesforce", {
        "Id": "source_id", "AccountId": "company_source_id", "Name": "title",
        "Amount": "amount", "CloseDate": "expected_close_on", "StageName": "stage",
        "Probability": "probability", "CurrencyIsoCode": "currency",
        "ContactId": "contact_source_id", "Owner.Email": "owner",
    }, ("Id", "StageName", "CloseDate")),
    Preset("zoho_contacts", "Zoho CRM — contacts", ImportKind.CONTACTS, "zoho", {
        "Record Id": "source_id", "First Name": "first_name", "Last Name": "last_name",
        "Email": "email", "Phone": "phone", "Mobile": "mobile", "Title": "title",
        "Account Name": "company", "Account Name.id": "company_source_id",
        "Mailing Street": "address", "Mailing City": "city", "Mailing Country": "country",
        "Date of Birth": "birthday", "Contact Owner": "owner", "Email Opt Out": "email_opt_out",
        "Tag": "tags",
    }, ("Record Id", "Last Name", "Contact Owner")),
    Preset("zoho_deals", "Zoho CRM — deals", ImportKind.DEALS, "zoho", {
        "Record Id": "source_id", "Deal Name": "title", "Amount": "amount",
        "Closing Date": "expected_close_on", "Stage": "stage", "Account Name": "company",
        "Account Name.id": "company_source_id", "Contact Name": "contact",
        "Contact Name.id": "contact_source_id", "Deal Owner": "owner",
        "Probability (%)": "probability", "Pipeline": "pipeline", "Currency": "currency",
        "Tag": "tags",
    }, ("Record Id", "Deal Name", "Deal Owner")),
)  # fmt: skip
PRESETS_BY_KEY = {preset.key: preset for preset in PRESETS}


def detect_preset(headers: Sequence[Any]) -> Preset | None:
    """The export whose every signature header is in the file; among several, the one that
    knows most of the file's headers."""
    keys = {header_key(h) for h in headers}
    matches = [p for p in PRESETS if all(header_key(h) in keys for h in p.signature)]
    if not matches:
        return None
    return max(
        matches, key=lambda p: (sum(header_key(h) in keys for h in p.columns), len(p.signature))
    )


def auto_map(
    headers: Sequence[Any],
    kind: str,
    *,
    preset: Preset | None = None,
    custom_fields: Sequence[CustomFieldDefinition] = (),
) -> list[str]:
    """The target of each column: the preset's, else a field whose name or synonyms match
    the header, else a custom field whose label or key does; each target taken once."""
    by_header: dict[str, str] = {}
    if preset is not None and preset.kind == kind:
        by_header = {header_key(h): key for h, key in preset.columns.items()}
    synonyms: dict[str, str] = {}
    for field in TARGETS[kind]:
        for word in (field.key, str(field.label), *field.synonyms):
            synonyms.setdefault(header_key(word), field.key)
    for definition in custom_fields:
        for word in (definition.label, definition.key):
            synonyms.setdefault(header_key(word), f"{CUSTOM_PREFIX}{definition.key}")
    taken: set[str] = set()
    mapping = []
    for header in headers:
        key = header_key(header)
        chosen = by_header.get(key) or synonyms.get(key, SKIP)
        if chosen in taken and chosen != SKIP:
            chosen = SKIP
        taken.add(chosen)
        mapping.append(chosen)
    return mapping
