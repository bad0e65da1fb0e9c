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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models.expressions import RawSQL
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
from crm.models.records import phone_tokens
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
    #: The chunk's contact identities, read up front (``None``: look each row up).
    contacts: ContactIndex | None = None
    #: The chunk's companies by domain, name and source id, read up front.
    company_index: CompanyIndex | None = None
    #: Companies found or created by name and domain, so each is looked up once per chunk.
    companies: dict[tuple[str, str, str], Company | None] = field(default_factory=dict)
    #: New contacts validated and waiting for one bulk insert (see :func:`pending_flush`).
    pending: list[PendingContact] = field(default_factory=list)
    #: New companies validated and waiting for one bulk insert, before the contacts naming
    #: them (see :func:`companies_flush`); their ``pk`` is ``None`` until then.
    pending_companies: list[Company] = field(default_factory=list)
    #: Rows accepted as created whose insert then failed: (line, cells, error).
    late_errors: list[tuple[int, list[Any], RowError]] = field(default_factory=list)

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
            if owner is None:
                raise CellError(
                    _(
                        "%(value)s is not a user of this workspace: invite them first, or "
                        "leave the owner empty to own the record yourself."
                    )
                    % {"value": values.text(cell)}
                )
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


# --- Identity index -------------------------------------------------------------------------

#: How short a phone's national number may be and still identify someone.
MIN_PHONE_DIGITS = 7


@dataclass
class PendingContact:
    """A row's new contact, validated and waiting for the chunk's bulk insert."""

    line: int
    cells: list[Any]
    parsed: ParsedRow
    draft: crm.ContactDraft
    #: The fields the draft was built from (a later row merging into it rebuilds it).
    fields: dict[str, Any]


@dataclass
class ContactIndex:
    """Who the chunk's rows are: contacts by e-mail, phone, name key and source id, read in a
    few queries before the rows run and kept up to date as rows write, so each row costs no
    lookup query. Values are contact ids; a negative value ``-n`` is the ``n``-th pending
    (not yet inserted) contact of the chunk."""

    emails: dict[str, int] = field(default_factory=dict)
    phones: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    #: The existing contacts the rows matched, read in one query (dropped when a row's
    #: savepoint rolls back, as it may have changed one in memory).
    loaded: dict[int, Contact] = field(default_factory=dict)

    @classmethod
    def load(cls, context: Context, rows: list[ParsedRow]) -> ContactIndex:
        index = cls()
        emails = {r.fields["email"].upper() for r in rows if r.fields.get("email")}
        if emails:
            found = (
                Contact.objects.annotate(email_upper=Upper("email"))
                .filter(email_upper__in=emails)
                .order_by("pk")
                .values_list("email_upper", "pk")
            )
            for email, pk in found:
                index.emails.setdefault(email, pk)
        numbers = [r.fields[k] for r in rows for k in ("phone", "mobile") if r.fields.get(k)]
        nationals = {values.phone_identity(n, region=context.region) for n in numbers} - {""}
        tokens = set().union(*(values.phone_tokens_of(n, region=context.region) for n in numbers))
        if tokens:
            found_phones = (
                Contact.objects.annotate(tokens=phone_tokens())
                .filter(tokens__overlap=_planned_blind(sorted(tokens)))
                .order_by("pk")
            )
            for pk, stored in found_phones.values_list("pk", "search_phones"):
                for number in _phone_suffixes(stored):
                    if number in nationals:
                        index.phones.setdefault(number, pk)
        sources = {r.source_id for r in rows if r.source_id}
        if sources:
            linked = SourceRecord.objects.filter(
                source=context.batch.source, object_type=CONTACT, source_id__in=sources
            ).values_list("source_id", "object_id")
            index.sources.update(linked)
        matched = {*index.emails.values(), *index.phones.values(), *index.sources.values()}
        if matched:
            # Locked in one order, so chunks running in parallel never update a contact from
            # a stale copy (a merge saves the whole record) and never deadlock over them.
            locked = Contact.objects.select_for_update().filter(pk__in=matched).order_by("pk")
            index.loaded = {int(contact.pk): contact for contact in locked}
        return index

    def add(self, contact: Contact, key: int) -> None:
        """Make ``contact`` (inserted, or pending as ``key`` < 0) findable by later rows."""
        for email in (contact.email, *contact.extra_emails):
            if email:
                self.emails.setdefault(email.upper(), key)
        for number in _phone_suffixes(contact.search_phones):
            self.phones.setdefault(number, key)
        for name_key in contact.search_keys:
            self.names.setdefault(name_key, key)

    def settle(self, ids: dict[int, int]) -> None:
        """Pending entries become the inserted ids (or disappear if their insert failed)."""
        for mapping in (self.emails, self.phones, self.names, self.sources):
            for key, value in list(mapping.items()):
                if value < 0:
                    if value in ids:
                        mapping[key] = ids[value]
                    else:
                        del mapping[key]


@dataclass
class CompanyIndex:
    """The companies the chunk's rows name, by domain and by name, read in two queries and
    kept up to date as rows create or change companies (see :func:`find_company`)."""

    domains: dict[str, Company] = field(default_factory=dict)
    names: dict[str, list[Company]] = field(default_factory=dict)

    #: Upper-cased domains and names already read from the database (see :meth:`extend`).
    read_domains: set[str] = field(default_factory=set)
    read_names: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, context: Context, rows: list[ParsedRow]) -> CompanyIndex:
        """The index of the companies ``rows`` name."""
        index = cls()
        index.extend(context, rows)
        return index

    def extend(
        self, context: Context, rows: list[ParsedRow], *, only: tuple[str, ...] = ()
    ) -> None:
        """Add the companies ``rows`` name that were not read yet (``only`` these fields of
        each, when the caller merely finds or creates them)."""
        domains: set[str] = set()
        names: set[str] = set()
        for row in rows:
            name = row.fields.get("name", "") if context.kind == ImportKind.COMPANIES else ""
            name = name or row.company
            if name:
                names.add(name.strip().upper())
            domain = row.company_domain or row.fields.get("domain", "")
            if not domain and row.company:
                domain = values.company_domain_of_email(row.fields.get("email", ""))
            if domain:
                domains.add(domain.upper())
        domains -= self.read_domains
        names -= self.read_names
        self.read_domains |= domains
        self.read_names |= names
        companies = Company.objects.only(*only) if only else Company.objects.all()
        if domains:
            found = companies.annotate(domain_upper=Upper("domain"))
            for company in found.filter(domain_upper__in=domains).order_by("pk"):
                self.add(company)
        if names:
            named = companies.annotate(name_upper=Upper("name"))
            for company in named.filter(name_upper__in=names).order_by("pk"):
                self.add(company)

    def add(self, company: Company) -> None:
        """Make ``company`` (inserted, or held for insert without a ``pk``) findable."""
        if company.domain:
            self.domains.setdefault(company.domain.upper(), company)
        named = self.names.setdefault(company.name.strip().upper(), [])
        if not any(_same_company(known, company) for known in named):
            named.append(company)

    def find(self, *, domain: str, name: str) -> Company | None:
        company = self.domains.get(domain.upper()) if domain else None
        if company is None and name:
            candidates = self.names.get(name.strip().upper(), [])
            if domain:
                candidates = [c for c in candidates if not c.domain]
            # The oldest first; a company held for insert is newer than any inserted one.
            company = min(candidates, key=lambda c: (c.pk is None, c.pk or 0), default=None)
        return company

    def copy(self) -> CompanyIndex:
        return CompanyIndex(dict(self.domains), {k: list(v) for k, v in self.names.items()})


def _same_company(one: Company, other: Company) -> bool:
    return one is other or (one.pk is not None and one.pk == other.pk)


def _planned_blind(items: list[str]) -> RawSQL:
    """An array the query planner does not look into (a sub-select): a chunk's 1,500 numbers
    written out make it guess that a fair share of all contacts match and scan the whole
    table (250 ms at 10,000 contacts, growing with them) instead of the GIN index (35 ms)."""
    return RawSQL("(SELECT %s::text[])", (items,), output_field=ArrayField(models.TextField()))


def _phone_suffixes(search_phones: str) -> Iterator[str]:
    """Every ending of each stored number long enough to identify someone (a stored number
    carries its country code; a row's number is compared by its national digits)."""
    for number in search_phones.split():
        for length in range(MIN_PHONE_DIGITS, len(number) + 1):
            yield number[-length:]


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
    if context.contacts is not None:
        return _find_indexed(context, context.contacts, parsed)
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


def _index_key(context: Context, index: ContactIndex, parsed: ParsedRow) -> tuple[int | None, bool]:
    """The index entry of the contact a row is, in :func:`find_contact`'s order of evidence,
    and whether it was found by identity (``False`` for its source id)."""
    if parsed.source_id and parsed.source_id in index.sources:
        return index.sources[parsed.source_id], False
    fields = parsed.fields
    email = fields.get("email", "")
    phones = [fields[k] for k in ("phone", "mobile") if fields.get(k)]
    key = index.emails.get(email.upper()) if email else None
    for number in phones if key is None else ():
        national = values.phone_identity(number, region=context.region)
        key = index.phones.get(national) if national else None
        if key is not None:
            break
    if key is None and not email and not phones:
        key = index.names.get(fold(_contact_name(parsed)))
    return key, key is not None


def _contact_name(parsed: ParsedRow) -> str:
    return f"{parsed.fields.get('first_name', '')} {parsed.fields.get('last_name', '')}".strip()


def _find_indexed(
    context: Context, index: ContactIndex, parsed: ParsedRow
) -> tuple[Contact | None, bool]:
    """:func:`find_contact` answered from the chunk's index (the same order of evidence)."""
    key, duplicate = _index_key(context, index, parsed)
    if key is None:
        fields = parsed.fields
        if fields.get("email") or fields.get("phone") or fields.get("mobile"):
            return None, False
        found = _by_name_key(Contact, _contact_name(parsed))
        if found is not None:  # locked and read again: another chunk may be changing it
            found = Contact.objects.select_for_update().filter(pk=found.pk).first()
        return found, found is not None
    contact = _indexed_contact(context, key)
    if contact is None and not duplicate:  # the record its source id named was deleted
        del index.sources[parsed.source_id]
        return _find_indexed(context, index, parsed)
    return contact, duplicate and contact is not None


def _indexed_contact(context: Context, key: int) -> Contact | None:
    """The contact behind an index entry, inserting the pending ones first if it is one."""
    if key < 0:
        key = pending_flush(context).get(key, 0)
    assert context.contacts is not None  # noqa: S101 -- only indexed chunks have keys
    loaded = context.contacts.loaded
    if key not in loaded:
        contact = Contact.objects.select_for_update().filter(pk=key).first()
        if contact is None:
            return None
        loaded[key] = contact
    return loaded[key]


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
    if context.company_index is not None:
        company = context.company_index.find(domain=domain, name=name)
        return company, company is not None
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


def tags_for(context: Context, names: list[str]) -> list[Tag]:
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
        new = [t for t in tags_for(context, parsed.tags) if t not in existing]
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


def company_for(context: Context, parsed: ParsedRow, *, email: str = "") -> Company | None:
    """The company a contact or deal row names: found by its source id, domain or name, or
    created once (the next rows naming it find it)."""
    name = parsed.company
    domain = parsed.company_domain or (values.company_domain_of_email(email) if name else "")
    if not (name or domain or parsed.company_source_id):
        return None
    key = (parsed.company_source_id, domain.upper(), name.strip().casefold())
    if key in context.companies:
        return context.companies[key]
    company, _duplicate = find_company(
        context, source_id=parsed.company_source_id, domain=domain, name=name
    )
    if company is None and name:
        fields = {"name": name, "domain": domain}
        if context.contacts is not None:  # a contact chunk: held, inserted with the others
            company = crm.company_build(by=context.by, fields=fields)
            context.pending_companies.append(company)
        else:
            company = crm.company_create(by=context.by, fields=fields)
            _remember(context, company, COMPANY, RecordAction.CREATED, {})
        if context.company_index is not None:
            context.company_index.add(company)
    context.companies[key] = company
    return company


def companies_flush(context: Context) -> None:
    """Insert the held companies (before any contact linking them is inserted)."""
    held, context.pending_companies = context.pending_companies, []
    if not held:
        return
    try:
        with transaction.atomic():
            crm.companies_insert(by=context.by, companies=held)
    except DatabaseError:
        _unsaved(held)
        for company in held:  # one by one: a refused one stays unsaved, its contacts report it
            try:
                with transaction.atomic():
                    crm.companies_insert(by=context.by, companies=[company])
            except DatabaseError:
                _unsaved([company])
    for company in held:
        if company.pk is not None:
            _remember(context, company, COMPANY, RecordAction.CREATED, {})


def _unsaved(companies: list[Company]) -> None:
    """Companies whose insert rolled back: without the ids they were given."""
    for company in companies:
        company.pk = None
        company._state.adding = True


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
    company = company_for(context, parsed, email=fields.get("email", ""))

    if company is not None and company.pk is None:
        companies_flush(context)

    def create() -> Contact:
        return crm.contact_create(
            by=context.by,
            fields={**fields, **({"custom": parsed.custom} if parsed.custom else {})},
            tags=tags_for(context, parsed.tags),
            company=company,
        )

    outcome, contact = _finish(context, CONTACT, parsed, found, duplicate, create)
    if contact is not None and context.contacts is not None:
        context.contacts.add(contact, int(contact.pk))  # type: ignore[arg-type]
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
            tags=tags_for(context, parsed.tags),
        )

    outcome, company = _finish(context, COMPANY, parsed, found, duplicate, create)
    if company is not None and context.company_index is not None:
        context.company_index.add(company)  # type: ignore[arg-type]
    return outcome


def _apply_lead(context: Context, parsed: ParsedRow) -> Outcome:
    found, duplicate = find_lead(context, parsed)

    def create() -> Lead:
        return crm.lead_create(
            by=context.by,
            fields={**parsed.fields, **({"custom": parsed.custom} if parsed.custom else {})},
            tags=tags_for(context, parsed.tags),
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
    company = company_for(context, parsed)
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
            tags=tags_for(context, parsed.tags),
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


def row_import(context: Context, cells: list[Any], *, check_width: bool, line: int = 0) -> Outcome:
    """Parse and apply one row (see :func:`row_apply`).

    Raises :class:`RowError` with the column and the reason a person can act on.
    """
    return row_apply(context, parse_row(context, cells, check_width=check_width), line, cells)


def row_apply(context: Context, parsed: ParsedRow, line: int, cells: list[Any]) -> Outcome:
    """Apply one parsed row inside a savepoint: a refused row leaves nothing behind. A new
    contact of an indexed chunk is only validated here and inserted with the chunk's others
    (:func:`pending_flush`)."""
    if context.contacts is not None and context.kind == ImportKind.CONTACTS:
        key, duplicate = _index_key(context, context.contacts, parsed)
        if key is not None and key < 0:
            merged = _pending_merge(context, key, parsed, duplicate)
            if merged is not None:
                return merged
        found, duplicate = find_contact(context, parsed)
        if _decide(context, found, duplicate) == "create":
            return _contact_pending(context, parsed, line, cells)
    records, tags = dict(context.records), dict(context.tags)
    companies = dict(context.companies)
    held = list(context.pending_companies)
    company_index = context.company_index.copy() if context.company_index else None
    try:
        with transaction.atomic():
            return apply_row(context, parsed)
    except (RowError, ValidationError, DomainError, IntegrityError) as error:
        # The savepoint is gone: so is whatever the row noted or created meanwhile (held
        # companies it inserted are held again).
        context.records, context.tags, context.companies = records, tags, companies
        context.company_index = company_index
        if context.contacts is not None:
            context.contacts.loaded.clear()
        _unsaved([company for company in held if company.pk is not None])
        context.pending_companies = held
        raise _row_error(context, error) from None


def _row_error(context: Context, error: Exception) -> RowError:
    if isinstance(error, RowError):
        return error
    if isinstance(error, ValidationError):
        return _validation_row_error(context, error)
    return RowError("", str(error))


#: New contacts held before one bulk insert.
PENDING_MAX = 500


def _contact_fields(parsed: ParsedRow) -> dict[str, Any]:
    return {**parsed.fields, **({"custom": parsed.custom} if parsed.custom else {})}


def _contact_pending(context: Context, parsed: ParsedRow, line: int, cells: list[Any]) -> Outcome:
    """Validate a new contact and hold it for the chunk's bulk insert; later rows find it."""
    fields = _contact_fields(parsed)
    try:
        draft = crm.contact_build(by=context.by, fields=fields)
        draft.company = company_for(context, parsed, email=parsed.fields.get("email", ""))
    except (ValidationError, DomainError, IntegrityError) as error:
        raise _row_error(context, error) from None
    draft.tags = tags_for(context, parsed.tags)
    context.pending.append(PendingContact(line, cells, parsed, draft, fields))
    key = -len(context.pending)
    assert context.contacts is not None  # noqa: S101 -- only indexed chunks hold contacts
    context.contacts.add(draft.contact, key)
    if parsed.source_id:
        context.contacts.sources[parsed.source_id] = key
    if len(context.pending) >= PENDING_MAX:
        pending_flush(context)
    return Outcome("created")


def _pending_merge(
    context: Context, key: int, parsed: ParsedRow, duplicate: bool
) -> Outcome | None:
    """A row naming a contact an earlier row of the chunk holds for insert (index ``key``):
    merged into it in memory (``None``: too involved, take the ordinary path after inserting
    it)."""
    item = context.pending[-key - 1]
    decision = _decide(context, item.draft.contact, duplicate)
    if decision == "skip":
        return Outcome("skipped", duplicate=True)
    if decision == "create" or parsed.custom or item.draft.contact.custom:
        return None
    try:
        company = company_for(context, parsed, email=parsed.fields.get("email", ""))
    except (ValidationError, DomainError, IntegrityError) as error:
        raise _row_error(context, error) from None
    if company is not None and item.draft.company not in (None, company):
        return None
    draft = item.draft
    changes = _merge_values(draft.contact, parsed.fields, {}, overwrite=decision == "overwrite")
    changes = {k: v for k, v in changes.items() if k in WRITABLE[CONTACT]}
    new_tags = [t for t in tags_for(context, parsed.tags) if t not in draft.tags]
    gains_company = company is not None and draft.company is None
    if not (changes or new_tags or gains_company):
        return Outcome("unchanged", duplicate=duplicate)
    if changes:
        fields = {**item.fields, **changes}
        try:
            rebuilt = crm.contact_build(by=context.by, fields=fields)
        except (ValidationError, DomainError) as error:
            raise _row_error(context, error) from None
        rebuilt.tags, rebuilt.company = draft.tags, draft.company
        item.draft, item.fields, draft = rebuilt, fields, rebuilt
    draft.tags = [*draft.tags, *new_tags]
    draft.company = draft.company or company
    assert context.contacts is not None  # noqa: S101 -- only indexed chunks hold contacts
    context.contacts.add(draft.contact, key)
    return Outcome("updated", duplicate=duplicate)


def pending_flush(context: Context) -> dict[int, int]:
    """Insert the held contacts (one by one if the bulk insert is refused, each failure
    reported on its own line); returns their index keys → ids."""
    companies_flush(context)
    pending, context.pending = context.pending, []
    if not pending:
        return {}
    try:
        with transaction.atomic():
            crm.contacts_insert(by=context.by, drafts=[item.draft for item in pending])
        inserted = pending
    except (DatabaseError, ValidationError, DomainError):
        inserted = _pending_one_by_one(context, pending)
    done = {id(item) for item in inserted}
    ids: dict[int, int] = {}
    for position, item in enumerate(pending, start=1):
        if id(item) in done:
            ids[-position] = int(item.draft.contact.pk)
    for item in inserted:
        _contact_created(context, item)
    if context.contacts is not None:
        context.contacts.settle(ids)
    return ids


def _pending_one_by_one(context: Context, pending: list[PendingContact]) -> list[PendingContact]:
    inserted = []
    for item in pending:
        draft = item.draft
        try:
            with transaction.atomic():
                draft.contact = crm.contact_create(
                    by=context.by,
                    fields=_contact_fields(item.parsed),
                    tags=draft.tags,
                    company=draft.company,
                )
        except (DatabaseError, ValidationError, DomainError) as error:
            context.late_errors.append((item.line, item.cells, _row_error(context, error)))
            continue
        inserted.append(item)
    return inserted


def _contact_created(context: Context, item: PendingContact) -> None:
    contact, parsed = item.draft.contact, item.parsed
    _remember(context, contact, CONTACT, RecordAction.CREATED, {})
    _source_record(context, CONTACT, parsed.source_id, contact)
    if item.draft.company is None and parsed.company_source_id:
        _pending(context, contact, CONTACT, COMPANY, parsed.company_source_id)


def _validation_row_error(context: Context, error: ValidationError) -> RowError:
    """A model's refusal, named by the column that fed the field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            key = name.removeprefix("cf_")
            column = _header_of(context, name) or _header_of(context, f"{CUSTOM_PREFIX}{key}")
            return RowError(column, " ".join(errors))
    return RowError("", " ".join(error.messages))
