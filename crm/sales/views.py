"""Pages of the sales app: products, price lists, the deal's lines and quotes, and the
customer's public quote page.

Everyone signed in reads the catalogue; admins and managers change it. Deal lines and quotes
follow the deal: visible deals are readable, editable deals are changeable (404 otherwise,
so ids cannot be probed). The public quote page needs no sign-in: its signed link is bound
to the workspace's schema and answers 404 on any other host.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.permissions import role_required
from crm.models import Deal
from crm.sales import services
from crm.sales.documents import (
    quote_document_context,
    quote_filename,
    quote_from_token,
    quote_pdf,
    quote_public_url,
)
from crm.sales.forms import (
    BundleComponentForm,
    DealLineEditForm,
    DealLineForm,
    OptionForm,
    PriceForm,
    PriceListForm,
    ProductForm,
    ProductSearchForm,
    QuoteAnswerForm,
    QuoteForm,
    QuoteSendForm,
    SalesSettingsForm,
)
from crm.sales.models import (
    BundleComponent,
    DealLine,
    DealPricing,
    Price,
    PriceList,
    Product,
    ProductOption,
    Quote,
)
from crm.sales.pricing import lines_total
from crm.selectors.access import visible_or_404
from crm.selectors.exports import safe_cell
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required

View = Callable[..., Any]
PRODUCTS_SHOWN = 200

_catalogue_editors = role_required("admin", "manager")


def catalogue_write(view: View) -> View:
    """Admins and managers; links to such pages are write controls."""
    wrapped = _catalogue_editors(view)
    wrapped.requires_write = True  # type: ignore[attr-defined]
    return wraps(view)(wrapped)


def _error_to_form(form: Any, error: Exception) -> None:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    else:
        form.add_error(None, str(error))


# --- Products ----------------------------------------------------------------------------------


def _products(form: ProductSearchForm) -> Any:
    products = Product.objects.all()
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or "active"
    if show != "all":
        products = products.filter(is_active=show == "active")
    if q := (data.get("q") or "").strip():
        products = products.filter(
            Q(sku__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q)
        )
    return products


@require_GET
@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """The catalogue, searchable by SKU, name and description."""
    form = ProductSearchForm(request.GET or None)
    products = _products(form)
    return render_page(
        request,
        "sales/product_list.html",
        {
            "form": form,
            "products": products[:PRODUCTS_SHOWN],
            "shown": PRODUCTS_SHOWN,
            "can_manage": services.can_manage_catalogue(request.user),
            "active_nav": "products",
        },
        partial="product-table",
    )


@require_GET
@login_required
def product_export(request: HttpRequest) -> StreamingHttpResponse:
    """The catalogue (as filtered) as CSV, with each default list's price."""
    form = ProductSearchForm(request.GET or None)
    products = list(_products(form))
    lists = list(PriceList.objects.filter(is_default=True))
    prices = {
        (p.price_list_id, p.product_id): p.amount
        for p in Price.objects.filter(price_list__in=lists, option__isnull=True)
    }
    header = [_("SKU"), _("Name"), _("Unit"), _("Tax rate (%)"), _("Active"), _("Description")]
    yes, no = _("Yes"), _("No")

    def rows() -> Iterator[list[Any]]:
        yield [str(h) for h in header] + [pl.currency for pl in lists]
        for product in products:
            row = [
                product.sku, product.name, product.unit, product.tax_rate,
                yes if product.is_active else no, product.description,
            ]  # fmt: skip
            yield row + [prices.get((pl.pk, product.pk)) for pl in lists]

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        yield "\ufeff"
        for row in rows():
            writer.writerow([safe_cell(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@catalogue_write
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk) if pk else None
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if product is None:
                product = services.product_create(by=user_of(request), fields=fields)
            else:
                product = services.product_update(
                    product=product, by=user_of(request), fields=fields
                )
        except (ValidationError, DomainError) as error:
            _error_to_form(form, error)
        else:
            return redirect_after_post(request, product.get_absolute_url())
    return render_page(
        request,
        "sales/product_form.html",
        {"form": form, "product": product, "active_nav": "products"},
    )


@require_GET
@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    prices = Price.objects.filter(product=product).select_related("price_list", "option")
    return render_page(
        request,
        "sales/product_detail.html",
        {
            "product": product,
            "prices": prices,
            "options": ProductOption.objects.filter(product=product),
            "components": BundleComponent.objects.filter(bundle=product).select_related(
                "component"
            ),
            "price_form": PriceForm(product=product),
            "option_form": OptionForm(),
            "component_form": BundleComponentForm(bundle=product),
            "can_manage": services.can_manage_catalogue(request.user),
            "active_nav": "products",
        },
    )


def _catalogue_post(
    request: HttpRequest, product: Product, form: Any, action: Callable[[], object]
) -> HttpResponse:
    if form.is_valid():
        try:
            action()
        except (ValidationError, DomainError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.error(request, _("Please correct the form."))
    return redirect_after_post(request, product.get_absolute_url())


@require_POST
@catalogue_write
def product_option_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    form = OptionForm(request.POST)
    return _catalogue_post(
        request,
        product,
        form,
        lambda: services.product_option_add(
            product=product, by=user_of(request), name=form.cleaned_data["name"]
        ),
    )


@require_POST
@catalogue_write
def product_option_delete(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_object_or_404(ProductOption.objects.select_related("product"), pk=pk)
    services.product_option_delete(option=option, by=user_of(request))
    return redirect_after_post(request, option.product.get_absolute_url())


@require_POST
@catalogue_write
def bundle_component_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    form = BundleComponentForm(request.POST, bundle=product)
    return _catalogue_post(
        request,
        product,
        form,
        lambda: services.bundle_component_add(
            bundle=product,
            component=form.cleaned_data["component"],
            quantity=form.cleaned_data["quantity"],
            by=user_of(request),
        ),
    )


@require_POST
@catalogue_write
def bundle_component_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(BundleComponent.objects.select_related("bundle"), pk=pk)
    services.bundle_component_remove(line=line, by=user_of(request))
    return redirect_after_post(request, line.bundle.get_absolute_url())


@require_POST
@catalogue_write
def product_price_set(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    form = PriceForm(request.POST, product=product)
    return _catalogue_post(
        request,
        product,
        form,
        lambda: services.price_set(
            price_list=form.cleaned_data["price_list"],
            product=product,
            option=form.cleaned_data["option"],
            amount=form.cleaned_data["amount"],
            by=user_of(request),
        ),
    )


# --- Price lists and settings ------------------------------------------------------------------


@require_GET
@login_required
def price_list_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "sales/price_list_list.html",
        {
            "price_lists": PriceList.objects.all(),
            "form": PriceListForm(),
            "can_manage": services.can_manage_catalogue(request.user),
            "active_nav": "products",
        },
    )


@require_http_methods(["GET", "POST"])
@catalogue_write
def price_list_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    price_list = get_object_or_404(PriceList, pk=pk) if pk else None
    form = PriceListForm(request.POST or None, instance=price_list)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("name", "currency", "is_default")}
        try:
            if price_list is None:
                price_list = services.price_list_create(by=user_of(request), fields=fields)
            else:
                services.price_list_update(
                    price_list=price_list, by=user_of(request), fields=fields
                )
        except (ValidationError, DomainError) as error:
            _error_to_form(form, error)
        else:
            return redirect_after_post(request, price_list.get_absolute_url())
    prices = (
        Price.objects.filter(price_list=price_list).select_related("product", "option")
        if price_list
        else []
    )
    return render_page(
        request,
        "sales/price_list_form.html",
        {"form": form, "price_list": price_list, "prices": prices, "active_nav": "products"},
    )


@require_GET
@login_required
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = get_object_or_404(PriceList, pk=pk)
    return render_page(
        request,
        "sales/price_list_detail.html",
        {
            "price_list": price_list,
            "prices": Price.objects.filter(price_list=price_list).select_related(
                "product", "option"
            ),
            "can_manage": services.can_manage_catalogue(request.user),
            "active_nav": "products",
        },
    )


@require_http_methods(["GET", "POST"])
@catalogue_write
def sales_settings_form(request: HttpRequest) -> HttpResponse:
    """Seller name and address on quotes, their default terms and validity."""
    form = SalesSettingsForm(request.POST or None, instance=services.sales_settings())
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.sales_settings_update(by=user_of(request), fields=fields)
        except (ValidationError, DomainError) as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect_after_post(request, reverse("sales_settings"))
    return render_page(
        request, "sales/sales_settings.html", {"form": form, "active_nav": "products"}
    )


# --- Deal lines --------------------------------------------------------------------------------


def _deal_context(request: HttpRequest, deal: Deal, form: Any = None) -> dict[str, Any]:
    user = user_of(request)
    lines = list(DealLine.objects.filter(deal=deal).select_related("product"))
    pricing = DealPricing.objects.filter(deal=deal).first()
    return {
        "deal": deal,
        "lines": [(line, line.net_amount(deal.currency)) for line in lines],
        "totals": lines_total(lines, currency=deal.currency),
        "amount_from_lines": bool(pricing and pricing.amount_from_lines),
        "line_form": form or DealLineForm(),
        "quotes": Quote.objects.filter(deal=deal),
        "can_edit": _can_edit_deal(user, deal),
        "active_nav": "deals",
    }


def _can_edit_deal(user: Any, deal: Deal) -> bool:
    try:
        services.ensure_deal_editor(user, deal)
    except DomainError:
        return False
    return True


def _editable_deal(request: HttpRequest, pk: int) -> Deal:
    deal = visible_or_404(Deal.objects.all(), user_of(request), pk)
    if not _can_edit_deal(user_of(request), deal):
        raise Http404
    return deal


@require_http_methods(["GET", "POST"])
@login_required
def deal_lines(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's products and quotes (a card on the deal page); POST adds a line."""
    deal = visible_or_404(Deal.objects.all(), user_of(request), pk)
    form = None
    if request.method == "POST":
        if not user_of(request).can_write or not _can_edit_deal(user_of(request), deal):
            raise Http404
        form = DealLineForm(request.POST)
        if form.is_valid():
            try:
                services.deal_line_add(deal=deal, by=user_of(request), fields=form.cleaned_data)
            except (ValidationError, DomainError) as error:
                _error_to_form(form, error)
            else:
                return redirect_after_post(request, reverse("deal_detail", args=[deal.pk]))
    return render_page(
        request, "sales/deal_lines.html", _deal_context(request, deal, form), partial="lines-card"
    )


def _line_or_404(request: HttpRequest, pk: int) -> DealLine:
    line = get_object_or_404(DealLine.objects.select_related("deal"), pk=pk)
    _editable_deal(request, line.deal_id)
    return line


@require_POST
@write_required
def deal_line_update(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line_or_404(request, pk)
    form = DealLineEditForm(request.POST)
    if form.is_valid():
        try:
            services.deal_line_update(line=line, by=user_of(request), fields=form.cleaned_data)
        except (ValidationError, DomainError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.error(request, _("Please correct the form."))
    return redirect_after_post(request, reverse("deal_detail", args=[line.deal_id]))


@require_POST
@write_required
def deal_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line_or_404(request, pk)
    services.deal_line_delete(line=line, by=user_of(request))
    return redirect_after_post(request, reverse("deal_detail", args=[line.deal_id]))


@require_POST
@write_required
def deal_amount_from_lines(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _editable_deal(request, pk)
    services.deal_amount_from_lines_set(
        deal=deal, by=user_of(request), enabled=request.POST.get("enabled") == "on"
    )
    return redirect_after_post(request, reverse("deal_detail", args=[deal.pk]))


# --- Quotes ------------------------------------------------------------------------------------


def _quote_or_404(request: HttpRequest, pk: int) -> Quote:
    quote = Quote.objects.visible_to(user_of(request)).select_related("deal").filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


@require_GET
@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    quotes = (
        Quote.objects.visible_to(user_of(request))
        .select_related("deal", "contact")
        .filter(superseded_at__isnull=True)[:200]
    )
    return render_page(request, "sales/quote_list.html", {"quotes": quotes, "active_nav": "quotes"})


@require_POST
@write_required
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _editable_deal(request, pk)
    try:
        quote = services.quote_create(deal=deal, by=user_of(request))
    except DomainError as error:
        messages.error(request, str(error))
        return redirect_after_post(request, reverse("deal_detail", args=[deal.pk]))
    return redirect_after_post(request, quote.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote as the customer will see it; its draft's title, terms and validity edit here."""
    quote = _quote_or_404(request, pk)
    can_edit = _can_edit_deal(user_of(request), quote.deal)
    form = QuoteForm(request.POST or None, instance=quote)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.quote_update(quote=quote, by=user_of(request), fields=form.cleaned_data)
            except (ValidationError, DomainError) as error:
                _error_to_form(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect_after_post(request, quote.get_absolute_url())
    context = quote_document_context(quote)
    context.update(
        {
            "form": form,
            "can_edit": can_edit,
            "versions": Quote.objects.filter(number=quote.number).order_by("-version"),
            "send_form": QuoteSendForm(
                initial={"to": quote.contact.email if quote.contact else ""}
            ),
            "public_url": quote_public_url(quote),
            "active_nav": "quotes",
        }
    )
    return render_page(request, "sales/quote_detail.html", context)


def _pdf_response(quote: Quote) -> HttpResponse:
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote_filename(quote)}"'
    return response


@require_GET
@login_required
def quote_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(_quote_or_404(request, pk))


@require_POST
@write_required
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote_or_404(request, pk)
    _editable_deal(request, quote.deal_id)
    form = QuoteSendForm(request.POST)
    if form.is_valid():
        try:
            services.quote_send(
                quote=quote,
                by=user_of(request),
                to=form.cleaned_data["to"],
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The quote is on its way."))
    else:
        messages.error(request, _("Please enter a valid e-mail address."))
    return redirect_after_post(request, quote.get_absolute_url())


@require_POST
@write_required
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote_or_404(request, pk)
    _editable_deal(request, quote.deal_id)
    try:
        revision = services.quote_revise(quote=quote, by=user_of(request))
    except DomainError as error:
        messages.error(request, str(error))
        return redirect_after_post(request, quote.get_absolute_url())
    return redirect_after_post(request, revision.get_absolute_url())


# --- The customer's page (no sign-in) ----------------------------------------------------------


def _public_quote_or_404(token: str) -> Quote:
    quote = quote_from_token(token)
    if quote is None or quote.status == "draft":
        raise Http404
    return quote


@require_http_methods(["GET", "POST"])
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    """The customer reads the quote and accepts or declines it, once."""
    quote = _public_quote_or_404(token)
    form = QuoteAnswerForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.quote_answer(
                quote=quote,
                accepted=form.cleaned_data["decision"] == "accept",
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except services.QuoteAnswerError as error:
            problem = str(error)
            quote.refresh_from_db()
        else:
            return redirect_after_post(request, reverse("quote_public", args=[token]))
    context = quote_document_context(quote)
    context.update({"form": form, "problem": problem, "token": token})
    status = 409 if problem else 200
    response = render_page(request, "sales/quote_public.html", context, status=status)
    # The link is the customer's key: no shared cache keeps the page or its address.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def quote_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    response = _pdf_response(_public_quote_or_404(token))
    patch_cache_control(response, private=True, no_store=True)
    return response
