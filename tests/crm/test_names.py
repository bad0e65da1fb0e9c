"""A person's name as its owner writes it: family name first (张伟), given name first
(Mary Smith) or one name; nothing forces a first/last split."""

from __future__ import annotations

from crm import services
from crm.models import Contact
from crm.names import compose_full_name, greeting_name


def test_a_chinese_name_is_kept_as_written(crm, rep) -> None:
    """张伟 typed as the name is shown and listed as 张伟."""
    contact = services.contact_create(by=rep, fields={"full_name": "张伟"})
    assert (str(contact), contact.first_name, contact.last_name) == ("张伟", "", "")


def test_parts_of_a_chinese_name_compose_family_name_first(crm, rep) -> None:
    """Given 伟 and family 李 (an import with two columns) make 李伟, not "伟 李"."""
    contact = services.contact_create(by=rep, fields={"first_name": "伟", "last_name": "李"})
    assert Contact.objects.get(pk=contact.pk).full_name == "李伟"


def test_parts_of_a_western_name_compose_given_name_first(crm, rep) -> None:
    """Mary + Smith make Mary Smith."""
    contact = services.contact_create(by=rep, fields={"first_name": "Mary", "last_name": "Smith"})
    assert str(contact) == "Mary Smith"


def test_a_single_name_needs_no_parts(crm, rep) -> None:
    """One name, no family name required."""
    contact = services.contact_create(by=rep, fields={"full_name": "Madonna"})
    assert str(contact) == "Madonna"


def test_the_form_asks_for_a_name_when_nothing_is_given(crm, rep, client_as) -> None:
    """An empty name and no parts get a clear message; nothing is saved."""
    response = client_as(rep).post("/contacts/new/", {"full_name": "", "owner": rep.pk})
    assert "Enter the person&#x27;s name." in response.content.decode()
    assert not Contact.objects.exists()


def test_the_form_saves_a_name_written_family_name_first(crm, rep, client_as) -> None:
    """The contact form takes 陳大文 as it is."""
    client_as(rep).post(
        "/contacts/new/", {"full_name": "陳大文", "owner": rep.pk, "company_role": "employee"}
    )
    assert Contact.objects.get().full_name == "陳大文"


def test_greeting_uses_the_given_name_when_known() -> None:
    """Letters say "Dear Mary" when the given name is known, else the whole name."""
    assert greeting_name(full_name="Mary Smith", given="Mary") == "Mary"
    assert greeting_name(full_name="张伟", given="") == "张伟"


def test_japanese_and_korean_names_are_family_name_first_too() -> None:
    """Kana and hangul compose like Chinese."""
    assert compose_full_name("太郎", "山田") == "山田太郎"
    assert compose_full_name("민준", "김") == "김민준"
