"""The bell, the notifications page, reminder actions and the e-mailed links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import CrmError
from crm.notifications import selectors, services
from crm.notifications.forms import NotificationPreferenceForm, SnoozeForm
from crm.notifications.models import Reminder
from crm.notifications.tokens import REMINDER_SALT, UNSUBSCRIBE_SALT, token_owner, token_read
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required
from tenants.users.models import User
from tenants.users.notifications import (
    CRM_DAILY_DIGEST,
    NOTIFICATION_KINDS_BY_KEY,
    notification_enabled,
)


def _safe_url(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("notifications")


@require_GET
@login_required
def unread_count(request: HttpRequest) -> HttpResponse:
    """The bell's number, polled by the page: one indexed COUNT query."""
    count = selectors.unread_count(user_of(request))
    # No request context: its processors would read the plan and the workspace for nothing.
    html = render_to_string("notifications/_bell_count.html", {"unread_count": count})
    return HttpResponse(html)


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """All of one's notifications (latest first); ``#panel`` is the bell's dropdown."""
    user = user_of(request)
    items = selectors.notifications_of(user)
    partial = request.GET.get("panel") == "1"
    context = {
        "notifications": items[: selectors.PANEL_SIZE if partial else selectors.PAGE_SIZE],
        "unread_count": selectors.unread_count(user),
        "preference_form": NotificationPreferenceForm(
            initial={"reminder_minutes": services.reminder_default_minutes(user)}
        ),
        "snooze_form": SnoozeForm(),
        "active_nav": "",
    }
    if partial:
        return render(request, "notifications/notifications.html#panel", context)
    return render_page(request, "notifications/notifications.html", context, partial="list")


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points."""
    user = user_of(request)
    notification = selectors.own_notification_or_404(user, pk)
    services.notification_mark_read(notification=notification, user=user)
    return redirect_after_post(request, _safe_url(request, notification.url))


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    notification = selectors.own_notification_or_404(user, pk)
    services.notification_mark_read(notification=notification, user=user)
    return redirect_after_post(request, reverse("notifications"))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=user_of(request))
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect_after_post(request, reverse("notifications"))


@require_POST
@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferenceForm(request.POST)
    if form.is_valid():
        services.notification_preference_set(
            user=user_of(request), reminder_minutes=form.cleaned_data["reminder_minutes"]
        )
        messages.success(request, _("Your default reminder was saved."))
    else:
        messages.error(request, _("Choose a reminder from the list."))
    return redirect_after_post(request, reverse("notifications"))


@require_POST
@write_required
def reminder_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    reminder = selectors.own_reminder_or_404(user, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how long to snooze."))
        return redirect_after_post(request, reverse("notifications"))
    try:
        reminder = services.reminder_snooze(
            reminder=reminder, user=user, choice=form.cleaned_data["choice"]
        )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Snoozed: %(activity)s.") % {"activity": reminder.activity})
    return redirect_after_post(request, reverse("notifications"))


@require_POST
@write_required
def reminder_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    reminder = selectors.own_reminder_or_404(user, pk)
    try:
        activity = services.reminder_done(reminder=reminder, user=user)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(activity)s.") % {"activity": activity})
    return redirect_after_post(request, reverse("notifications"))


@require_GET
@login_required
def reminder_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: the reminder with its snooze and done buttons, for its owner only."""
    user = user_of(request)
    reminder_id = token_read(token, salt=REMINDER_SALT, user_id=int(user.pk))
    if not reminder_id:
        raise Http404
    reminder: Reminder = selectors.own_reminder_or_404(user, reminder_id)
    return render(
        request,
        "notifications/reminder.html",
        {"reminder": reminder, "activity": reminder.activity, "snooze_form": SnoozeForm()},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The digest's unsubscribe link: works without signing in (the signed token names the
    user and the workspace); a page with one button, and the mail client's one-click POST
    (RFC 8058, hence no CSRF token: the unguessable link is the proof, and it can only turn
    the digest off)."""
    user_id = token_owner(token, salt=UNSUBSCRIBE_SALT)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise Http404
    done = not notification_enabled(user, CRM_DAILY_DIGEST)
    if request.method == "POST" and not done:
        from tenants.users.services import user_notifications_change

        enabled = {key: notification_enabled(user, key) for key in NOTIFICATION_KINDS_BY_KEY}
        user_notifications_change(user=user, enabled={**enabled, CRM_DAILY_DIGEST: False})
        done = True
    return render(request, "notifications/unsubscribe.html", {"done": done})
