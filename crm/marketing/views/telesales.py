"""Telesales pages: call queues, "work the queue", outcomes, the leaderboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import CrmError
from crm.marketing.forms import CallOutcomeForm, CallQueueForm
from crm.marketing.models import CallOutcome, CallQueue, QueueEntry
from crm.marketing.selectors_telesales import (
    call_context,
    calls_today,
    leaderboard,
    queue_counts,
    queues_visible,
)
from crm.marketing.services.telesales import (
    call_outcome_record,
    call_queue_build_enqueue,
    call_queue_delete,
    call_queue_save,
    can_manage,
    can_work,
    queue_next,
    queue_release,
)
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required


def _queue_or_404(request: HttpRequest, pk: int) -> CallQueue:
    """A queue the user may see (shared, theirs, or any for managers); others are 404."""
    return get_object_or_404(queues_visible(user_of(request)), pk=pk)


def _managed_or_404(request: HttpRequest, pk: int) -> CallQueue:
    queue = _queue_or_404(request, pk)
    if not can_manage(user_of(request), queue):
        raise Http404
    return queue


@require_GET
@login_required
def queue_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "marketing/queue_list.html",
        {"queues": list(queues_visible(user_of(request))), "active_nav": "marketing"},
    )


@require_http_methods(["GET", "POST"])
@write_required
def queue_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    queue = _managed_or_404(request, pk) if pk is not None else None
    form = CallQueueForm(request.POST or None, instance=queue)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CallQueueForm.Meta.fields}
        try:
            saved = call_queue_save(by=user_of(request), values=values, queue=queue)
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Call queue saved."))
            return redirect_after_post(request, saved.get_absolute_url())
    return render_page(
        request,
        "marketing/queue_form.html",
        {"form": form, "queue": queue, "active_nav": "marketing"},
        status=400 if form.is_bound else 200,
    )


@require_GET
@login_required
def queue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The queue's progress, today's leaderboard and the user's own target."""
    queue = _queue_or_404(request, pk)
    user = user_of(request)
    return render_page(
        request,
        "marketing/queue_detail.html",
        {
            "queue": queue,
            "counts": queue_counts(queue),
            "board": leaderboard(queue),
            "outcomes": CallOutcome.choices,
            "my_calls": calls_today(queue, user),
            "can_work": can_work(user, queue),
            "can_manage": can_manage(user, queue),
            "active_nav": "marketing",
        },
    )


@require_POST
@write_required
def queue_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the segment's new members to the queue (in the background)."""
    queue = _managed_or_404(request, pk)
    call_queue_build_enqueue(queue=queue)
    messages.success(request, _("The queue is being refreshed from its segment."))
    return redirect_after_post(request, queue.get_absolute_url())


@require_POST
@write_required
def queue_delete(request: HttpRequest, pk: int) -> HttpResponse:
    queue = _managed_or_404(request, pk)
    call_queue_delete(by=user_of(request), queue=queue)
    messages.success(request, _("Call queue deleted."))
    return redirect_after_post(request, reverse("marketing:queues"))


@require_GET
@write_required
def queue_work(request: HttpRequest, pk: int) -> HttpResponse:
    """The next contact to call, held for this rep, with what to know before dialling."""
    queue = _queue_or_404(request, pk)
    user = user_of(request)
    if not can_work(user, queue):
        raise Http404
    entry = queue_next(queue=queue, rep=user)
    context = call_context(entry.contact) if entry is not None else None
    return render_page(
        request,
        "marketing/queue_work.html",
        {
            "queue": queue,
            "entry": entry,
            "contact": entry.contact if entry else None,
            "context": context,
            "form": CallOutcomeForm(),
            "outcomes": CallOutcome,
            "my_calls": calls_today(queue, user),
            "active_nav": "marketing",
        },
    )


def _entry_or_404(request: HttpRequest, pk: int, entry_pk: int) -> QueueEntry:
    queue = _queue_or_404(request, pk)
    if not can_work(user_of(request), queue):
        raise Http404
    return get_object_or_404(
        QueueEntry.objects.select_related("contact", "queue"), pk=entry_pk, queue=queue
    )


@require_POST
@write_required
def queue_outcome(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One click: log the call with its outcome, then on to the next contact."""
    entry = _entry_or_404(request, pk, entry_pk)
    form = CallOutcomeForm(request.POST)
    work_url = reverse("marketing:queue_work", args=[pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect_after_post(request, work_url)
    try:
        call_outcome_record(
            entry=entry,
            rep=user_of(request),
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            call_back_at=form.cleaned_data["call_back_at"],
        )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        label = CallOutcome(form.cleaned_data["outcome"]).label
        messages.success(
            request, _("%(name)s: %(outcome)s.") % {"name": entry.contact, "outcome": label}
        )
    return redirect_after_post(request, work_url)


@require_POST
@write_required
def queue_release_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Stop calling: the held contact goes back to the team at once."""
    entry = _entry_or_404(request, pk, entry_pk)
    queue_release(entry=entry, rep=user_of(request))
    return redirect_after_post(request, reverse("marketing:queue_detail", args=[pk]))
