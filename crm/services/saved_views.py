"""Saved views of the list pages: create and delete."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import ListType, SavedView
from tenants.users.models import Role, User

#: Query parameters that page through a list rather than filter it; never saved.
NOT_SAVED = frozenset({"after", "before", "page", "view", "csrfmiddlewaretoken"})


def saved_query(query: str) -> str:
    """The filters and sort of a list's query string, without paging or empty values."""
    parsed = QueryDict(query)
    kept = QueryDict(mutable=True)
    for key in sorted(parsed):
        if key in NOT_SAVED:
            continue
        values = [value for value in parsed.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_view_create(
    *, by: User, list_type: str, name: str, query: str, shared: bool = False
) -> SavedView:
    """Save a list's current filters under ``name``; only roles that can write share views."""
    if not by.is_active:
        raise CrmError(_("Your account is deactivated."))
    if list_type not in ListType.values:
        raise CrmError(_("Views cannot be saved on this list."))
    if shared and not by.can_write:
        raise CrmError(_("Your role does not allow sharing views."))
    name = name.strip()
    if not name:
        raise CrmError(_("Name the view."))
    return SavedView.objects.create(
        owner=by, list_type=list_type, name=name[:80], query=saved_query(query), shared=shared
    )


@transaction.atomic
def saved_view_delete(*, view: SavedView, by: User) -> None:
    """Delete a view: its owner may, and an admin may remove any shared view."""
    if not by.is_active or (view.owner_id != by.pk and by.role != Role.ADMIN):
        raise CrmError(_("Only the owner of a view or an admin can delete it."))
    view.delete()
