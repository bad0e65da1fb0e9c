"""CRM reads. Each starts from ``visible_to(user)`` so no page shows what its user may not see."""

from crm.selectors.access import editable_or_404, visible_or_404
from crm.selectors.board import Column, board_columns, column_more, stage_totals
from crm.selectors.dashboard import my_open_activities, my_open_deals, pipeline_summary
from crm.selectors.lists import PageSlice, filtered, ordering, paginate
from crm.selectors.search import company_duplicates, contact_duplicates, global_search, text_search
from crm.selectors.timeline import describe_changes, record_timeline

__all__ = [
    "Column",
    "PageSlice",
    "board_columns",
    "column_more",
    "company_duplicates",
    "contact_duplicates",
    "describe_changes",
    "editable_or_404",
    "filtered",
    "global_search",
    "my_open_activities",
    "my_open_deals",
    "ordering",
    "paginate",
    "pipeline_summary",
    "record_timeline",
    "stage_totals",
    "text_search",
    "visible_or_404",
]
