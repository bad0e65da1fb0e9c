"""The gateway webhook endpoint on the public host: verify, record, enqueue, answer 200."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.gateways import SignatureError, active_gateway
from billing.webhooks import webhook_receive


@csrf_exempt  # the gateway cannot send a CSRF token; the payload signature authenticates it
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Acknowledge a gateway event fast; a worker processes it. Bad signature: 400, no row."""
    try:
        receipt = webhook_receive(
            payload=request.body,
            signature=request.headers.get("Stripe-Signature", ""),
            gateway=active_gateway(),
        )
    except SignatureError:
        return HttpResponseBadRequest(b"invalid signature")
    return JsonResponse(
        {"received": True, "duplicate": receipt.duplicate, "requeued": receipt.requeued}
    )
