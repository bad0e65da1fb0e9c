"""Forms of the sales pages: catalogue, price lists, deal lines, quotes, the public answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locales import currency_choices
from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.widgets import style_fields
from crm.models import Contact, Tag
from crm.sales.models import (
    LetterTemplate,
    PriceList,
    Product,
    ProductOption,
    Quote,
    SalesSettings,
)

PERCENT: dict[str, Any] = {
    "min_value": Decimal(0),
    "max_value": Decimal(100),
    "max_digits": 5,
    "decimal_places": 2,
}


class ProductForm(CrmModelForm):
    class Meta:
        model = Product
        fields = ["sku", "name", "unit", "tax_rate", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class ProductSearchForm(CrmForm):
    """The product list's query: text and active/inactive."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class OptionForm(CrmForm):
    name = forms.CharField(label=_("Option"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class BundleComponentForm(CrmForm):
    component = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3,
        initial=Decimal(1),
    )  # fmt: skip

    def __init__(self, *args: Any, bundle: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = Product.objects.filter(is_active=True).exclude(  # type: ignore[attr-defined]
            pk=bundle.pk
        )
        style_fields(self)


class PriceForm(CrmForm):
    """One price of a product (or an option's adjustment) in a price list; empty removes it."""

    price_list = forms.ModelChoiceField(label=_("Price list"), queryset=PriceList.objects.all())
    option = forms.ModelChoiceField(
        label=_("Option"), queryset=ProductOption.objects.none(), required=False
    )
    amount = forms.DecimalField(
        label=_("Price"), required=False, max_digits=18, decimal_places=4,
        help_text=_("An option's price is added to the product's; leave empty to remove."),
    )  # fmt: skip

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = ProductOption.objects.filter(product=product)  # type: ignore[attr-defined]
        style_fields(self)


class PriceListForm(CrmModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)

    class Meta:
        model = PriceList
        fields = ["name", "currency", "is_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["currency"].disabled = True
        style_fields(self)


class SalesSettingsForm(CrmModelForm):
    class Meta:
        model = SalesSettings
        fields = ["seller_name", "address", "validity_days", "default_terms"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "default_terms": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class DealLineForm(CrmForm):
    """A deal line: a product (price and tax filled in from it) or a free-text item."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    option = forms.ModelChoiceField(
        label=_("Option"), queryset=ProductOption.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Item"), max_length=300, required=False,
        help_text=_("Leave empty to use the product's name."),
    )  # fmt: skip
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3,
        initial=Decimal(1),
    )  # fmt: skip
    unit_price = forms.DecimalField(
        label=_("Unit price"), required=False, min_value=Decimal(0), max_digits=18,
        decimal_places=4, help_text=_("Leave empty for the price list's price."),
    )  # fmt: skip
    discount_percent = forms.DecimalField(label=_("Discount (%)"), required=False, **PERCENT)
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), required=False, help_text=_("Leave empty for the product's."),
        **PERCENT,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["option"].queryset = ProductOption.objects.filter(  # type: ignore[attr-defined]
            product__is_active=True
        ).select_related("product")
        style_fields(self)


class DealLineEditForm(CrmForm):
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=Decimal(0), max_digits=18, decimal_places=4
    )
    discount_percent = forms.DecimalField(label=_("Discount (%)"), **PERCENT)
    tax_rate = forms.DecimalField(label=_("Tax rate (%)"), **PERCENT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class QuoteForm(CrmModelForm):
    class Meta:
        model = Quote
        fields = ["title", "contact", "valid_until", "terms"]
        widgets = {
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "terms": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            deals=self.instance.deal_id
        )
        style_fields(self)


class QuoteSendForm(CrmForm):
    to = forms.EmailField(label=_("To"))
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class QuoteAnswerForm(CrmForm):
    """The customer's answer on the public page."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class LetterTemplateForm(CrmModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class LetterPrintForm(CrmForm):
    """Which letter, for whom (the contacts ticked in the list, or everyone with a tag)."""

    template = forms.ModelChoiceField(label=_("Letter"), queryset=LetterTemplate.objects.all())
    tag = forms.ModelChoiceField(
        label=_("Contacts tagged"),
        queryset=Tag.objects.all(),
        required=False,
        help_text=_("Or tick contacts in the contact list and choose Letters."),
    )
    ids = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )
    output = forms.ChoiceField(
        label=_("File"),
        choices=[
            ("pdf", _("One PDF for printing")),
            ("zip", _("A zip with one PDF per contact")),
        ],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in ids]  # type: ignore[attr-defined]
        self.fields["ids"].initial = ids
        style_fields(self)
        self.fields["output"].widget.attrs["class"] = "form-check-input"
