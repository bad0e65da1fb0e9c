"""URLs of products, price lists, deal lines and quotes on a workspace host."""

from django.urls import path

from crm.sales import views, views_letters

urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/export/", views.product_export, name="product_export"),
    path("products/new/", views.product_form, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_form, name="product_update"),
    path("products/<int:pk>/options/", views.product_option_add, name="product_option_add"),
    path(
        "products/options/<int:pk>/delete/",
        views.product_option_delete,
        name="product_option_delete",
    ),
    path("products/<int:pk>/components/", views.bundle_component_add, name="bundle_component_add"),
    path(
        "products/components/<int:pk>/delete/",
        views.bundle_component_remove,
        name="bundle_component_remove",
    ),
    path("products/<int:pk>/prices/", views.product_price_set, name="product_price_set"),
    path("price-lists/", views.price_list_list, name="price_lists"),
    path("price-lists/new/", views.price_list_form, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", views.price_list_form, name="price_list_update"),
    path("settings/sales/", views.sales_settings_form, name="sales_settings"),
    path("deals/<int:pk>/lines/", views.deal_lines, name="deal_lines"),
    path(
        "deals/<int:pk>/lines/amount/", views.deal_amount_from_lines, name="deal_amount_from_lines"
    ),
    path("deals/lines/<int:pk>/", views.deal_line_update, name="deal_line_update"),
    path("deals/lines/<int:pk>/delete/", views.deal_line_delete, name="deal_line_delete"),
    path("deals/<int:pk>/quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/", views.quote_list, name="quotes"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf_download, name="quote_pdf"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/revise/", views.quote_revise, name="quote_revise"),
    path("letters/", views_letters.letter_template_list, name="letter_templates"),
    path("letters/new/", views_letters.letter_template_form, name="letter_template_create"),
    path("letters/<int:pk>/", views_letters.letter_template_form, name="letter_template_update"),
    path("letters/print/", views_letters.letter_print, name="letter_print"),
    # The customer's page: no sign-in, a signed link bound to this workspace.
    path("q/<str:token>/", views.quote_public, name="quote_public"),
    path("q/<str:token>/pdf/", views.quote_public_pdf, name="quote_public_pdf"),
]
