"""One row of a file into the CRM: cells parsed by their column's target, the record found
or created through the CRM's services, and what changed remembered for undo.

Identity resolution, in order: the record's id in the source system (a re-import updates),
then the normalised e-mail address (trimmed, case-folded), then the phone number (its
national significant number, with the workspace's country as default region), then for
companies the web domain (from the website, or a contact's business e-mail), and the name
(folded as search folds it) only where nothing else identifies the row. Rows are applied one
after the other, so a duplicate later in the same file finds the record an earlier row made.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Upper
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from crm import services as crm
from crm.models import (
    Company,
    CompanySize,
    Contact,
    ContactCompany,
    CustomFieldDefinition,
    Deal,
    DealContact,
    FieldType,
    Lead,
    LeadSource,
    LeadStatus,
    Pipeline,
    Stage,
    Tag,
)
from crm.search_index import fold, has_han
from crm.services.deals import DEAL_EDITABLE_FIELDS
from crm.services.records import COMPANY_FIELDS, CONTACT_FIELDS, LEAD_FIELDS
from onboarding.imports import values
from onboarding.imports.mapping import CUSTOM_PREFIX, OBJECT_TYPES, TARGETS, Target
from onboarding.imports.models import (
    DateOrder,
    DedupeMode,
    ImportBatch,
    ImportedRecord,
    ImportKind,
    PendingReference,
    RecordAction,
    SourceRecord,
)
from onboarding.imports.values import CellError
from tenants.users.models import User

COMPANY, CONTACT, LEAD, DEAL = "company", "contact", "lead", "deal"
MODELS: dict[str, type[models.Model]] = {
    COMPANY: Company,
    CONTACT: Contact,
    LEAD: Lead,
    DEAL: Deal,
}
#: Fields a merge or undo may write, per record type (the rest belong to other services).
WRITABLE: dict[str, tuple[str, ...]] = {
    COMPANY: COMPANY_FIELDS,
    CONTACT: CONTACT_FIELDS,
    LEAD: LEAD_FIELDS,
    DEAL: DEAL_EDITABLE_FIELDS,
}
_TAG_SPLIT = re.compile(r"\s*[,;、，；]\s*")


class RowError(Exception):
    """A row that cannot be imported as it is: the column (header) and the reason."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class Outcome:
    """What a row did: ``created``, ``updated``, ``unchanged``, ``skipped``; ``duplicate``
    when it matched an existing record (or an earlier row) by identity."""

    action: str
    duplicate: bool = False
    record: models.Model | None = None


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice by its value and its label in English and both Chinese scripts."""
    lookup: dict[str, str] = {}
    for language in ("en", "zh-hans", "zh-hant"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(values.choice_key(str(label)), value)
    for value, _label in choices.choices:
        lookup[values.choice_key(value)] = value
    return lookup


@dataclass
class Context:
    """What every row of one import needs, read once per chunk."""

    batch: ImportBatch
    by: User
    region: str
    currency: str
    day_first: bool
    headers: list[str]
    mapping: list[str]
    custom_fields: dict[str, CustomFieldDefinition]
    users: dict[str, User]
    tags: dict[str, Tag] = field(default_factory=dict)
    pipelines: dict[str, Pipeline] = field(default_factory=dict)
    stages: dict[tuple[int, str], Stage] = field(default_factory=dict)
    #: Records written by this import in the chunk, awaiting their bulk insert.
    records: dict[tuple[str, int], ImportedRecord] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.batch.kind)

    @property
    def object_type(self) -> str:
        return OBJECT_TYPES[self.kind]  # type: ignore[index]

    @classmethod
    def build(cls, batch: ImportBatch, *, region: str, currency: str) -> Context:
        object_type = OBJECT_TYPES[batch.kind]  # type: ignore[index]
        users: dict[str, User] = {}
        for user in User.objects.filter(is_active=True):
            for name in (user.email, user.full_name):
                if name:
                    users.setdefault(name.strip().casefold(), user)
        pipelines: dict[str, Pipeline] = {}
        for pipeline in Pipeline.objects.all():
            pipelines.setdefault(values.choice_key(pipeline.name), pipeline)
        stages: dict[tuple[int, str], Stage] = {}
        for stage in Stage.objects.all():
            stages.setdefault((stage.pipeline_id, values.choice_key(stage.name)), stage)
        return cls(
            batch=batch,
            by=batch.created_by,
            region=region.upper(),
            currency=currency.upper(),
            day_first=batch.date_order == DateOrder.DAY_FIRST,
            headers=list(batch.headers),
            mapping=list(batch.mapping),
            custom_fields={d.key: d for d in CustomFieldDefinition.objects.for_type(object_type)},
            users=users,
            pipelines=pipelines,
            stages=stages,
            choices={
                "size": _choice_lookup(CompanySize),
                "source": _choice_lookup(LeadSource),
                "status": _choice_lookup(LeadStatus),
            },
        )


# --- Parsing ------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    """A row's values by target, before any record is looked up or written."""

    fields: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source_id: str = ""
    company: str = ""
    company_domain: str = ""
    company_source_id: str = ""
    contact: str = ""
    contact_source_id: str = ""
    stage: str = ""
    pipeline: str = ""
    full_name: str = ""
    #: Currency written with the amount (``USD 1,200``), used when no currency column says.
    amount_currency: str = ""


_CHOICE_TYPES = {"size": CompanySize, "source": LeadSource, "status": LeadStatus}


def _targets(kind: str) -> dict[str, Target]:
    return {t.key: t for t in TARGETS[kind]}


def parse_row(context: Context, cells: list[Any], *, check_width: bool) -> ParsedRow:
    """The values of one row by target; raises :class:`RowError` at the first bad cell."""
    headers = context.headers
    if check_width and len(cells) < len(headers):
        raise RowError(
            "",
            _("The line has %(found)d columns; the header has %(expected)d.")
            % {"found": len(cells), "expected": len(headers)},
        )
    parsed = ParsedRow()
    targets = _targets(context.kind)
    for index, key in enumerate(context.mapping):
        if not key or index >= len(cells):
            continue
        cell = cells[index]
        if values.text(cell) == "" and not isinstance(cell, int | float):
            continue
        header = headers[index] if index < len(headers) else ""
        try:
            if key.startswith(CUSTOM_PREFIX):
                _parse_custom(context, parsed, key.removeprefix(CUSTOM_PREFIX), cell)
            else:
                target = targets.get(key)
                if target is not None:
                    _parse_target(context, parsed, target, cell)
        except CellError as error:
            raise RowError(header, str(error)) from None
    _required(context, parsed)
    return parsed


def _parse_target(context: Context, parsed: ParsedRow, target: Target, cell: Any) -> None:
    fields, key = parsed.fields, target.key
    match target.kind:
        case "text":
            fields[key] = values.text(cell)
        case "name":
            parsed.full_name = values.text(cell)
        case "email":
            if context.kind == ImportKind.DEALS:
                parsed.contact = values.normalise_email(cell)
            else:
                fields[key] = values.normalise_email(cell)
        case "phone":
            fields[key] = values.phone_text(cell)
        case "date":
            fields[key] = values.parse_date(cell, day_first=context.day_first)
        case "money":
            fields[key] = values.parse_decimal(cell)
            parsed.amount_currency = values.money_currency(cell)
        case "currency":
            fields[key] = values.text(cell).upper()
        case "percent":
            fields[key] = _percent(cell)
        case "bool":
            fields[key] = values.parse_bool(cell)
        case "choice":
            choices = _CHOICE_TYPES[key]
            fields[key] = values.parse_choice(
                cell, context.choices[key], labels=[str(label) for label in choices.labels]
            )
        case "domain":
            domain = values.domain_of(cell)
            if not domain:
                raise CellError(_("%(value)s is not a web address.") % {"value": values.text(cell)})
            if key == "company_domain":
                parsed.company_domain = domain
            else:
                fields[key] = domain
        case "owner":
            owner = context.users.get(values.text(cell).casefold())
            if owner is not None:
                fields["owner"] = owner
        case "tags":
            parsed.tags = [name for name in _TAG_SPLIT.split(values.text(cell)) if name]
        case "company":
            parsed.company = values.text(cell)
        case "contact":
            parsed.contact = values.text(cell)
        case "stage":
            parsed.stage = values.text(cell)
        case "pipeline":
            parsed.pipeline = values.text(cell)
        case "ref":
            setattr(parsed, key, _source_id(cell))
        case "source_id":
            parsed.source_id = _source_id(cell)


def _source_id(cell: Any) -> str:
    """An id as the source system writes it (a number cell loses its ``.0``)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return values.text(cell)[:255]


def _percent(cell: Any) -> int:
    """``40``, ``40%`` or an Excel percentage cell (0.4) as 40."""
    is_fraction = isinstance(cell, float) and 0 < cell < 1
    number = values.parse_decimal(str(cell).replace("%", "") if isinstance(cell, str) else cell)
    if is_fraction:
        number *= 100
    if number != number.to_integral_value():
        number = number.quantize(Decimal(1))
    return int(number)


def _parse_custom(context: Context, parsed: ParsedRow, key: str, cell: Any) -> None:
    definition = context.custom_fields.get(key)
    if definition is None:
        return
    match definition.field_type:
        case FieldType.NUMBER | FieldType.MONEY:
            parsed.custom[key] = values.parse_decimal(cell)
        case FieldType.DATE:
            parsed.custom[key] = values.parse_date(cell, day_first=context.day_first)
        case FieldType.CHECKBOX:
            parsed.custom[key] = values.parse_bool(cell)
        case FieldType.CHOICE:
            lookup = {values.choice_key(c): c for c in definition.choices or []}
            parsed.custom[key] = values.parse_choice(
                cell, lookup, labels=list(definition.choices or [])
            )
        case FieldType.MULTI_CHOICE:
            lookup = {values.choice_key(c): c for c in definition.choices or []}
            parsed.custom[key] = [
                values.parse_choice(part, lookup, labels=list(definition.choices or []))
                for part in _TAG_SPLIT.split(values.text(cell))
                if part
            ]
        case FieldType.USER:
            user = context.users.get(values.text(cell).casefold())
            if user is None:
                raise CellError(
                    _("%(value)s is not a user of this workspace.") % {"value": values.text(cell)}
                )
            parsed.custom[key] = user.pk
        case _:
            parsed.custom[key] = values.text(cell)


def split_name(full_name: str) -> tuple[str, str]:
    """A full name as (first, last): ``Mary Smith`` is Mary + Smith; a Chinese name stays
    whole as the last name, as people type it (search finds it either way)."""
    name = " ".join(full_name.split())
    if has_han(name) or " " not in name:
        return "", name
    first, _sep, last = name.rpartition(" ")
    return first, last


def _header_of(context: Context, key: str) -> str:
    for index, mapped in enumerate(context.mapping):
        if mapped == key and index < len(context.headers):
            return context.headers[index]
    return ""


def _required(context: Context, parsed: ParsedRow) -> None:
    fields = parsed.fields
    if context.kind == ImportKind.CONTACTS:
        if parsed.full_name:
            first, last = split_name(parsed.full_name)
            fields.setdefault("first_name", first)
            if not fields.get("last_name"):
                fields["last_name"] = last
        if not fields.get("last_name") and fields.get("first_name"):
            fields["last_name"], fields["first_name"] = fields["first_name"], ""
        if not fields.get("last_name"):
            column = _header_of(context, "full_name") or _header_of(context, "last_name")
            raise RowError(column, _("A contact needs a name."))
    elif context.kind == ImportKind.LEADS:
        first, last = fields.pop("first_name", ""), fields.pop("last_name", "")
        if not fields.get("name"):
            fields["name"] = " ".join(part for part in (first, last) if part)
        if not fields.get("name"):
            raise RowError(_header_of(context, "name"), _("A lead needs a name."))
    elif context.kind == ImportKind.COMPANIES:
        if not fields.get("name"):
            raise RowError(_header_of(context, "name"), _("A company needs a name."))
    elif context.kind == ImportKind.DEALS and not fields.get("title"):
        raise RowError(_header_of(context, "title"), _("A deal needs a title."))


# --- Identity -------------------------------------------------------------------------------


def source_lookup(context: Context, object_type: str, source_id: str) -> models.Model | None:
    if not source_id:
        return None
    found = SourceRecord.objects.filter(
        source=context.batch.source, object_type=object_type, source_id=source_id
    ).first()
    if found is None:
        return None
    return MODELS[object_type]._default_manager.filter(pk=found.object_id).first()


def _by_email(model: type[models.Model], email: str) -> models.Model | None:
    if not email:
        return None
    manager = model._default_manager
    matches = manager.annotate(email_upper=Upper("email")).filter(email_upper=email.upper())
    return matches.order_by("pk").first()


def _by_phones(model: type[models.Model], numbers: list[str], region: str) -> models.Model | None:
    manager = model._default_manager
    for number in numbers:
        national = values.phone_identity(number, region=region)
        if national:
            found = manager.filter(search_phones__contains=f"{national} ").order_by("pk").first()
            if found is not None:
                return found
    return None


def _by_name_key(model: type[models.Model], name: str) -> models.Model | None:
    key = fold(name)
    if not key:
        return None
    manager = model._default_manager
    return manager.filter(search_keys__contains=[key]).order_by("pk").first()


def find_contact(context: Context, parsed: ParsedRow) -> tuple[Contact | None, bool]:
    """The existing contact a row is, and whether it was found by identity (a duplicate)
    rather than by its source id."""
    found = source_lookup(context, CONTACT, parsed.source_id)
    if found is not None:
        return found, False  # type: ignore[return-value]
    fields = parsed.fields
    phones = [fields[k] for k in ("phone", "mobile") if fields.get(k)]
    found = _by_email(Contact, fields.get("email", "")) or _by_phones(
        Contact, phones, context.region
    )
    if found is None and not fields.get("email") and not phones:
        name = f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip()
        found = _by_name_key(Contact, name)
    return found, found is not None  # type: ignore[return-value]


def find_lead(context: Context, parsed: ParsedRow) -> tuple[Lead | None, bool]:
    found = source_lookup(context, LEAD, parsed.source_id)
    if found is not None:
        return found, False  # type: ignore[return-value]
    fields = parsed.fields
    phones = [fields["phone"]] if fields.get("phone") else []
    lead = _by_email(Lead, fields.get("email", "")) or _by_phones(Lead, phones, context.region)
    if lead is None and not fields.get("email") and not phones:
        lead = Lead.objects.filter(name__iexact=fields["name"].strip()).order_by("pk").first()
    return lead, lead is not None  # type: ignore[return-value]


def find_company(
    context: Context, *, source_id: str, domain: str, name: str
) -> tuple[Company | None, bool]:
    """A company by source id, web domain, or name (when its domain does not contradict)."""
    found = source_lookup(context, COMPANY, source_id)
    if found is not None:
        return found, False  # type: ignore[return-value]
    company = None
    if domain:
        company = (
            Company.objects.annotate(domain_upper=Upper("domain"))
            .filter(domain_upper=domain.upper())
            .order_by("pk")
            .first()
        )
    if company is None and name:
        candidates = Company.objects.filter(name__iexact=name.strip()).order_by("pk")
        if domain:
            candidates = candidates.filter(domain="")
        company = candidates.first()
    return company, company is not None


def find_deal(
    context: Context, parsed: ParsedRow, company: Company | None
) -> tuple[Deal | None, bool]:
    found = source_lookup(context, DEAL, parsed.source_id)
    if found is not None:
        return found, False  # type: ignore[return-value]
    deals = Deal.objects.filter(title__iexact=parsed.fields["title"].strip())
    deal = deals.filter(company=company).order_by("pk").first()
    return deal, deal is not None


# --- Writing --------------------------------------------------------------------------------


def _remember(
    context: Context, record: models.Model, object_type: str, action: str, before: dict[str, Any]
) -> None:
    """Note a write for undo; a record written again by the same import keeps its first note
    (what it was before the import) with the latest time stamp."""
    key = (object_type, int(record.pk))
    stamp = getattr(record, "updated_at", None)
    note = context.records.get(key)
    if note is not None:
        note.updated_at = stamp
        return
    if action != RecordAction.CREATED:
        earlier = ImportedRecord.objects.filter(
            batch=context.batch, object_type=object_type, object_id=record.pk
        )
        if earlier.exists():
            earlier.update(updated_at=stamp)
            return
    context.records[key] = ImportedRecord(
        batch=context.batch,
        object_type=object_type,
        object_id=record.pk,
        action=action,
        before=before,
        updated_at=stamp,
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}) or value is False


def _merge_values(
    record: models.Model, fields: Mapping[str, Any], custom: Mapping[str, Any], *, overwrite: bool
) -> dict[str, Any]:
    """The fields to write into an existing record: every given value when overwriting, else
    only where the record is empty. Custom values are merged key by key."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "owner":
            continue  # a merge keeps the record with its owner
        current = getattr(record, name)
        if (overwrite or _empty(current)) and current != value and not _empty(value):
            changes[name] = value
    if custom:
        stored: dict[str, Any] = dict(record.custom)  # type: ignore[attr-defined]
        merged = dict(stored)
        for key, value in custom.items():
            if overwrite or _empty(stored.get(key)):
                merged[key] = _json_value(value)
        if merged != stored:
            changes["custom"] = merged
    return changes


def _before(record: models.Model, changes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _json_value(getattr(record, name)) for name in changes}


def _tags(context: Context, names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        key = name.strip().casefold()
        tag = context.tags.get(key)
        if tag is None:
            tag = crm.tag_get_or_create(name=name, by=context.by)
            context.tags[key] = tag
        tags.append(tag)
    return tags


def _custom_for_create(custom: Mapping[str, Any]) -> dict[str, Any] | None:
    return dict(custom) if custom else None


def _update(
    context: Context,
    record: models.Model,
    object_type: str,
    parsed: ParsedRow,
    *,
    overwrite: bool,
) -> bool:
    """Merge the row into ``record`` through its update service; whether anything changed."""
    changes = _merge_values(record, parsed.fields, parsed.custom, overwrite=overwrite)
    changes = {k: v for k, v in changes.items() if k in WRITABLE[object_type]}
    tags = None
    if parsed.tags:
        existing = list(record.tags.all())  # type: ignore[attr-defined]
        new = [t for t in _tags(context, parsed.tags) if t not in existing]
        if new:
            tags = existing + new
    if not changes and tags is None:
        return False
    before = _before(record, changes)
    if tags is not None:
        before["tags"] = [t.pk for t in record.tags.all()]  # type: ignore[attr-defined]
    _service_update(object_type, record, context.by, changes, tags)
    _remember(context, record, object_type, RecordAction.UPDATED, before)
    return True


def _service_update(
    object_type: str, record: Any, by: User, fields: dict[str, Any], tags: list[Tag] | None
) -> None:
    match object_type:
        case "company":
            crm.company_update(company=record, by=by, fields=fields, tags=tags)
        case "contact":
            crm.contact_update(contact=record, by=by, fields=fields, tags=tags)
        case "lead":
            crm.lead_update(lead=record, by=by, fields=fields, tags=tags)
        case _:
            crm.deal_update(deal=record, by=by, fields=fields, tags=tags)


def _source_record(
    context: Context, object_type: str, source_id: str, record: models.Model
) -> None:
    """Remember the record's id in its source system, and link what was waiting for it."""
    if not source_id:
        return
    SourceRecord.objects.update_or_create(
        source=context.batch.source,
        object_type=object_type,
        source_id=source_id,
        defaults={"object_id": record.pk, "batch": context.batch},
    )
    waiting = PendingReference.objects.filter(
        source=context.batch.source, to_type=object_type, to_source_id=source_id
    )
    for reference in waiting:
        _link_pending(context, reference, record)
    waiting.delete()


def _link_pending(context: Context, reference: PendingReference, target: models.Model) -> None:
    if reference.from_type == CONTACT and isinstance(target, Company):
        contact = Contact.objects.filter(pk=reference.from_id).first()
        if contact is not None:
            _link_contact_company(context, contact, target)
    elif reference.from_type == DEAL:
        deal = Deal.objects.filter(pk=reference.from_id).first()
        if deal is None:
            return
        if isinstance(target, Company) and deal.company_id is None:
            before = _before(deal, {"company": None})
            crm.deal_update(deal=deal, by=context.by, fields={"company": target})
            _remember(context, deal, DEAL, RecordAction.UPDATED, before)
        elif isinstance(target, Contact):
            _link_deal_contact(context, deal, target)


def _pending(
    context: Context, record: models.Model, from_type: str, to_type: str, sid: str
) -> None:
    PendingReference.objects.create(
        batch=context.batch,
        source=context.batch.source,
        from_type=from_type,
        from_id=record.pk,
        to_type=to_type,
        to_source_id=sid,
    )


def _link_contact_company(context: Context, contact: Contact, company: Company) -> None:
    if ContactCompany.objects.filter(contact=contact, company=company).exists():
        return
    link = crm.contact_company_link(
        contact=contact, company=company, role="employee", by=context.by
    )
    context.records[("contact_company", int(link.pk))] = ImportedRecord(
        batch=context.batch,
        object_type="contact_company",
        object_id=link.pk,
        action=RecordAction.LINKED,
    )


def _link_deal_contact(context: Context, deal: Deal, contact: Contact) -> None:
    if DealContact.objects.filter(deal=deal, contact=contact).exists():
        return
    link = crm.deal_contact_add(deal=deal, contact=contact, role="", by=context.by)
    context.records[("deal_contact", int(link.pk))] = ImportedRecord(
        batch=context.batch,
        object_type="deal_contact",
        object_id=link.pk,
        action=RecordAction.LINKED,
    )


def _company_for(context: Context, parsed: ParsedRow, *, email: str = "") -> Company | None:
    """The company a contact or deal row names: found by its source id, domain or name, or
    created once (the next rows naming it find it)."""
    name = parsed.company
    domain = parsed.company_domain or (values.company_domain_of_email(email) if name else "")
    if not (name or domain or parsed.company_source_id):
        return None
    company, _duplicate = find_company(
        context, source_id=parsed.company_source_id, domain=domain, name=name
    )
    if company is not None or not name:
        return company
    company = crm.company_create(by=context.by, fields={"name": name, "domain": domain})
    _remember(context, company, COMPANY, RecordAction.CREATED, {})
    return company


def apply_row(context: Context, parsed: ParsedRow) -> Outcome:
    """Write one parsed row through the CRM's services (raises on a value they refuse)."""
    match context.kind:
        case ImportKind.CONTACTS:
            return _apply_contact(context, parsed)
        case ImportKind.COMPANIES:
            return _apply_company(context, parsed)
        case ImportKind.LEADS:
            return _apply_lead(context, parsed)
        case _:
            return _apply_deal(context, parsed)


def _decide(context: Context, found: models.Model | None, duplicate: bool) -> str:
    """``create``, ``skip``, ``fill`` or ``overwrite`` for a row, given what it matched."""
    if found is None:
        return "create"
    if not duplicate:
        return "overwrite"  # the same record of the same system: the newer export wins
    mode = context.batch.dedupe
    if mode == DedupeMode.SKIP:
        return "skip"
    if mode == DedupeMode.CREATE:
        return "create"
    return "overwrite" if mode == DedupeMode.OVERWRITE else "fill"


def _finish(
    context: Context,
    object_type: str,
    parsed: ParsedRow,
    found: models.Model | None,
    duplicate: bool,
    create: Any,
) -> tuple[Outcome, models.Model | None]:
    decision = _decide(context, found, duplicate)
    if decision == "skip":
        return Outcome("skipped", duplicate=True, record=found), None
    if decision == "create":
        record = create()
        _remember(context, record, object_type, RecordAction.CREATED, {})
        _source_record(context, object_type, parsed.source_id, record)
        return Outcome("created", record=record), record
    if found is None:  # "fill" and "overwrite" are only decided for a match
        raise RowError("", _("The record to merge into was not found."))
    changed = _update(context, found, object_type, parsed, overwrite=decision == "overwrite")
    _source_record(context, object_type, parsed.source_id, found)
    return Outcome("updated" if changed else "unchanged", duplicate=duplicate, record=found), found


def _apply_contact(context: Context, parsed: ParsedRow) -> Outcome:
    found, duplicate = find_contact(context, parsed)
    fields = parsed.fields
    company = _company_for(context, parsed, email=fields.get("email", ""))

    def create() -> Contact:
        return crm.contact_create(
            by=context.by,
            fields={**fields, **({"custom": parsed.custom} if parsed.custom else {})},
            tags=_tags(context, parsed.tags),
            company=company,
        )

    outcome, contact = _finish(context, CONTACT, parsed, found, duplicate, create)
    if contact is not None:
        if company is not None and outcome.action != "created":
            _link_contact_company(context, contact, company)  # type: ignore[arg-type]
        if company is None and parsed.company_source_id:
            _pending(context, contact, CONTACT, COMPANY, parsed.company_source_id)
    return outcome


def _apply_company(context: Context, parsed: ParsedRow) -> Outcome:
    fields = parsed.fields
    found, duplicate = find_company(
        context,
        source_id=parsed.source_id,
        domain=fields.get("domain", ""),
        name=fields["name"],
    )

    def create() -> Company:
        return crm.company_create(
            by=context.by,
            fields={**fields, **({"custom": parsed.custom} if parsed.custom else {})},
            tags=_tags(context, parsed.tags),
        )

    outcome, _company = _finish(context, COMPANY, parsed, found, duplicate, create)
    return outcome


def _apply_lead(context: Context, parsed: ParsedRow) -> Outcome:
    found, duplicate = find_lead(context, parsed)

    def create() -> Lead:
        return crm.lead_create(
            by=context.by,
            fields={**parsed.fields, **({"custom": parsed.custom} if parsed.custom else {})},
            tags=_tags(context, parsed.tags),
        )

    outcome, _lead = _finish(context, LEAD, parsed, found, duplicate, create)
    return outcome


def _stage_for(context: Context, parsed: ParsedRow) -> Stage | None:
    """The stage a deal row names (in its pipeline, else the first pipeline having it)."""
    pipeline = None
    if parsed.pipeline:
        pipeline = context.pipelines.get(values.choice_key(parsed.pipeline))
        if pipeline is None:
            raise RowError(
                _header_of(context, "pipeline"),
                _("There is no pipeline called “%(name)s”.") % {"name": parsed.pipeline},
            )
    if not parsed.stage:
        return None
    key = values.choice_key(parsed.stage)
    if pipeline is not None:
        stage = context.stages.get((pipeline.pk, key))
    else:
        stage = next((s for (_p, k), s in context.stages.items() if k == key), None)
    if stage is None:
        raise RowError(
            _header_of(context, "stage"),
            _("There is no stage called “%(name)s”. Add it in Settings → Pipelines first.")
            % {"name": parsed.stage},
        )
    return stage


def _contact_for(context: Context, parsed: ParsedRow) -> Contact | None:
    if parsed.contact_source_id:
        found = source_lookup(context, CONTACT, parsed.contact_source_id)
        if found is not None:
            return found  # type: ignore[return-value]
    if not parsed.contact:
        return None
    if "@" in parsed.contact:
        return _by_email(Contact, parsed.contact.lower())  # type: ignore[return-value]
    return _by_name_key(Contact, parsed.contact)  # type: ignore[return-value]


def _apply_deal(context: Context, parsed: ParsedRow) -> Outcome:
    fields = parsed.fields
    stage = _stage_for(context, parsed)
    company = _company_for(context, parsed)
    contact = _contact_for(context, parsed)
    if company is not None:
        fields["company"] = company
    fields.setdefault("currency", parsed.amount_currency or context.currency)
    found, duplicate = find_deal(context, parsed, company)

    def create() -> Deal:
        values_ = {**fields, **({"custom": parsed.custom} if parsed.custom else {})}
        if stage is not None:
            values_["pipeline"] = stage.pipeline
        return crm.deal_create(
            by=context.by,
            fields=values_,
            stage=stage,
            tags=_tags(context, parsed.tags),
            contacts=[contact] if contact is not None else [],
        )

    outcome, deal = _finish(context, DEAL, parsed, found, duplicate, create)
    if deal is not None:
        if contact is not None and outcome.action != "created":
            _link_deal_contact(context, deal, contact)  # type: ignore[arg-type]
        if company is None and parsed.company_source_id:
            _pending(context, deal, DEAL, COMPANY, parsed.company_source_id)
        if contact is None and parsed.contact_source_id:
            _pending(context, deal, DEAL, CONTACT, parsed.contact_source_id)
        if stage is not None and outcome.action != "created" and deal.stage_id != stage.pk:  # type: ignore[attr-defined]
            before = {"stage": deal.stage_id}  # type: ignore[attr-defined]
            crm.deal_move(deal=deal, stage=stage, by=context.by)  # type: ignore[arg-type]
            _remember(context, deal, DEAL, RecordAction.UPDATED, before)
    return outcome


def row_import(context: Context, cells: list[Any], *, check_width: bool) -> Outcome:
    """Parse and apply one row inside a savepoint: a refused row leaves nothing behind.

    Raises :class:`RowError` with the column and the reason a person can act on.
    """
    parsed = parse_row(context, cells, check_width=check_width)
    records, tags = dict(context.records), dict(context.tags)
    try:
        with transaction.atomic():
            return apply_row(context, parsed)
    except (RowError, ValidationError, DomainError, IntegrityError) as error:
        # The savepoint is gone: so is whatever the row noted or created meanwhile.
        context.records, context.tags = records, tags
        if isinstance(error, RowError):
            raise
        if isinstance(error, ValidationError):
            raise _validation_row_error(context, error) from None
        raise RowError("", str(error)) from None


def _validation_row_error(context: Context, error: ValidationError) -> RowError:
    """A model's refusal, named by the column that fed the field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            key = name.removeprefix("cf_")
            column = _header_of(context, name) or _header_of(context, f"{CUSTOM_PREFIX}{key}")
            return RowError(column, " ".join(errors))
    return RowError("", " ".join(error.messages))
