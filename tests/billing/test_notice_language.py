"""Billing e-mails are written in each recipient's language, with amounts formatted for it."""

from __future__ import annotations

from django.core import mail
from django_tenants.utils import schema_context

from billing.notices import notice_send
from tests.conftest import Workspace
from tests.factories import AdminFactory

RECEIPT = {"amount_value": "1234.5", "currency": "CNY", "number": "RAP-0001"}


def _bodies() -> dict[str, str]:
    return {message.to[0]: str(message.body) for message in mail.outbox}


def test_each_admin_reads_the_receipt_in_their_language(alpha: Workspace) -> None:
    """A Traditional-Chinese admin and an English one each get their own version."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="tw@alpha.example", language="zh-hant")
        AdminFactory.create(email="en@alpha.example", language="en")
    notice_send(tenant=alpha.tenant, kind="receipt", key="in_lang", context=RECEIPT)
    bodies = _bodies()
    assert "收到" in bodies["tw@alpha.example"]
    assert "Thank you" in bodies["en@alpha.example"]


def test_admin_without_a_choice_gets_the_workspace_language(alpha: Workspace) -> None:
    """No language of their own: the workspace's default decides."""
    alpha.tenant.language = "zh-hans"
    alpha.tenant.save(update_fields=["language"])
    with schema_context(alpha.schema):
        AdminFactory.create(email="default@alpha.example", language="")
    notice_send(tenant=alpha.tenant, kind="receipt", key="in_default", context=RECEIPT)
    assert "感谢" in _bodies()["default@alpha.example"]


def test_amount_is_formatted_for_the_reader(alpha: Workspace) -> None:
    """The amount shows with the currency's symbol and separators."""
    with schema_context(alpha.schema):
        AdminFactory.create(email="cn@alpha.example", language="zh-hans")
    notice_send(tenant=alpha.tenant, kind="receipt", key="in_amount", context=RECEIPT)
    assert "¥1,234.50" in _bodies()["cn@alpha.example"]
