"""Mail-merge letters: one letter per contact from a template, as one PDF or a zip of PDFs.

Merge fields are a closed list replaced as plain text (never a template language over
users' input), then escaped into the letter's HTML. Each printed letter is logged as a
letter activity on its contact, so the timeline shows who was written to and when.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.pdf import html_to_pdf
from crm.models import ActivityKind, Contact, ContactCompany
from crm.sales.models import LetterTemplate
from crm.sales.services import ensure_catalogue_editor, sales_settings
from crm.services.activities import activity_create
from crm.services.common import ensure_can_write
from tenants.selectors import current_tenant
from tenants.users.models import User

MERGE_FIELD = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
#: The merge fields a template may use, in the order the form lists them.
MERGE_FIELDS = (
    "full_name", "first_name", "last_name", "title", "company", "email", "address", "city",
    "country", "today", "sender", "workspace",
)  # fmt: skip
#: Letters printed at once (rendered while the user waits).
LETTERS_MAX = 200


def merge_fields_check(body: str) -> None:
    unknown = sorted({name for name in MERGE_FIELD.findall(body) if name not in MERGE_FIELDS})
    if unknown:
        raise ValidationError(
            {
                "body": _("Unknown merge fields: %(unknown)s. Available: %(available)s.")
                % {"unknown": ", ".join(unknown), "available": ", ".join(MERGE_FIELDS)}
            }
        )


def merge(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known merge field replaced by its value (plain text)."""
    return MERGE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), body)


@transaction.atomic
def letter_template_save(
    *, by: User, fields: Mapping[str, Any], template: LetterTemplate | None = None
) -> LetterTemplate:
    ensure_catalogue_editor(by)
    template = template or LetterTemplate()
    template.name = fields["name"]
    template.body = fields["body"]
    merge_fields_check(template.body)
    template.full_clean()
    template.save()
    return template


def _companies(contacts: Sequence[Contact]) -> dict[int, str]:
    names: dict[int, str] = {}
    links = ContactCompany.objects.filter(contact__in=contacts).select_related("company")
    for link in links.order_by("contact_id", "-started_on", "id"):
        names.setdefault(link.contact_id, link.company.name)
    return names


def _values(contact: Contact, *, company: str, sender: User, workspace: str) -> dict[str, str]:
    return {
        "full_name": contact.full_name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "company": company,
        "email": contact.email,
        "address": contact.address,
        "city": contact.city,
        "country": contact.country,
        "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        "sender": str(sender),
        "workspace": workspace,
    }


def _letters(
    template: LetterTemplate, contacts: Sequence[Contact], by: User
) -> list[dict[str, Any]]:
    companies = _companies(contacts)
    workspace = current_tenant().name
    letters = []
    for contact in contacts:
        values = _values(
            contact, company=companies.get(contact.pk, ""), sender=by, workspace=workspace
        )
        letters.append({"contact": contact, "values": values, "body": merge(template.body, values)})
    return letters


def _render(letters: list[dict[str, Any]]) -> str:
    settings_row = sales_settings()
    return render_to_string(
        "sales/letter_pdf.html",
        {
            "letters": letters,
            "language": translation.get_language(),
            "seller_name": settings_row.seller_name or current_tenant().name,
            "seller_address": settings_row.address,
        },
    )


def letter_filename(index: int, contact: Contact) -> str:
    return f"{index:03d}-{slugify(contact.full_name, allow_unicode=True) or contact.pk}.pdf"


@transaction.atomic
def letters_print(
    *, template: LetterTemplate, contacts: Sequence[Contact], by: User, as_zip: bool
) -> bytes:
    """The letters as one PDF (for printing) or a zip of one PDF per contact, in the workspace's
    language; each letter is logged as a done letter activity on its contact."""
    ensure_can_write(by)
    if not contacts:
        raise ValidationError(_("Choose at least one contact."))
    if len(contacts) > LETTERS_MAX:
        raise ValidationError(
            _("At most %(max)s letters at a time: narrow the selection.") % {"max": LETTERS_MAX}
        )
    with translation.override(current_tenant().language or "en"):
        content = _letters_file(template, contacts, by, as_zip=as_zip)
    now = timezone.now()
    for contact in contacts:
        activity_create(
            by=by,
            fields={
                "kind": ActivityKind.LETTER,
                "subject": template.name[:200],
                "contact": contact,
                "done_at": now,
            },
        )
    return content


def _letters_file(
    template: LetterTemplate, contacts: Sequence[Contact], by: User, *, as_zip: bool
) -> bytes:
    """The letters in the workspace's language (dates, the document's language)."""
    letters = _letters(template, contacts, by)
    if as_zip:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, letter in enumerate(letters, start=1):
                archive.writestr(
                    letter_filename(index, letter["contact"]), html_to_pdf(_render([letter]))
                )
        content = buffer.getvalue()
    else:
        content = html_to_pdf(_render(letters))
    return content
