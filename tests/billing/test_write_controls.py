"""Generated: in a read-only workspace no page offers a write it would refuse.

Every GET route of the workspace URL conf is opened by a signed-in admin of a read-only
workspace holding one record of every kind (under ``RECORD_ID``, so ``<int:pk>`` finds one
whichever model the route reads). In each HTML page:

- every control of a form that posts to a refused URL is disabled (``{% writable %}``), and
  so is every control outside it that submits it (``form="…"``);
- every link to a page that changes something (a view behind ``write_required``) has no
  address (``{% write_href %}``);
- the deal board takes no drags and offers no moves.

A new page, form or link is covered without editing this file; the middleware refuses the
write anyway, this checks that nobody is invited to type something the server will refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.middleware import WRITE_ALLOWED_NAMESPACES, WRITE_ALLOWED_URL_NAMES
from crm.models import (
    Activity,
    Company,
    Contact,
    ContactCompany,
    Deal,
    DealContact,
    Lead,
    Pipeline,
    SavedView,
    Stage,
    StageKind,
    Tag,
)
from tenants.users.models import Invitation, Role, User
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace, sign_in

RECORD_ID = 515_151

#: Routes not opened here, each with the reason.
SKIPPED = {
    "logout": "signing out ends the session the other pages need",
    "handoff": "a sign-in hand-off, not a workspace page",
    "invitation_accept": "the page of someone who is not signed in yet",
}
#: Write pages that are also where a record is read, so links to them stay live (the page
#: shows its form disabled, with the reason).
RECORD_PAGES = {"activity_update": "an activity's only page is its form"}
#: Query strings some pages need to show their form.
QUERIES = {
    "contact_merge": f"?ids={RECORD_ID}&ids={RECORD_ID + 1}",
    "company_merge": f"?ids={RECORD_ID}&ids={RECORD_ID + 1}",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


# --- A small HTML tree -------------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator[Element]:
        for child in self.children:
            yield child
            yield from child.walk()

    @property
    def disabled(self) -> bool:
        return "disabled" in self.attrs or any(
            a.tag == "fieldset" and "disabled" in a.attrs for a in self.ancestors()
        )

    def describe(self) -> str:
        attrs = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k != "class")
        return f"<{self.tag} {attrs}>"[:160]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


# --- What counts as a write ---------------------------------------------------------------------


def refused_in_read_only(path: str) -> bool:
    """Whether the billing middleware refuses a POST to ``path`` in a read-only workspace."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    return match.url_name not in WRITE_ALLOWED_URL_NAMES and not (
        WRITE_ALLOWED_NAMESPACES.intersection(match.namespaces)
    )


def leads_to_a_write_page(href: str) -> bool:
    """Whether ``href`` opens a page that exists to change something (``write_required``)."""
    parts = urlsplit(href)
    if parts.netloc or not parts.path.startswith("/"):
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    if match.url_name in RECORD_PAGES:
        return False
    return bool(getattr(match.func, "requires_write", False))


SUBMITTING = {"input", "button", "select", "textarea"}


def violations(path: str, html: str) -> list[str]:
    root = parse(html)
    elements = list(root.walk())
    by_id = {e.attrs.get("id"): e for e in elements if e.attrs.get("id")}
    found = []
    for form in (e for e in elements if e.tag == "form"):
        if (form.attrs.get("method") or "get").lower() != "post":
            continue
        action = form.attrs.get("action") or path
        if not refused_in_read_only(action):
            continue
        controls = [e for e in form.walk() if e.tag in SUBMITTING]
        form_id = form.attrs.get("id")
        if form_id:
            controls += [e for e in elements if e.attrs.get("form") == form_id]
        for control in controls:
            if control.attrs.get("type") == "hidden" or control.disabled:
                continue
            found.append(f"{path}: enabled {control.describe()} in a form posting to {action}")
    for link in (e for e in elements if e.tag == "a" and e.attrs.get("href")):
        if leads_to_a_write_page(link.attrs["href"] or ""):
            found.append(f"{path}: live link {link.describe()}")
    board = by_id.get("board")
    if board is not None and board.attrs.get("data-can-write") != "0":
        found.append(f"{path}: the board takes drags")
    for control in elements:
        if "data-move-menu" in control.attrs and not control.disabled:
            found.append(f"{path}: enabled move control {control.describe()}")
    return found


# --- The workspace -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    namespaces: tuple[str, ...]

    @property
    def path(self) -> str:
        filled = re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: str(RECORD_ID) if m.group(1) == "int" else "contacts",
            self.pattern,
        )
        return "/" + filled + QUERIES.get(self.name, "")


def _walk(
    patterns: list[Any], prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), spaces)
        elif isinstance(entry, URLPattern):
            yield Route(entry.name or "", prefix + str(entry.pattern), namespaces)


ROUTES = [
    route
    for route in sorted(set(_walk(get_resolver("config.urls_tenant").url_patterns)), key=str)
    if route.name not in SKIPPED and not WRITE_ALLOWED_NAMESPACES.intersection(route.namespaces)
]


def _records(admin: User) -> None:
    """One record of every kind under ``RECORD_ID`` (two contacts and companies, to merge)."""
    User.objects.create(pk=RECORD_ID, email="mate@alpha.example", role=Role.REP)
    Invitation.objects.create(
        pk=RECORD_ID,
        email="invitee@alpha.example",
        token_hash="1" * 64,
        invited_by=admin,
        expires_at=timezone.now() + timedelta(days=1),
    )
    tag = Tag.objects.create(pk=RECORD_ID, name="locked")
    pipeline = Pipeline.objects.create(pk=RECORD_ID, name="Locked pipeline", position=0)
    stage = Stage.objects.create(pk=RECORD_ID, pipeline=pipeline, name="Open", position=0)
    Stage.objects.create(pipeline=pipeline, name="Won", kind=StageKind.WON, position=1)
    Stage.objects.create(pipeline=pipeline, name="Lost", kind=StageKind.LOST, position=2)
    company = Company.objects.create(pk=RECORD_ID, name="Locked Ltd", owner=admin)
    Company.objects.create(pk=RECORD_ID + 1, name="Locked Ltd.", owner=admin)
    contact = Contact.objects.create(pk=RECORD_ID, last_name="Locked", owner=admin)
    Contact.objects.create(pk=RECORD_ID + 1, last_name="Locked", owner=admin)
    Lead.objects.create(pk=RECORD_ID, name="Locked lead", owner=admin)
    deal = Deal.objects.create(
        pk=RECORD_ID, title="Locked deal", pipeline=pipeline, stage=stage, owner=admin
    )
    deal.tags.add(tag)
    Activity.objects.create(
        pk=RECORD_ID, kind="call", subject="Locked call", owner=admin, contact=contact
    )
    ContactCompany.objects.create(pk=RECORD_ID, contact=contact, company=company)
    DealContact.objects.create(pk=RECORD_ID, deal=deal, contact=contact)
    SavedView.objects.create(pk=RECORD_ID, owner=admin, list_type="contact", name="Locked")


@pytest.fixture
def read_only_admin(alpha: Workspace) -> Client:
    """A signed-in admin of a read-only workspace (its trial has ended) with every record."""
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() - timedelta(minutes=1))
    with schema_context(alpha.schema):
        admin = User.objects.create_user(email="locked-admin@alpha.example", role=Role.ADMIN)
        _records(admin)
    return sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)


def _page(client: Client, route: Route) -> str | None:
    """The page's HTML, or ``None`` when the route is no HTML page on GET."""
    response = client.get(route.path)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode()


# --- The tests ----------------------------------------------------------------------------------


def test_the_checker_finds_an_enabled_form_and_a_live_link() -> None:
    """The parser sees what a page that forgot the tags would offer."""
    html = (
        '<form method="post" action="/contacts/new/"><input name="last_name">'
        '<button>Save</button></form><a href="/deals/new/">New deal</a>'
        '<form method="post" action="/logout/"><button>Sign out</button></form>'
        '<fieldset disabled><form method="post" action="/deals/1/delete/"><button>x</button>'
        "</form></fieldset>"
    )
    assert len(violations("/", html)) == 3


def test_the_generated_pages_cover_forms_details_board_and_settings(read_only_admin) -> None:
    opened = {route.name for route in ROUTES if _page(read_only_admin, route) is not None}
    assert {
        "contact_create",
        "deal_update",
        "contact_detail",
        "deal_detail",
        "lead_detail",
        "activity_update",
        "deals",
        "contacts",
        "deal_lost",
        "lead_convert",
        "contact_merge",
        "pipeline_settings",
        "custom_field_settings",
        "crm_settings",
        "users_settings",
        "dashboard",
    } <= opened


@pytest.mark.parametrize("route", ROUTES, ids=[route.name or route.pattern for route in ROUTES])
def test_no_page_offers_a_write_in_a_read_only_workspace(read_only_admin, route: Route) -> None:
    html = _page(read_only_admin, route)
    if html is None:
        return
    assert violations(route.path, html) == []
