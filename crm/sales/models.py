"""Products, price lists, deal line items and quotes of a workspace (tenant schema)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.locales import validate_currency_code
from crm.models import Contact, Deal
from crm.sales.pricing import line_net

percent_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
not_negative = [MinValueValidator(Decimal(0))]


def percent_field(verbose_name: Any, **kwargs: Any) -> Any:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=percent_validators,
        **kwargs,
    )


def money_field(verbose_name: Any, **kwargs: Any) -> Any:
    """Four decimals hold every currency's minor unit (as ``Deal.amount``)."""
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=4, **kwargs)


class SalesSettings(models.Model):
    """The seller as quotes show it, the default terms and the next quote number (one row)."""

    seller_name = models.CharField(
        _("seller name"),
        max_length=200,
        blank=True,
        help_text=_("Shown at the top of quotes; the workspace name when empty."),
    )
    address = models.TextField(_("address"), blank=True)
    default_terms = models.TextField(_("default terms"), blank=True)
    validity_days = models.PositiveSmallIntegerField(
        _("quotes valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    next_quote_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(self.seller_name or _("Sales settings"))


class Product(models.Model):
    """Something the workspace sells, with its SKU and tax rate; prices come from price lists."""

    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. pcs, hours"))
    tax_rate = percent_field(_("tax rate (%)"))
    is_active = models.BooleanField(_("active"), default=True)
    #: The products a bundle is made of (empty for a plain product).
    components: models.ManyToManyField[Product, BundleComponent] = models.ManyToManyField(
        "self",
        through="BundleComponent",
        through_fields=("bundle", "component"),
        symmetrical=False,
        related_name="bundles",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                Upper("sku"),
                name="sales_product_sku_unique",
                violation_error_message=_("Another product already has this SKU."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("product_detail", args=[self.pk])


class ProductOption(models.Model):
    """A choice that changes a product's price (e.g. "extended warranty")."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["product", "name", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="sales_option_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} – {self.name}"


class BundleComponent(models.Model):
    """One product inside a bundle, with how many of it the bundle holds."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bundle_lines")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001"))],
    )

    class Meta:
        ordering = ["bundle", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="sales_bundle_once"),
            models.CheckConstraint(
                condition=~models.Q(bundle=models.F("component")), name="sales_bundle_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component}"


class PriceList(models.Model):
    """Prices in one currency; the default list of a currency prices new deal lines."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency_code])
    is_default = models.BooleanField(
        _("default for its currency"),
        default=False,
        help_text=_("Deal lines in this currency take their prices from this list."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["currency", "-is_default", "name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(
                fields=["currency"],
                condition=models.Q(is_default=True),
                name="sales_one_default_price_list_per_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("price_list_detail", args=[self.pk])


class Price(models.Model):
    """A product's price in a price list, or an option's price adjustment (may be negative)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    option = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, null=True, blank=True, related_name="prices"
    )
    amount = money_field(_("price"))

    class Meta:
        ordering = ["price_list", "product", "option", "id"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "option"],
                nulls_distinct=False,
                name="sales_price_once_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.option_id}: {self.amount}"


class LineFields(models.Model):
    """What a deal line and a quote line share: what is sold, how many, at what price."""

    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    option = models.ForeignKey(
        ProductOption, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("item"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = money_field(_("unit price"), validators=not_negative)
    discount_percent = percent_field(_("discount (%)"))
    tax_rate = percent_field(_("tax rate (%)"))

    class Meta:
        abstract = True

    def net_amount(self, currency: str) -> Decimal:
        return line_net(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            currency=currency,
        )


class DealLine(LineFields):
    """A product (or a free text item) on a deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["deal", "position", "id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")

    def __str__(self) -> str:
        return self.name


class DealPricing(models.Model):
    """Per deal: whether its amount follows the total of its lines."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="pricing")
    amount_from_lines = models.BooleanField(_("use the line total as the deal amount"))

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.amount_from_lines}"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class QuoteQuerySet(models.QuerySet["Quote"]):
    def visible_to(self, user: object) -> QuoteQuerySet:
        """Quotes of the deals ``user`` may see."""
        return self.filter(deal__in=Deal.objects.visible_to(user).values("pk"))


class Quote(models.Model):
    """One version of a numbered offer made from a deal's lines.

    A revision is a new row with the same number and the next version; the earlier version
    stays as it was (read-only) and its public link stops accepting answers.
    """

    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="quotes")
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency_code])
    valid_until = models.DateField(_("valid until"))
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    subtotal = money_field(_("subtotal"), default=Decimal(0))
    tax = money_field(_("tax"), default=Decimal(0))
    total = money_field(_("total"), default=Decimal(0))
    #: Set when a newer version replaces this one: from then on it is read-only.
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    #: The secret part of the public link (signed, with the schema, in the URL).
    public_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by_name = models.CharField(_("answered by"), max_length=200, blank=True)
    answer_note = models.TextField(_("customer's note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes_created"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-number", "-version"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="sales_quote_version_once"),
        ]
        indexes = [models.Index(fields=["deal", "-number", "-version"], name="sales_quote_deal")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("quote_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """ "Q-00012" for the first version, "Q-00012-v2" for the next ones."""
        base = f"Q-{self.number:05d}"
        return base if self.version == 1 else f"{base}-v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == QuoteStatus.DRAFT and self.superseded_at is None

    @property
    def is_past_validity(self) -> bool:
        return self.valid_until < timezone.localdate()

    @property
    def awaits_answer(self) -> bool:
        return self.status == QuoteStatus.SENT and self.superseded_at is None


class QuoteLine(LineFields):
    """A line of a quote, copied from the deal when the quote is made."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    #: What a bundle holds, as written at the time ("2 × Cable, 1 × Adapter").
    includes = models.TextField(_("includes"), blank=True)

    class Meta:
        ordering = ["quote", "position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return self.name


class LetterTemplate(models.Model):
    """A letter with merge fields (``{{ first_name }}``), printed for many contacts at once."""

    name = models.CharField(_("name"), max_length=200)
    body = models.TextField(
        _("letter"),
        help_text=_("Merge fields in double braces are replaced for each contact."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self) -> str:
        return self.name
