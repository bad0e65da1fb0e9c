"""Writes of the sales app: catalogue, price lists, deal lines and quotes.

Catalogue changes (products, options, bundles, prices, price lists, settings) are for admins
and managers and are audited as settings changes; deal lines and quotes follow the deal's
own edit rights and are audited on the deal.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import (
    ActivityKind,
    AuditAction,
    Deal,
    DealContact,
    ObjectType,
    Stage,
    StageKind,
)
from crm.models.visibility import sees_everything
from crm.sales.models import (
    BundleComponent,
    DealLine,
    DealPricing,
    Price,
    PriceList,
    Product,
    ProductOption,
    Quote,
    QuoteLine,
    QuoteStatus,
    SalesSettings,
)
from crm.sales.pricing import Totals, lines_total
from crm.services.activities import activity_create
from crm.services.audit import audit_record, audit_value, changes_between, snapshot
from crm.services.common import ensure_can_write
from crm.services.deals import deal_move, deal_update
from tenants.users.models import Role, User

PRODUCT_FIELDS = ("sku", "name", "description", "unit", "tax_rate", "is_active")
PRICE_LIST_FIELDS = ("name", "currency", "is_default")
SETTINGS_FIELDS = ("seller_name", "address", "default_terms", "validity_days")
LINE_FIELDS = (
    "product", "option", "name", "description", "quantity", "unit_price", "discount_percent",
    "tax_rate",
)  # fmt: skip
QUOTE_FIELDS = ("title", "contact", "valid_until", "terms")


# --- Rights ------------------------------------------------------------------------------------


def can_manage_catalogue(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.role in (Role.ADMIN, Role.MANAGER)


def ensure_catalogue_editor(user: User) -> None:
    if not can_manage_catalogue(user):
        raise CrmError(_("Only admins and managers change products and price lists."))


def ensure_deal_editor(user: User, deal: Deal) -> None:
    """The deal's own rule: writers who see everything, or the deal's owner."""
    ensure_can_write(user)
    if not (sees_everything(user) or deal.owner_id == user.pk):
        raise CrmError(_("Only the deal's owner or a manager can change this deal."))


def _plain(changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Changes as JSON can store them (decimals and dates as text)."""
    return {
        key: [audit_value(v) for v in value] if isinstance(value, list) else audit_value(value)
        for key, value in (changes or {}).items()
    }


def _audit_settings(by: User, action: AuditAction, instance: Any, changes: Any = None) -> None:
    audit_record(
        actor=by,
        action=action,
        object_type=ObjectType.SETTINGS,
        object_id=int(instance.pk),
        object_repr=f"{instance._meta.verbose_name}: {instance}",
        changes=_plain(changes),
    )


def _audit_deal(by: User | None, deal: Deal, changes: Mapping[str, Any]) -> None:
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.DEAL,
        object_id=int(deal.pk),
        object_repr=str(deal),
        changes=_plain(changes),
    )


def _save_clean(instance: Any) -> None:
    """Validate (constraints included) and save; a duplicate becomes a form error."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError(_("This would duplicate an existing entry.")) from error


# --- Settings ----------------------------------------------------------------------------------


def sales_settings() -> SalesSettings:
    """The workspace's one settings row (made on first use, safely under concurrency)."""
    SalesSettings.objects.bulk_create([SalesSettings(pk=1)], ignore_conflicts=True)
    return SalesSettings.objects.get(pk=1)


@transaction.atomic
def sales_settings_update(*, by: User, fields: Mapping[str, Any]) -> SalesSettings:
    ensure_catalogue_editor(by)
    settings_row = sales_settings()
    before = snapshot(settings_row, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in fields:
            setattr(settings_row, name, fields[name])
    _save_clean(settings_row)
    _audit_settings(
        by,
        AuditAction.UPDATE,
        settings_row,
        changes_between(before, snapshot(settings_row, SETTINGS_FIELDS)),
    )
    return settings_row


# --- Products ----------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, by: User, fields: Mapping[str, Any]) -> Product:
    ensure_catalogue_editor(by)
    product = Product(**{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    _save_clean(product)
    _audit_settings(by, AuditAction.CREATE, product)
    return product


@transaction.atomic
def product_update(*, product: Product, by: User, fields: Mapping[str, Any]) -> Product:
    ensure_catalogue_editor(by)
    before = snapshot(product, PRODUCT_FIELDS)
    for name, value in fields.items():
        if name in PRODUCT_FIELDS:
            setattr(product, name, value)
    _save_clean(product)
    changes = changes_between(before, snapshot(product, PRODUCT_FIELDS))
    if changes:
        _audit_settings(by, AuditAction.UPDATE, product, changes)
    return product


@transaction.atomic
def product_option_add(*, product: Product, by: User, name: str) -> ProductOption:
    ensure_catalogue_editor(by)
    option = ProductOption(product=product, name=name.strip())
    _save_clean(option)
    _audit_settings(by, AuditAction.UPDATE, product, {"options": [None, option.name]})
    return option


@transaction.atomic
def product_option_delete(*, option: ProductOption, by: User) -> None:
    ensure_catalogue_editor(by)
    _audit_settings(by, AuditAction.UPDATE, option.product, {"options": [option.name, None]})
    option.delete()


@transaction.atomic
def bundle_component_add(
    *, bundle: Product, component: Product, quantity: Decimal, by: User
) -> BundleComponent:
    """Put ``quantity`` of ``component`` into ``bundle`` (bundles do not nest in themselves)."""
    ensure_catalogue_editor(by)
    if (
        component.pk == bundle.pk
        or BundleComponent.objects.filter(bundle=component, component=bundle).exists()
    ):
        raise CrmError(_("A bundle cannot contain itself."))
    line = BundleComponent(bundle=bundle, component=component, quantity=quantity)
    _save_clean(line)
    _audit_settings(by, AuditAction.UPDATE, bundle, {"components": [None, str(line)]})
    return line


@transaction.atomic
def bundle_component_remove(*, line: BundleComponent, by: User) -> None:
    ensure_catalogue_editor(by)
    _audit_settings(by, AuditAction.UPDATE, line.bundle, {"components": [str(line), None]})
    line.delete()


# --- Price lists -------------------------------------------------------------------------------


def _clear_other_defaults(price_list: PriceList) -> None:
    if price_list.is_default:
        PriceList.objects.filter(currency=price_list.currency, is_default=True).exclude(
            pk=price_list.pk
        ).update(is_default=False)


@transaction.atomic
def price_list_create(*, by: User, fields: Mapping[str, Any]) -> PriceList:
    ensure_catalogue_editor(by)
    price_list = PriceList(**{k: v for k, v in fields.items() if k in PRICE_LIST_FIELDS})
    price_list.currency = price_list.currency.upper()
    if not PriceList.objects.filter(currency=price_list.currency, is_default=True).exists():
        price_list.is_default = True
    if price_list.is_default:
        PriceList.objects.filter(currency=price_list.currency, is_default=True).update(
            is_default=False
        )
    _save_clean(price_list)
    _audit_settings(by, AuditAction.CREATE, price_list)
    return price_list


@transaction.atomic
def price_list_update(*, price_list: PriceList, by: User, fields: Mapping[str, Any]) -> PriceList:
    ensure_catalogue_editor(by)
    before = snapshot(price_list, PRICE_LIST_FIELDS)
    for name, value in fields.items():
        if name in PRICE_LIST_FIELDS and name != "currency":
            setattr(price_list, name, value)
    _clear_other_defaults(price_list)
    _save_clean(price_list)
    _audit_settings(
        by,
        AuditAction.UPDATE,
        price_list,
        changes_between(before, snapshot(price_list, PRICE_LIST_FIELDS)),
    )
    return price_list


def price_list_default(currency: str) -> PriceList:
    """The default price list of ``currency``, made ("Standard") on first use."""
    currency = currency.upper()
    found = PriceList.objects.filter(currency=currency, is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PriceList.objects.create(name=_("Standard"), currency=currency, is_default=True)
    except IntegrityError:
        return PriceList.objects.get(currency=currency, is_default=True)


@transaction.atomic
def price_set(
    *,
    price_list: PriceList,
    product: Product,
    amount: Decimal | None,
    by: User,
    option: ProductOption | None = None,
) -> Price | None:
    """Set (or, with ``None``, remove) a product's price or an option's adjustment in a list."""
    ensure_catalogue_editor(by)
    if option is not None and option.product_id != product.pk:
        raise CrmError(_("This option belongs to another product."))
    existing = Price.objects.filter(price_list=price_list, product=product, option=option).first()
    old = existing.amount if existing else None
    if amount is None:
        if existing is not None:
            existing.delete()
        result = None
    else:
        if option is None and amount < 0:
            raise CrmError(_("A price cannot be negative."))
        result = existing or Price(price_list=price_list, product=product, option=option)
        result.amount = amount
        _save_clean(result)
    label = f"{price_list.currency} {option.name if option else product.sku}"
    _audit_settings(by, AuditAction.UPDATE, product, {f"price {label}": [old, amount]})
    return result


def price_for(*, product: Product, currency: str, option: ProductOption | None = None) -> Decimal:
    """The unit price of ``product`` (plus ``option``) in the default list of ``currency``.

    A product without a price there costs 0, so a line can still be added and priced by hand.
    """
    price_list = PriceList.objects.filter(currency=currency.upper(), is_default=True).first()
    if price_list is None:
        return Decimal(0)
    wanted = [None, option.pk] if option is not None else [None]
    total = Decimal(0)
    for price in Price.objects.filter(price_list=price_list, product=product):
        if price.option_id in wanted:
            total += price.amount
    return total


# --- Deal lines --------------------------------------------------------------------------------


def deal_lines_total(deal: Deal) -> Totals:
    return lines_total(DealLine.objects.filter(deal=deal), currency=deal.currency)


def _sync_deal_amount(deal: Deal, by: User) -> None:
    """When the deal follows its lines, its amount becomes their total before tax."""
    pricing = DealPricing.objects.filter(deal=deal).first()
    if pricing is None or not pricing.amount_from_lines:
        return
    subtotal = deal_lines_total(deal).subtotal
    if deal.amount != subtotal:
        deal_update(deal=deal, by=by, fields={"amount": subtotal})


def _line_values(deal: Deal, fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if k in LINE_FIELDS}
    product: Product | None = values.get("product")
    option: ProductOption | None = values.get("option")
    if option is not None and (product is None or option.product_id != product.pk):
        raise CrmError(_("This option belongs to another product."))
    if product is not None:
        if not values.get("name"):
            values["name"] = product.name + (f" – {option.name}" if option else "")
        values.setdefault("sku", product.sku)
        values.setdefault("unit", product.unit)
        if values.get("description") in (None, ""):
            values["description"] = product.description
        if values.get("unit_price") is None:
            values["unit_price"] = price_for(product=product, currency=deal.currency, option=option)
        if values.get("tax_rate") is None:
            values["tax_rate"] = product.tax_rate
    if not values.get("name"):
        raise CrmError(_("Choose a product or describe the item."))
    for name in ("unit_price", "tax_rate", "discount_percent"):
        if values.get(name) is None:
            values[name] = Decimal(0)
    if values.get("quantity") is None:
        values["quantity"] = Decimal(1)
    return values


@transaction.atomic
def deal_line_add(*, deal: Deal, by: User, fields: Mapping[str, Any]) -> DealLine:
    """Add a line; price and tax default from the product and the deal currency's list."""
    ensure_deal_editor(by, deal)
    values = _line_values(deal, fields)
    position = (DealLine.objects.filter(deal=deal).aggregate(top=Max("position"))["top"] or 0) + 1
    line = DealLine(deal=deal, position=position, **values)
    line.full_clean()
    line.save()
    _audit_deal(by, deal, {"lines": [None, f"{line.quantity} × {line.name}"]})
    _sync_deal_amount(deal, by)
    return line


@transaction.atomic
def deal_line_update(*, line: DealLine, by: User, fields: Mapping[str, Any]) -> DealLine:
    deal = line.deal
    ensure_deal_editor(by, deal)
    before = f"{line.quantity} × {line.name} @ {line.unit_price} -{line.discount_percent}%"
    for name, value in fields.items():
        if name in (
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "name",
            "description",
        ):
            setattr(line, name, value)
    line.full_clean()
    line.save()
    after = f"{line.quantity} × {line.name} @ {line.unit_price} -{line.discount_percent}%"
    if before != after:
        _audit_deal(by, deal, {"lines": [before, after]})
    _sync_deal_amount(deal, by)
    return line


@transaction.atomic
def deal_line_delete(*, line: DealLine, by: User) -> None:
    deal = line.deal
    ensure_deal_editor(by, deal)
    _audit_deal(by, deal, {"lines": [f"{line.quantity} × {line.name}", None]})
    line.delete()
    _sync_deal_amount(deal, by)


@transaction.atomic
def deal_amount_from_lines_set(*, deal: Deal, by: User, enabled: bool) -> None:
    """Make the deal's amount follow its lines' total before tax (or stop doing so)."""
    ensure_deal_editor(by, deal)
    DealPricing.objects.update_or_create(deal=deal, defaults={"amount_from_lines": enabled})
    _sync_deal_amount(deal, by)


# --- Quotes ------------------------------------------------------------------------------------


def _next_quote_number() -> int:
    """The next number of the workspace: the settings row is locked until commit."""
    sales_settings()
    row = SalesSettings.objects.select_for_update().get(pk=1)
    number = row.next_quote_number
    row.next_quote_number = number + 1
    row.save(update_fields=["next_quote_number"])
    return number


def _bundle_text(product: Product | None) -> str:
    if product is None:
        return ""
    parts = BundleComponent.objects.filter(bundle=product).select_related("component")
    return ", ".join(f"{part.quantity.normalize()} × {part.component.name}" for part in parts)


def _copy_lines(quote: Quote, deal: Deal) -> None:
    lines = list(DealLine.objects.filter(deal=deal).select_related("product"))
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=quote,
                product=line.product,
                option_id=line.option_id,
                position=line.position,
                name=line.name,
                description=line.description,
                sku=line.sku,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                includes=_bundle_text(line.product),
            )
            for line in lines
        ]
    )
    totals = lines_total(lines, currency=quote.currency)
    quote.subtotal, quote.tax, quote.total = totals.subtotal, totals.tax, totals.total
    quote.save(update_fields=["subtotal", "tax", "total"])


def _first_contact(deal: Deal) -> Any:
    link = DealContact.objects.filter(deal=deal).select_related("contact").order_by("id").first()
    return link.contact if link else None


@transaction.atomic
def quote_create(*, deal: Deal, by: User) -> Quote:
    """A new draft quote (next number, version 1) with the deal's lines copied."""
    ensure_deal_editor(by, deal)
    if not DealLine.objects.filter(deal=deal).exists():
        raise CrmError(_("Add products to the deal before making a quote."))
    settings_row = sales_settings()
    quote = Quote.objects.create(
        number=_next_quote_number(),
        version=1,
        deal=deal,
        contact=_first_contact(deal),
        title=deal.title,
        currency=deal.currency,
        valid_until=timezone.localdate() + timedelta(days=settings_row.validity_days),
        terms=settings_row.default_terms,
        created_by=by,
    )
    _copy_lines(quote, deal)
    _audit_deal(by, deal, {"quote": [None, quote.reference]})
    return quote


@transaction.atomic
def quote_revise(*, quote: Quote, by: User) -> Quote:
    """The next version of ``quote`` from the deal's current lines; the old one is kept
    read-only and its public link no longer takes answers."""
    deal = quote.deal
    ensure_deal_editor(by, deal)
    current = Quote.objects.select_for_update().get(pk=quote.pk)
    if current.superseded_at is not None:
        raise CrmError(_("A newer version of this quote exists: revise that one."))
    if current.status == QuoteStatus.ACCEPTED:
        raise CrmError(_("An accepted quote cannot be revised."))
    if not DealLine.objects.filter(deal=deal).exists():
        raise CrmError(_("Add products to the deal before making a quote."))
    settings_row = sales_settings()
    current.superseded_at = timezone.now()
    current.save(update_fields=["superseded_at", "updated_at"])
    revision = Quote.objects.create(
        number=current.number,
        version=current.version + 1,
        deal=deal,
        contact=current.contact,
        title=current.title,
        currency=deal.currency,
        valid_until=max(
            current.valid_until,
            timezone.localdate() + timedelta(days=settings_row.validity_days),
        ),
        terms=current.terms,
        created_by=by,
    )
    _copy_lines(revision, deal)
    _audit_deal(by, deal, {"quote": [current.reference, revision.reference]})
    return revision


@transaction.atomic
def quote_update(*, quote: Quote, by: User, fields: Mapping[str, Any]) -> Quote:
    ensure_deal_editor(by, quote.deal)
    if not quote.is_editable:
        raise CrmError(_("Only the latest draft of a quote can be changed."))
    for name, value in fields.items():
        if name in QUOTE_FIELDS:
            setattr(quote, name, value)
    quote.full_clean()
    quote.save()
    return quote


@transaction.atomic
def quote_send(*, quote: Quote, by: User, to: str, message: str = "") -> None:
    """Send the quote's PDF to ``to`` by e-mail, in the background (``sales.quote_send``)."""
    from core.jobs.services import job_enqueue
    from crm.sales.tasks import quote_send_job

    ensure_deal_editor(by, quote.deal)
    if quote.superseded_at is not None:
        raise CrmError(_("A newer version of this quote exists: send that one."))
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        raise CrmError(_("This quote has been answered already."))
    if quote.is_past_validity:
        raise CrmError(_("This quote has expired: revise it to send a new version."))
    job_enqueue(
        quote_send_job,
        quote_id=quote.pk,
        to=to,
        message=message,
        sender_id=by.pk,
        send_key=uuid.uuid4().hex,
    )


def quote_mark_sent(*, quote: Quote, to: str, by: User | None) -> Quote:
    """Record that the quote went out (called when its e-mail is sent, in that transaction).

    The e-mail itself is the timeline's entry (written by the CRM's e-mail service).
    """
    quote.sent_at = timezone.now()
    quote.sent_to = to
    if quote.status == QuoteStatus.DRAFT:
        quote.status = QuoteStatus.SENT
    quote.save(update_fields=["sent_at", "sent_to", "status", "updated_at"])
    _audit_deal(by, quote.deal, {"quote sent": [quote.reference, to]})
    return quote


class QuoteAnswerError(CrmError):
    """The public link cannot take an answer (already answered, replaced or expired)."""


def _acting_user(quote: Quote) -> User | None:
    """Whom the deal's move and activity are recorded for: the quote's author, else the
    deal's owner (the customer has no account)."""
    for user in (quote.created_by, quote.deal.owner):
        if user.is_active and user.can_write:
            return user
    return None


def quote_answer(*, quote: Quote, accepted: bool, name: str, note: str = "") -> Quote:
    """The customer accepts or declines through the public link, once.

    Accepting marks the deal won (moved to its pipeline's won stage) and both answers log an
    activity on the deal. A quote past its validity turns expired (that is kept) and the
    answer is refused with :class:`QuoteAnswerError`, as is a second answer.
    """
    answered, problem = _quote_answer(quote=quote, accepted=accepted, name=name, note=note)
    if problem:
        raise QuoteAnswerError(problem)
    return answered


@transaction.atomic
def _quote_answer(*, quote: Quote, accepted: bool, name: str, note: str) -> tuple[Quote, str]:
    quote = (
        Quote.objects.select_for_update()
        .select_related("deal", "created_by", "deal__owner")
        .get(pk=quote.pk)
    )
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        return quote, _("This quote has been answered already.")
    if quote.superseded_at is not None:
        return quote, _("This quote has been replaced by a newer version.")
    if quote.status == QuoteStatus.EXPIRED or quote.is_past_validity:
        if quote.status != QuoteStatus.EXPIRED:
            quote.status = QuoteStatus.EXPIRED
            quote.save(update_fields=["status", "updated_at"])
        return quote, _("This quote has expired.")
    if quote.status != QuoteStatus.SENT:
        return quote, _("This quote cannot be answered.")
    quote.status = QuoteStatus.ACCEPTED if accepted else QuoteStatus.DECLINED
    quote.answered_at = timezone.now()
    quote.answered_by_name = name.strip()[:200]
    quote.answer_note = note.strip()
    quote.save()
    deal = quote.deal
    actor = _acting_user(quote)
    _audit_deal(actor, deal, {"quote": [quote.reference, quote.status]})
    if accepted and actor is not None:
        won = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=StageKind.WON).first()
        if won is not None and deal.stage_id != won.pk:
            deal_move(deal=deal, stage=won, by=actor)
    if actor is not None:
        subject = (
            _("Quote %(reference)s accepted by %(name)s")
            if accepted
            else _("Quote %(reference)s declined by %(name)s")
        ) % {"reference": quote.reference, "name": quote.answered_by_name}
        activity_create(
            by=actor,
            fields={
                "kind": ActivityKind.NOTE,
                "subject": subject[:200],
                "body": quote.answer_note,
                "owner": deal.owner,
                "deal": deal,
                "company": deal.company,
                "contact": quote.contact,
                "done_at": quote.answered_at,
            },
        )
    return quote, ""
