"""Merging two duplicate contacts or companies, after comparing them side by side."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm import services
from crm.errors import CrmError
from crm.forms.query import parse_record_id
from crm.selectors import editable_or_404
from crm.selectors.merge import merge_suggestion
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required
from crm.views.kinds import KINDS

MERGEABLE = ("contact", "company")
COMPARED = {
    "contact": ("full_name", "title", "email", "phone", "mobile", "city", "country", "owner"),
    "company": ("name", "domain", "industry", "phone", "city", "country", "owner"),
}


@require_http_methods(["GET", "POST"])
@write_required
def record_merge(request: HttpRequest, kind: str) -> HttpResponse:
    """``?ids=a&ids=b``: compare two records, choose the one that stays, merge.

    The record with more data and history is chosen by default, with the reason on the page.
    """
    if kind not in MERGEABLE:
        raise Http404
    spec = KINDS[kind]
    user = user_of(request)
    source = request.POST if request.method == "POST" else request.GET
    ids = [pk for pk in map(parse_record_id, source.getlist("ids")) if pk is not None]
    if len(ids) != 2 or ids[0] == ids[1]:
        messages.error(request, _("Select exactly two records to merge."))
        return redirect_after_post(request, reverse(spec.list_url_name))
    first, second = (editable_or_404(spec.objects(), user, pk) for pk in ids)
    suggestion = merge_suggestion(first, second)
    if request.method == "POST":
        keep = parse_record_id(source.get("primary"))
        survivor = next(
            (record for record in (first, second) if record.pk == keep),
            suggestion.survivor.record,
        )
        primary, duplicate = (first, second) if survivor == first else (second, first)
        try:
            merge_service: Any = (
                services.contact_merge if kind == "contact" else services.company_merge
            )
            merged = merge_service(primary=primary, duplicate=duplicate, by=user)
        except CrmError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Merged into %(record)s.") % {"record": merged})
            return redirect_after_post(request, merged.get_absolute_url())
    rows = [
        (
            str(getattr(spec.model._meta.get_field(name), "verbose_name", name)).capitalize()
            if name != "full_name"
            else _("Name"),
            getattr(first, name),
            getattr(second, name),
        )
        for name in COMPARED[kind]
    ]
    weights = {w.record.pk: w for w in (suggestion.survivor, suggestion.other)}
    return render_page(
        request,
        "crm/merge.html",
        {
            "spec": spec,
            "first": first,
            "second": second,
            "rows": rows,
            "weights": [weights[first.pk], weights[second.pk]],
            "suggestion": suggestion,
            "active_nav": spec.nav,
        },
    )
