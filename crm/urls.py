"""URLs of the CRM on a workspace host."""

from django.urls import path

from crm.views import activities, configuration, deals, links, lists, merge, records, search

urlpatterns = [
    path("", search.dashboard, name="dashboard"),
    path("search/", search.search, name="search"),
    path("lookup/<str:kind>/", records.lookup, name="lookup"),
    # Deals: the board is the deals home; the list is the alternative view.
    path("deals/", deals.deal_board, name="deals"),
    path("deals/pipelines/<int:pipeline_id>/", deals.deal_board, name="deal_board"),
    path("deals/list/", lists.record_list, {"kind": "deal"}, name="deal_list"),
    path("deals/export/", lists.record_export, {"kind": "deal"}, name="deal_export"),
    path("deals/stages/<int:stage_id>/cards/", deals.deal_column_more, name="deal_column_more"),
    path("deals/<int:pk>/lost/", deals.deal_lost, name="deal_lost"),
    path("deals/<int:pk>/contacts/add/", links.deal_contact_add, name="deal_contact_add"),
    path("deals/contacts/<int:pk>/remove/", links.deal_contact_remove, name="deal_contact_remove"),
    path("deals/new/", records.record_form, {"kind": "deal"}, name="deal_create"),
    path("deals/bulk/", records.record_bulk, {"kind": "deal"}, name="deal_bulk"),
    path("deals/<int:pk>/", records.record_detail, {"kind": "deal"}, name="deal_detail"),
    path("deals/<int:pk>/edit/", records.record_form, {"kind": "deal"}, name="deal_update"),
    path("deals/<int:pk>/delete/", records.record_delete, {"kind": "deal"}, name="deal_delete"),
    path("deals/<int:pk>/move/", deals.deal_move, name="deal_move"),
    path("deals/<int:pk>/activities/", records.quick_add, {"kind": "deal"}, name="deal_quick_add"),
    # Leads
    path("leads/<int:pk>/convert/", deals.lead_convert, name="lead_convert"),
    # Activities
    path("activities/", lists.record_list, {"kind": "activity"}, name="activities"),
    path("activities/export/", lists.record_export, {"kind": "activity"}, name="activity_export"),
    # Saved views of the lists
    path("views/new/", lists.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", lists.saved_view_delete, name="saved_view_delete"),
    path("activities/new/", activities.activity_form, name="activity_create"),
    path("activities/bulk/", records.record_bulk, {"kind": "activity"}, name="activity_bulk"),
    path("activities/<int:pk>/", activities.activity_form, name="activity_update"),
    path("activities/<int:pk>/complete/", activities.activity_complete, name="activity_complete"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity_delete"),
    # Settings (admins)
    path("settings/crm/", configuration.crm_settings, name="crm_settings"),
    path("settings/pipelines/", configuration.pipeline_settings, name="pipeline_settings"),
    path("settings/pipelines/new/", configuration.pipeline_create, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", configuration.pipeline_update, name="pipeline_update"),
    path(
        "settings/pipelines/<int:pipeline_id>/stages/new/",
        configuration.stage_create,
        name="stage_create",
    ),
    path("settings/stages/<int:pk>/", configuration.stage_update, name="stage_update"),
    path("settings/fields/", configuration.custom_field_settings, name="custom_field_settings"),
    path(
        "settings/fields/<int:pk>/",
        configuration.custom_field_settings,
        name="custom_field_update",
    ),
    path("settings/audit/", configuration.audit_log, name="audit_log"),
    path("settings/rates/", configuration.exchange_rates, name="exchange_rates"),
    path(
        "settings/rates/<int:pk>/delete/",
        configuration.exchange_rate_delete,
        name="exchange_rate_delete",
    ),
]

#: Contacts, companies and leads share the generic record pages.
for _kind, _prefix in (("contact", "contacts"), ("company", "companies"), ("lead", "leads")):
    _extra = {"kind": _kind}
    urlpatterns += [
        path(f"{_prefix}/", lists.record_list, _extra, name=_prefix),
        path(f"{_prefix}/export/", lists.record_export, _extra, name=f"{_kind}_export"),
        path(f"{_prefix}/new/", records.record_form, _extra, name=f"{_kind}_create"),
        path(f"{_prefix}/bulk/", records.record_bulk, _extra, name=f"{_kind}_bulk"),
        path(f"{_prefix}/<int:pk>/", records.record_detail, _extra, name=f"{_kind}_detail"),
        path(f"{_prefix}/<int:pk>/edit/", records.record_form, _extra, name=f"{_kind}_update"),
        path(f"{_prefix}/<int:pk>/delete/", records.record_delete, _extra, name=f"{_kind}_delete"),
        path(
            f"{_prefix}/<int:pk>/activities/",
            records.quick_add,
            _extra,
            name=f"{_kind}_quick_add",
        ),
    ]
urlpatterns += [
    path("contacts/merge/", merge.record_merge, {"kind": "contact"}, name="contact_merge"),
    path("companies/merge/", merge.record_merge, {"kind": "company"}, name="company_merge"),
    path(
        "contacts/<int:pk>/companies/add/",
        links.contact_company_add,
        name="contact_company_add",
    ),
    path(
        "contacts/companies/<int:pk>/remove/",
        links.contact_company_remove,
        name="contact_company_remove",
    ),
]
