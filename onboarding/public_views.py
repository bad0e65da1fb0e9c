"""The customer's way in, on the public host: signup, its progress, and finding a workspace."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from billing.models import Plan
from core.htmx import HtmxHttpRequest
from onboarding.forms import SignupForm, WorkspaceLookupForm, WorkspaceSignInForm, slug_problem
from onboarding.provisioning import SignupRequest, signup_handoff_issue, signup_start
from onboarding.signups.models import Signup, SignupStatus
from tenants.errors import WorkspaceError
from tenants.ratelimits import lookup_rate_limit, signup_rate_limit
from tenants.selectors import workspace_url
from tenants.tasks import workspace_lookup_email_job

#: The country a signup in this language most likely comes from (a first guess only).
LANGUAGE_COUNTRY = {"zh-hans": "CN", "zh-hant": "TW"}
#: Session key listing the signups this browser started; only they may be followed.
SIGNUPS_SESSION_KEY = "rapport_signups"


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "public/landing.html", {"plans": Plan.objects.public()})


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    """Plans, prices and what each includes, in words."""
    return render(request, "public/pricing.html", {"plans": Plan.objects.public()})


@lookup_rate_limit
@require_http_methods(["GET", "POST"])
def workspace_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in from the public site: type the workspace address, go to its sign-in page."""
    form = WorkspaceSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_path = reverse("login", urlconf="config.urls_tenant")
        return redirect(workspace_url(form.cleaned_data["slug"], login_path))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "public/sign_in.html",
        {"form": form, "base_domain": settings.BASE_DOMAIN},
        status=status,
    )


@signup_rate_limit
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    form = SignupForm(
        request.POST or None,
        initial={
            "plan": request.GET.get("plan", ""),
            "language": language,
            "country": LANGUAGE_COUNTRY.get(language, ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = signup_start(
                SignupRequest(
                    company_name=data["company_name"],
                    slug=data["slug"],
                    admin_name=data["admin_name"],
                    admin_email=data["email"],
                    admin_password=data["password"],
                    plan_slug=data.get("plan") or "",
                    language=data["language"],
                    country=data["country"],
                )
            )
        except WorkspaceError as error:
            form.add_error("slug", str(error))
        else:
            request.session[SIGNUPS_SESSION_KEY] = [
                *request.session.get(SIGNUPS_SESSION_KEY, []),
                str(started.public_id),
            ]
            return redirect("signup_progress", public_id=started.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "public/signup.html", {"form": form}, status=status)


@require_GET
def slug_check(request: HttpRequest) -> HttpResponse:
    """Live availability check for the workspace address field (htmx)."""
    slug = request.GET.get("slug", "").strip().lower()
    problem = slug_problem(slug) if slug else None
    return render(
        request, "public/signup.html#slug-feedback", {"slug": slug, "slug_problem": problem}
    )


def _own_signup(request: HttpRequest, public_id: str) -> Signup:
    """The signup, only for the browser that started it (404 otherwise)."""
    if str(public_id) not in request.session.get(SIGNUPS_SESSION_KEY, []):
        raise Http404
    return Signup.objects.select_related("tenant").get(public_id=public_id)


@require_GET
def signup_progress(request: HtmxHttpRequest, public_id: str) -> HttpResponse:
    signup = _own_signup(request, public_id)
    if signup.status == SignupStatus.READY and not request.htmx:
        return redirect(_onward_url(signup))
    return render(request, "public/signup_progress.html", {"signup": signup})


@require_GET
def signup_status(request: HttpRequest, public_id: str) -> HttpResponse:
    """Polled by the progress page; sends the browser on once the workspace is ready."""
    signup = _own_signup(request, public_id)
    if signup.status == SignupStatus.READY:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _onward_url(signup)
        return response
    response = render(request, "public/signup_progress.html#signup-status", {"signup": signup})
    if signup.status == SignupStatus.FAILED:
        response.status_code = 286  # htmx stops polling on 286
    return response


def _onward_url(signup: Signup) -> str:
    """Into the workspace: signed in by a handoff while one is on offer, else its sign-in page."""
    token = signup_handoff_issue(signup=signup)
    if token is None:
        return workspace_url(signup.tenant, reverse("login", urlconf="config.urls_tenant"))
    path = reverse("handoff", urlconf="config.urls_tenant")
    return workspace_url(signup.tenant, f"{path}?token={token}")


@lookup_rate_limit
@require_http_methods(["GET", "POST"])
def workspace_lookup(request: HttpRequest) -> HttpResponse:
    """Find my workspace: the answer is the same whether or not the address has accounts."""
    form = WorkspaceLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace_lookup_email_job.enqueue(email=form.cleaned_data["email"])
        messages.info(
            request,
            _("If that address has any Rapport workspaces, we've emailed you the links."),
        )
        return redirect("workspace_lookup")
    return render(request, "public/workspace_lookup.html", {"form": form})
