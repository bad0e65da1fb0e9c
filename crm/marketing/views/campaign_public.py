"""A campaign's public endpoints on the workspace host: open pixel, click, unsubscribe, and
the inbound bounce/complaint endpoint of the mail provider (shared secret)."""

from __future__ import annotations

import base64
import hmac
import json

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.marketing.models import CampaignRecipient, RecipientStatus, Suppression, SuppressionReason
from crm.marketing.services.campaigns import campaign_links
from crm.marketing.tracking import tracking_signature_valid
from crm.models import Contact

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _recipient_or_404(token: str, signature: str) -> CampaignRecipient:
    if not tracking_signature_valid(token, signature):
        raise Http404
    recipient = (
        CampaignRecipient.objects.select_related("campaign__template").filter(token=token).first()
    )
    if recipient is None:
        raise Http404
    return recipient


@require_GET
def campaign_open(request: HttpRequest, token: str, signature: str) -> HttpResponse:
    recipient = _recipient_or_404(token, signature)
    CampaignRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    response = HttpResponse(_PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def campaign_click(request: HttpRequest, token: str, link: int, signature: str) -> HttpResponse:
    """Redirect to the message's ``link``-th link; nothing but the message's links is reachable."""
    recipient = _recipient_or_404(token, signature)
    links = campaign_links(recipient.campaign)
    if link >= len(links):
        raise Http404
    now = timezone.now()
    CampaignRecipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(
        clicked_at=now
    )
    CampaignRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(opened_at=now)
    return HttpResponseRedirect(links[link])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def campaign_unsubscribe(request: HttpRequest, token: str, signature: str) -> HttpResponse:
    """A page with a button (GET) and the one-click POST of mail clients (RFC 8058)."""
    recipient = _recipient_or_404(token, signature)
    done = recipient.unsubscribed_at is not None
    if request.method == "POST":
        with transaction.atomic():
            if recipient.contact_id is not None:
                Contact.objects.filter(pk=recipient.contact_id).update(email_opt_out=True)
            CampaignRecipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
                unsubscribed_at=timezone.now()
            )
        done = True
    return render(
        request,
        "marketing/public/campaign_unsubscribe.html",
        {"recipient": recipient, "done": done},
    )


def _secret_ok(request: HttpRequest) -> bool:
    secret = str(settings.CAMPAIGN_INBOUND_SECRET or "")
    given = str(request.headers.get("Authorization", "")).removeprefix("Bearer ").strip()
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def campaign_inbound(request: HttpRequest) -> HttpResponse:
    """``{"type": "bounce"|"complaint", "email": …, "token": optional}`` from the mail provider.

    Marks the recipient (the token's, else the latest sent to the address) and suppresses
    the address for later campaigns. ``Authorization: Bearer <CAMPAIGN_INBOUND_SECRET>``.
    """
    if not _secret_ok(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        payload = json.loads(request.body[:10000] or b"{}")
    except ValueError:
        return JsonResponse({"error": "bad json"}, status=400)
    kind = payload.get("type") if isinstance(payload, dict) else None
    if kind not in ("bounce", "complaint"):
        return JsonResponse({"error": "type must be bounce or complaint"}, status=400)
    email = str(payload.get("email") or "").strip().lower()[:254]
    token = str(payload.get("token") or "")[:40]
    recipients = CampaignRecipient.objects.filter(sent_at__isnull=False)
    if token:
        recipient = recipients.filter(token=token).first()
    else:
        recipient = recipients.filter(email__iexact=email).order_by("-sent_at").first()
    if recipient is not None:
        email = email or recipient.email.lower()
    if not email:
        return JsonResponse({"error": "email or token required"}, status=400)
    status = RecipientStatus.BOUNCED if kind == "bounce" else RecipientStatus.COMPLAINED
    reason = SuppressionReason.BOUNCE if kind == "bounce" else SuppressionReason.COMPLAINT
    with transaction.atomic():
        if recipient is not None:
            CampaignRecipient.objects.filter(pk=recipient.pk).update(status=status)
        Suppression.objects.get_or_create(email=email, defaults={"reason": reason})
    return JsonResponse({"ok": True, "recipient": recipient is not None})
