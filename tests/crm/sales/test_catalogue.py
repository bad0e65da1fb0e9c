"""Products, options, bundles and price lists: rules, rights and isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from crm.errors import CrmError
from crm.sales import services
from crm.sales.models import PriceList, Product
from tenants.users.models import Role, User
from tests.conftest import Workspace
from tests.factories import UserFactory


def test_sku_is_unique_in_a_workspace_whatever_the_case(widget: Product, admin: User) -> None:
    with pytest.raises(ValidationError):
        services.product_create(by=admin, fields={"sku": "w-1", "name": "Other widget"})


def test_the_same_sku_may_exist_in_another_workspace(widget: Product, beta: Workspace) -> None:
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(role=Role.ADMIN)
        product = services.product_create(by=beta_admin, fields={"sku": "W-1", "name": "Beta"})
        assert list(Product.objects.values_list("name", flat=True)) == ["Beta"]
    assert product.pk


def test_reps_do_not_change_the_catalogue(crm: Workspace, rep: User) -> None:
    with pytest.raises(CrmError):
        services.product_create(by=rep, fields={"sku": "X", "name": "X"})


def test_option_price_is_added_to_the_product_price(
    widget: Product, eur_list: PriceList, admin: User
) -> None:
    option = services.product_option_add(product=widget, by=admin, name="Gold plating")
    services.price_set(
        price_list=eur_list, product=widget, option=option, amount=Decimal("2.50"), by=admin
    )
    assert services.price_for(product=widget, currency="EUR", option=option) == Decimal("12.50")
    assert services.price_for(product=widget, currency="EUR") == Decimal("10.00")


def test_a_product_without_a_price_in_the_currency_costs_nothing(widget: Product) -> None:
    assert services.price_for(product=widget, currency="USD") == Decimal(0)


def test_one_default_price_list_per_currency(eur_list: PriceList, admin: User) -> None:
    newer = services.price_list_create(
        by=admin, fields={"name": "2027", "currency": "EUR", "is_default": True}
    )
    eur_list.refresh_from_db()
    assert newer.is_default
    assert not eur_list.is_default


def test_first_list_of_a_currency_becomes_its_default(crm: Workspace, admin: User) -> None:
    usd = services.price_list_create(
        by=admin, fields={"name": "US", "currency": "usd", "is_default": False}
    )
    assert usd.is_default
    assert usd.currency == "USD"


def test_a_bundle_cannot_contain_itself(widget: Product, admin: User) -> None:
    kit = services.product_create(by=admin, fields={"sku": "KIT", "name": "Kit"})
    services.bundle_component_add(bundle=kit, component=widget, quantity=Decimal(2), by=admin)
    with pytest.raises(CrmError):
        services.bundle_component_add(bundle=widget, component=kit, quantity=Decimal(1), by=admin)
    assert [str(c) for c in kit.bundle_lines.all()] == ["2.000 × W-1 · Widget"]


def test_product_list_searches_sku_and_name(
    widget: Product, admin: User, client_as: object
) -> None:
    client: Client = client_as(admin)  # type: ignore[operator]
    services.product_create(by=admin, fields={"sku": "G-7", "name": "Gadget"})
    response = client.get(reverse("products"), {"q": "w-1"})
    assert response.status_code == 200
    assert b"Widget" in response.content
    assert b"Gadget" not in response.content


def test_product_export_is_a_csv_with_the_default_price(
    widget: Product, rep: User, client_as: object
) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    response = client.get(reverse("product_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv")
    assert '"W-1","Widget","pcs","19.00","Yes","","10.0000"' in text


def test_reps_get_a_403_on_the_product_form(crm: Workspace, rep: User, client_as: object) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    assert client.get(reverse("product_create")).status_code == 403


def test_managers_create_products_through_the_form(
    crm: Workspace, manager: User, client_as: object
) -> None:
    client: Client = client_as(manager)  # type: ignore[operator]
    response = client.post(
        reverse("product_create"),
        {"sku": "S-1", "name": "Service hour", "unit": "h", "tax_rate": "7", "is_active": "on"},
    )
    product = Product.objects.get(sku="S-1")
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()


def test_another_workspace_does_not_see_the_products(
    widget: Product, beta: Workspace, beta_client: Client
) -> None:
    from tests.conftest import sign_in

    with schema_context(beta.schema):
        beta_user = UserFactory.create(role=Role.ADMIN)
    client = sign_in(beta_client, beta, beta_user)
    assert client.get(reverse("product_detail", args=[widget.pk])).status_code == 404
    assert b"Widget" not in client.get(reverse("products")).content
