from crm.models import Company, Contact
from tests.onboarding.imports.conftest import import_file


def test_a_contact_file_with_a_company_column_creates_one_company_per_company(admin) -> None:
    """Two people at Acme and one at Jade make two companies, each linked to its people."""
    data = (
        "First Name,Last Name,Email,Company\n"
        "Mary,Smith,mary@acme.example,Acme\n"
        "John,Doe,john@acme.example,ACME\n"
        "Li,Wei,li@jade.cn,Jade\n"
    ).encode()
    batch = import_file(admin, data)
    assert batch.status == "done", batch.failure
    assert Contact.objects.count() == 3
    assert Company.objects.count() == 2
