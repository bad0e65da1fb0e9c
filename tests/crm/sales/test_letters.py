"""Mail-merge letters: merge fields, one PDF or a zip, a letter activity per contact."""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crm.models import Activity, ActivityKind, Contact
from crm.sales.letters import letter_template_save, letters_print, merge
from crm.sales.models import LetterTemplate
from tenants.users.models import User
from tests.conftest import Workspace
from tests.core.test_pdf import pdf_font_names
from tests.crm.factories import ContactFactory, TagFactory

BODY = "亲爱的 {{ full_name }}：\n\n感谢您一年来的支持！聯絡人 {{ first_name }}\n\n{{ sender }}"


@pytest.fixture
def letter(crm: Workspace, admin: User) -> LetterTemplate:
    return letter_template_save(by=admin, fields={"name": "新年感谢信", "body": BODY})


@pytest.fixture
def customers(crm: Workspace, rep: User) -> list[Contact]:
    return [
        ContactFactory.create(owner=rep, full_name="王小明", first_name="小明", last_name="王"),
        ContactFactory.create(owner=rep, full_name="Ada Lovelace", first_name="Ada"),
    ]


def test_merge_replaces_the_known_fields_only() -> None:
    assert merge("Dear {{first_name}}, {{ nope }}", {"first_name": "Ada"}) == "Dear Ada, {{ nope }}"


def test_a_template_with_an_unknown_field_is_refused(crm: Workspace, admin: User) -> None:
    with pytest.raises(ValidationError, match="birthday_cake"):
        letter_template_save(by=admin, fields={"name": "x", "body": "{{ birthday_cake }}"})


def test_one_pdf_for_all_letters_with_chinese_text(
    letter: LetterTemplate, customers: list[Contact], rep: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = letters_print(template=letter, contacts=customers, by=rep, as_zip=False)
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 2
    assert "Rapport-SC" in pdf_font_names(pdf)
    assert ".notdef" not in caplog.text


def _pages(pdf: bytes) -> int:
    """The page count of the PDF's page tree."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    counts = re.findall(rb"/Count (\d+)", b"".join(chunks))
    return max(int(c) for c in counts) if counts else 0


def test_a_zip_holds_one_pdf_per_contact(
    letter: LetterTemplate, customers: list[Contact], rep: User
) -> None:
    content = letters_print(template=letter, contacts=customers, by=rep, as_zip=True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert len(names) == 2
        assert all(archive.read(name).startswith(b"%PDF") for name in names)


def test_each_letter_is_logged_on_its_contact(
    letter: LetterTemplate, customers: list[Contact], rep: User
) -> None:
    letters_print(template=letter, contacts=customers, by=rep, as_zip=False)
    logged = Activity.objects.filter(kind=ActivityKind.LETTER, subject="新年感谢信")
    assert sorted(int(a.contact_id or 0) for a in logged) == sorted(c.pk for c in customers)
    assert all(a.done_at for a in logged)


def test_letters_for_a_tag_from_the_print_page(
    letter: LetterTemplate, customers: list[Contact], rep: User, client_as: object
) -> None:
    tag = TagFactory.create(name="VIP")
    customers[0].tags.add(tag)
    client: Client = client_as(rep)  # type: ignore[operator]
    response = client.post(
        reverse("letter_print"), {"template": letter.pk, "tag": tag.pk, "output": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert Activity.objects.filter(kind=ActivityKind.LETTER).count() == 1


def test_letters_for_contacts_ticked_in_the_list(
    letter: LetterTemplate, customers: list[Contact], rep: User, client_as: object
) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    ids = [c.pk for c in customers]
    page = client.get(reverse("letter_print"), {"ids": ids})
    assert "王小明" in page.content.decode()
    response = client.post(
        reverse("letter_print"), {"template": letter.pk, "ids": ids, "output": "zip"}
    )
    assert response["Content-Type"] == "application/zip"


def test_contacts_the_user_cannot_see_get_no_letter(
    letter: LetterTemplate, customers: list[Contact], other_rep: User, client_as: object
) -> None:
    client: Client = client_as(other_rep)  # type: ignore[operator]
    response = client.post(
        reverse("letter_print"),
        {"template": letter.pk, "ids": [c.pk for c in customers], "output": "pdf"},
    )
    assert response.status_code == 200
    assert "Choose at least one contact." in response.content.decode()
    assert not Activity.objects.filter(kind=ActivityKind.LETTER).exists()


def test_another_workspace_does_not_see_the_letters(
    letter: LetterTemplate, beta: Workspace, beta_client: Client
) -> None:
    from django_tenants.utils import schema_context

    from tenants.users.models import Role
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    with schema_context(beta.schema):
        beta_user = UserFactory.create(role=Role.ADMIN)
    client = sign_in(beta_client, beta, beta_user)
    assert "新年感谢信" not in client.get(reverse("letter_templates")).content.decode()
    assert client.get(reverse("letter_template_update", args=[letter.pk])).status_code == 404


def test_managers_write_templates_through_the_form(
    crm: Workspace, manager: User, client_as: object
) -> None:
    client: Client = client_as(manager)  # type: ignore[operator]
    assert "{{ first_name }}" in client.get(reverse("letter_template_create")).content.decode()
    response = client.post(
        reverse("letter_template_create"), {"name": "Price change", "body": "Dear {{ first_name }}"}
    )
    assert response.status_code == 302
    assert LetterTemplate.objects.filter(name="Price change").exists()
