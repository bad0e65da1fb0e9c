"""The public signup form, its live address check, and the progress page."""

from __future__ import annotations

import pytest
from django.test import Client

from onboarding.signups.models import Signup
from tenants.models import Tenant
from tenants.pool import pool_tenant_create

pytestmark = pytest.mark.django_db

VALID = {
    "company_name": "Acme Widgets",
    "slug": "acme-widgets",
    "admin_name": "Ada Admin",
    "email": "ada@acme.example",
    "password": "a-long-passphrase",
    "plan": "growth",
    "country": "DE",
    "language": "en",
}


@pytest.fixture
def public() -> Client:
    return Client(HTTP_HOST="localhost")


def test_landing_page_lists_the_plans_from_plan_data(public: Client) -> None:
    response = public.get("/")
    for name in (b"Starter", b"Growth", b"Pro"):
        assert name in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "ab", "at least 3 characters"),
        ("slug", "acme_widgets", "lowercase letters, digits and hyphens"),
        ("slug", "www", "reserved"),
        ("slug", "a" * 41, "at most 40 characters"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("password", "123", "too short"),
        ("password", "password123", "too common"),
        ("company_name", "", "This field is required"),
        ("admin_name", "", "This field is required"),
    ],
)
def test_invalid_field_gets_a_specific_error_and_keeps_the_input(
    public: Client, field: str, value: str, message: str
) -> None:
    response = public.post("/signup/", {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b'value="Acme Widgets"' in response.content or field == "company_name"
    assert Signup.objects.count() == 0


def test_taken_address_is_reported(public: Client, alpha) -> None:
    response = public.post("/signup/", {**VALID, "slug": "alpha"})
    assert response.status_code == 400
    assert b"already taken" in response.content


def test_live_check_says_available(public: Client) -> None:
    response = public.get("/signup/check-address/", {"slug": "brand-new"}, HTTP_HX_REQUEST="true")
    assert b"brand-new.localhost is available" in response.content
    assert b"<html" not in response.content


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("alpha", "already taken"),
        ("admin", "reserved"),
        ("Bad_Slug", "lowercase"),
        ("ab", "at least"),
    ],
)
def test_live_check_explains_the_problem(public: Client, alpha, slug: str, message: str) -> None:
    response = public.get("/signup/check-address/", {"slug": slug}, HTTP_HX_REQUEST="true")
    assert message in response.content.decode()


def test_signup_with_a_pooled_schema_goes_straight_to_the_workspace(public: Client) -> None:
    pool_tenant_create()
    response = public.post("/signup/", VALID, follow=False)
    progress_url = response["Location"]
    assert progress_url.startswith("/signup/")
    status = public.get(progress_url + "status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"].startswith("http://acme-widgets.localhost:8000/handoff/?token=")


def test_handoff_from_signup_signs_the_admin_in(public: Client) -> None:
    """Signed in, the new admin's first visit opens the guided start, then the dashboard."""
    pool_tenant_create()
    progress_url = public.post("/signup/", VALID)["Location"]
    handoff = public.get(progress_url + "status/", HTTP_HX_REQUEST="true")["HX-Redirect"]
    path = handoff.split(":8000", 1)[1]
    workspace = Client(HTTP_HOST="acme-widgets.localhost")
    assert workspace.get(path).status_code == 302
    assert workspace.get("/")["Location"] == "/start/"
    assert b"Welcome, Ada" in workspace.get("/").content


def test_progress_page_shows_waiting_while_provisioning(
    public: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        progress_url = public.post("/signup/", VALID)["Location"]
    response = public.get(progress_url)
    assert b'data-status="waiting"' in response.content
    assert b"every 400ms" in response.content


def test_another_browser_cannot_follow_someone_elses_signup(public: Client) -> None:
    pool_tenant_create()
    progress_url = public.post("/signup/", VALID)["Location"]
    stranger = Client(HTTP_HOST="localhost")
    assert stranger.get(progress_url).status_code == 404
    assert stranger.get(progress_url + "status/").status_code == 404


def test_signup_form_is_rate_limited_per_ip(public: Client, settings) -> None:
    settings.SIGNUP_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert public.post("/signup/", {**VALID, "slug": "ab"}).status_code == 400
    response = public.post("/signup/", {**VALID, "slug": "ab"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_login_is_rate_limited_per_ip(alpha_client: Client, settings) -> None:
    settings.LOGIN_RATE_LIMIT = "2/m"
    for _ in range(2):
        alpha_client.post("/login/", {"username": "x@example.com", "password": "wrong"})
    response = alpha_client.post("/login/", {"username": "x@example.com", "password": "wrong"})
    assert response.status_code == 429


def test_failed_signup_keeps_no_tenant(public: Client) -> None:
    public.post("/signup/", {**VALID, "password": "1"})
    assert not Tenant.objects.filter(slug="acme-widgets").exists()
