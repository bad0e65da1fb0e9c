"""Identity resolution: rows match existing records and each other by source id, e-mail,
phone, domain and name; the import's dedupe mode decides what a match does."""

from __future__ import annotations

from crm import services as crm
from crm.models import Company, Contact, ContactCompany, Deal, Lead
from onboarding.imports.models import SourceRecord
from tests.onboarding.imports.conftest import import_file


def test_a_row_matches_an_existing_contact_by_email_whatever_its_case(admin) -> None:
    """`` MARY@Acme.example `` is the contact mary@acme.example: no second Mary."""
    existing = crm.contact_create(
        by=admin, fields={"last_name": "Smith", "email": "mary@acme.example"}
    )
    batch = import_file(admin, b"Last Name,Email,City\nSmith, MARY@Acme.example ,Paris\n")
    assert Contact.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.city, batch.duplicate_count, batch.updated_count) == ("Paris", 1, 1)


def test_a_row_matches_an_existing_contact_by_phone_in_another_format(admin) -> None:
    """138-0013-8000 in the file is the contact stored as +86 138 0013 8000 (workspace in China)."""
    admin_tenant = __import__("tenants.selectors", fromlist=["current_tenant"]).current_tenant()
    admin_tenant.country = "CN"
    admin_tenant.save()
    crm.contact_create(by=admin, fields={"last_name": "王", "mobile": "+86 138 0013 8000"})
    import_file(admin, "姓名,手机\n王五,138-0013-8000\n".encode())
    assert Contact.objects.count() == 1


def test_a_row_without_email_or_phone_matches_by_name(admin) -> None:
    """Only a name identifies the row: "mary smith" is the existing Mary Smith."""
    crm.contact_create(by=admin, fields={"first_name": "Mary", "last_name": "Smith"})
    import_file(admin, b"Name,City\n  mary SMITH ,Paris\n")
    assert Contact.objects.count() == 1


def test_a_row_with_an_email_is_not_matched_by_name_alone(admin) -> None:
    """Two people called John Lee with different addresses stay two people."""
    crm.contact_create(
        by=admin, fields={"first_name": "John", "last_name": "Lee", "email": "john@a.example"}
    )
    import_file(admin, b"Name,Email\nJohn Lee,john@b.example\n")
    assert Contact.objects.count() == 2


def test_duplicates_within_the_file_become_one_record(admin) -> None:
    """The same address twice in a file is one contact; the second row fills its gaps."""
    batch = import_file(
        admin,
        b"Name,Email,Phone\nMary Smith,mary@acme.example,\n"
        b"Mary Smith,mary@acme.example,+44 20 7946 0958\n",
    )
    contact = Contact.objects.get()
    assert contact.phone == "+442079460958"
    assert (batch.created_count, batch.duplicate_count) == (1, 1)


def test_a_company_matches_by_domain_from_its_website(admin) -> None:
    """``https://www.Acme.example/`` is the company stored with domain acme.example."""
    crm.company_create(by=admin, fields={"name": "Acme Holdings", "domain": "acme.example"})
    import_file(admin, b"Name,Website\nACME Ltd,https://www.Acme.example/\n", kind="companies")
    assert Company.objects.count() == 1


def test_contacts_at_one_company_link_to_one_company_found_by_email_domain(admin) -> None:
    """ "Acme" and "Acme Ltd" with addresses at acme.example are one company, not one per row."""
    data = (
        b"Name,Email,Company\nMary Smith,mary@acme.example,Acme\n"
        b"John Doe,john@acme.example,Acme Ltd\nAnn Lee,ann@gmail.com,Acme\n"
    )
    import_file(admin, data)
    assert Company.objects.count() == 1
    assert ContactCompany.objects.filter(company=Company.objects.get()).count() == 3


def test_merge_fills_only_the_empty_fields(admin) -> None:
    """The default: a match keeps what it has and gains what it lacked."""
    crm.contact_create(
        by=admin, fields={"last_name": "Smith", "email": "m@x.example", "city": "Paris"}
    )
    import_file(admin, b"Last Name,Email,City,Job Title\nSmith,m@x.example,Lyon,CEO\n")
    contact = Contact.objects.get()
    assert (contact.city, contact.title) == ("Paris", "CEO")


def test_overwrite_replaces_the_fields_the_file_has(admin) -> None:
    """Overwrite: the file's values win."""
    crm.contact_create(
        by=admin, fields={"last_name": "Smith", "email": "m@x.example", "city": "Paris"}
    )
    import_file(admin, b"Last Name,Email,City\nSmith,m@x.example,Lyon\n", dedupe="overwrite")
    assert Contact.objects.get().city == "Lyon"


def test_skip_leaves_the_match_untouched(admin) -> None:
    """Skip: a matching row is counted as skipped and changes nothing."""
    crm.contact_create(by=admin, fields={"last_name": "Smith", "email": "m@x.example"})
    batch = import_file(admin, b"Last Name,Email,City\nSmith,m@x.example,Lyon\n", dedupe="skip")
    assert (Contact.objects.get().city, batch.skipped_count) == ("", 1)


def test_create_makes_a_new_record_anyway(admin) -> None:
    """Create: the row becomes a second record even though it matches."""
    crm.contact_create(by=admin, fields={"last_name": "Smith", "email": "m@x.example"})
    import_file(admin, b"Last Name,Email\nSmith,m@x.example\n", dedupe="create")
    assert Contact.objects.count() == 2


def test_importing_the_same_export_again_updates_by_source_id(admin) -> None:
    """A HubSpot re-export with a changed address updates the contact it made before."""
    header = b"Record ID,First Name,Last Name,Email\n"
    import_file(admin, header + b"501,Mary,Smith,mary@old.example\n")
    batch = import_file(admin, header + b"501,Mary,Smith,mary@new.example\n")
    assert list(Contact.objects.values_list("email", flat=True)) == ["mary@new.example"]
    assert (batch.updated_count, batch.duplicate_count) == (1, 0)


ACCOUNTS = (
    b"Id,Name,Website,BillingCity\n001A,Acme,acme.example,Paris\n001B,Jade,jade.cn,Shanghai\n"
)
CONTACTS = (
    b"Id,AccountId,FirstName,LastName,Email\n"
    b"003A,001A,Mary,Smith,mary@acme.example\n003B,001B,Li,Wei,li@jade.cn\n"
)


def _links() -> set[tuple[str, str]]:
    return set(ContactCompany.objects.values_list("contact__last_name", "company__name"))


def test_salesforce_contacts_link_to_accounts_imported_before_them(admin) -> None:
    """Accounts first, then contacts: each contact's AccountId finds its company."""
    import_file(admin, ACCOUNTS, name="Account.csv")
    import_file(admin, CONTACTS, name="Contact.csv")
    assert _links() == {("Smith", "Acme"), ("Wei", "Jade")}


def test_salesforce_contacts_link_to_accounts_imported_after_them(admin) -> None:
    """Contacts first, then accounts: the links wait for their companies and are made then."""
    import_file(admin, CONTACTS, name="Contact.csv")
    import_file(admin, ACCOUNTS, name="Account.csv")
    assert _links() == {("Smith", "Acme"), ("Wei", "Jade")}
    assert Company.objects.count() == 2


def test_a_deal_file_links_its_company_and_contact(admin) -> None:
    """A deal names its company (created once) and its contact (by e-mail)."""
    crm.contact_create(by=admin, fields={"last_name": "Smith", "email": "mary@acme.example"})
    import_file(
        admin,
        b'Deal Name,Amount,Company,Contact\nRenewal,"1,200.50",Acme,mary@acme.example\n',
        kind="deals",
    )
    deal = Deal.objects.get()
    assert deal.company is not None
    assert (deal.company.name, list(deal.contacts.values_list("email", flat=True))) == (
        "Acme",
        ["mary@acme.example"],
    )
    assert str(deal.amount.normalize()) == "1200.5"


def test_imported_records_keep_their_source_ids(admin) -> None:
    """Each record remembers its id in the system it came from."""
    import_file(
        admin,
        b"Id,LastName,Company,LeadSource,Status\n00Q1,Lee,Jade,Web,Open\n",
        name="Lead.csv",
        kind="leads",
        mapping=["source_id", "name", "company_name", "", ""],
    )
    lead = Lead.objects.get()
    assert SourceRecord.objects.filter(
        object_type="lead", object_id=lead.pk, source_id="00Q1"
    ).exists()


def test_a_lead_choice_is_read_by_its_label_in_chinese(admin) -> None:
    """来源 "转介绍" (the Chinese label of Referral) is stored as the Referral source."""
    import_file(
        admin, "名称,来源\n陈先生,转介绍\n".encode(), kind="leads", mapping=["name", "source"]
    )
    assert Lead.objects.get().source == "referral"
