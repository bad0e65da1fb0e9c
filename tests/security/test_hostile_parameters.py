"""Generated: every workspace page answers hostile query parameters with a page or a 4xx.

The routes come from the workspace URL conf, so a new view is covered without editing this
file. Path parameters are filled with the id of real records: the test workspace holds one
record of every kind under the same id (``RECORD_ID``), so ``<int:pk>`` finds a record
whichever model the route reads, and the view runs past its fetch-and-authorize step.

Which query parameters a view reads is recorded during a plain GET of the page (every
lookup in ``request.GET`` and its copies: form fields, custom-field filters, raw reads).
Each parameter read is then sent alone with every hostile value, so a value one parameter
refuses cannot hide what another does with it. A view serving several routes (the lists
of every record type) has them isolated on its first route; its other routes isolate the
parameters the first did not read. Finally the parameters read, a standard set (search,
cursors, sort, page) and unknown keys get a different hostile value each in one request,
and invalid UTF-8 in another. The views run for a signed-in admin, and the test client
re-raises what a view lets escape, so a crash fails here with its parameter and value.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.http import QueryDict, StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.custom_fields import form_field_name
from crm.forms import ContactFilterForm
from crm.models import (
    Activity,
    Company,
    Contact,
    ContactCompany,
    CustomFieldDefinition,
    Deal,
    DealContact,
    FieldType,
    Lead,
    ObjectType,
    Pipeline,
    SavedView,
    Stage,
    Tag,
)
from crm.views.kinds import KINDS
from crm.views.records import LOOKUPS
from tenants.users.models import Invitation, Role, User
from tests.conftest import Workspace, sign_in

#: The id every record of the test workspace is created with.
RECORD_ID = 424_242

#: Routes this test leaves alone, each with the reason. Keep it short and reviewed.
SKIPPED: dict[str, str] = {
    "logout": "signing out ends the session the other requests need",
    "readiness": "answers 503 by design without a recent worker (tests/core/test_readiness.py)",
}

#: Values for path parameters that are not ids (ids are ``RECORD_ID``).
PATH_STRINGS: dict[str, list[str]] = {"kind": sorted(LOOKUPS)}

#: Query parameters every page receives, whether or not its view reads them.
STANDARD_PARAMETERS = ("q", "after", "before", "cursor", "sort", "page", "unknown_key")


def _cursor(json_text: str) -> str:
    """A list cursor token whose JSON text is ``json_text`` (as the lists encode theirs)."""
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


#: Hostile values sent to each parameter a view reads, on its own. Named for failure messages.
ISOLATED_VALUES: dict[str, str] = {
    "nul byte": "a\x00b",
    "1e999": "1e999",
    "10**400": str(10**400),
    "10k digits (overlong, beyond int())": "9" * 10_001,
    "Infinity": "Infinity",
    "superscript digits": "\u00b2\u00b3",
    'cursor ["a", Infinity]': _cursor('["a", Infinity]'),
    "cursor 1e999": _cursor("1e999"),
    "cursor of wrong types": _cursor('[{"a": [1]}, true]'),
    "cursor with a nul byte": _cursor('["\\u0000", 1]'),
    "unicode oddities": "\u202ee\u0301\U0001f600\ufeff\uffff",
}
#: Further hostile values, sent together among all the parameters of a page.
PACKED_VALUES: dict[str, str] = {
    **ISOLATED_VALUES,
    "only a nul byte": "\x00",
    "-Infinity": "-Infinity",
    "NaN": "NaN",
    "out-of-range date": "99999-12-31",
    "negative": "-1",
    "full-width digits": "\uff11\uff12",
    "overlong text": "x" * 10_001,
    "malformed base64": "!!!not*base64~",
    "cursor with a huge id": _cursor(f'["a", {10**400}]'),
    "cursor of booleans": _cursor("[true, true]"),
    "cursor of three items": _cursor('["a", 1, 2]'),
    "query syntax": '\' OR 1=1 --%_\\{"$gt": ""}',
}
#: Sent as raw query-string bytes for every parameter: percent-encoded invalid UTF-8.
RAW_INVALID_UTF8 = "%ff%fe%00"


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: Callable[..., Any]

    def path(self, strings: dict[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            return str(RECORD_ID) if converter == "int" else strings.get(name, "dummy")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.pattern)


@dataclass(frozen=True)
class Case:
    """One page: a route with its path filled, and the first page of the same view."""

    route: Route
    path: str
    first_of_view: str | None

    @property
    def id(self) -> str:
        kind = self.path.rstrip("/").rsplit("/", 1)[-1] if self.route.name == "lookup" else ""
        return "-".join(filter(None, [self.route.name or self.route.pattern, kind]))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(entry.name or "", prefix + str(entry.pattern), entry.callback)


def _cases() -> list[Case]:
    """Every route of the workspace host, once per value of its non-id path parameters."""
    cases: list[Case] = []
    first_path: dict[Any, str] = {}
    routes = sorted(_walk(get_resolver("config.urls_tenant").url_patterns), key=lambda r: r.pattern)
    for route in routes:
        if route.name in SKIPPED:
            continue
        names = [n for n in re.findall(r"<(?:str:)?(\w+)>", route.pattern) if n in PATH_STRINGS]
        fillings = [{name: value} for name in names for value in PATH_STRINGS[name]] or [{}]
        for strings in fillings:
            path = route.path(strings)
            first = first_path.setdefault(route.view, path)
            cases.append(Case(route, path, None if first == path else first))
    return cases


CASES = _cases()


# --- The workspace's records, all under RECORD_ID ---------------------------------------------


def _custom_fields() -> None:
    """One custom field of every type, spread over the record types that have them."""
    types = [ObjectType.COMPANY, ObjectType.CONTACT, ObjectType.LEAD, ObjectType.DEAL]
    for index, field_type in enumerate(FieldType.values):
        CustomFieldDefinition.objects.create(
            pk=RECORD_ID if index == 0 else None,
            object_type=types[index % len(types)],
            key=f"hostile_{field_type}",
            label=f"Hostile {field_type}",
            field_type=field_type,
            choices=["A", "B"] if "choice" in field_type else [],
            show_in_list=True,
        )


def _records(admin: User) -> None:
    """One record of every kind a route reads by id, each with ``RECORD_ID``."""
    User.objects.create(pk=RECORD_ID, email="teammate@alpha.example", role=Role.REP)
    Invitation.objects.create(
        pk=RECORD_ID,
        email="invitee@alpha.example",
        token_hash="0" * 64,
        invited_by=admin,
        expires_at=timezone.now() + timedelta(days=1),
    )
    tag = Tag.objects.create(pk=RECORD_ID, name="hostile")
    pipeline = Pipeline.objects.create(pk=RECORD_ID, name="Hostile pipeline")
    stage = Stage.objects.create(pk=RECORD_ID, pipeline=pipeline, name="Hostile stage")
    company = Company.objects.create(pk=RECORD_ID, name="Hostile Ltd", owner=admin)
    contact = Contact.objects.create(pk=RECORD_ID, last_name="Hostile", owner=admin)
    lead = Lead.objects.create(pk=RECORD_ID, name="Hostile lead", owner=admin)
    deal = Deal.objects.create(
        pk=RECORD_ID, title="Hostile deal", pipeline=pipeline, stage=stage, owner=admin
    )
    for record in (company, contact, lead, deal):
        record.tags.add(tag)
    Activity.objects.create(pk=RECORD_ID, kind="call", subject="Hostile call", owner=admin)
    ContactCompany.objects.create(pk=RECORD_ID, contact=contact, company=company)
    DealContact.objects.create(pk=RECORD_ID, deal=deal, contact=contact)
    SavedView.objects.create(pk=RECORD_ID, owner=admin, list_type="contact", name="Hostile")
    _custom_fields()


@pytest.fixture
def signed_in_admin(alpha: Workspace) -> Client:
    """A signed-in admin of a workspace holding one record of every kind under ``RECORD_ID``."""
    with schema_context(alpha.schema):
        admin = User.objects.create_user(email="hostile-admin@alpha.example", role=Role.ADMIN)
        _records(admin)
    return sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)


# --- Requests -----------------------------------------------------------------------------------


@contextmanager
def _recording_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The keys looked up in any ``QueryDict`` (``request.GET`` and its copies) meanwhile."""
    read: set[str] = set()

    def recorded(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: QueryDict, key: str, *args: Any, **kwargs: Any) -> Any:
            read.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    with monkeypatch.context() as patch:
        for name in ("__getitem__", "_getlist", "__contains__"):
            patch.setattr(QueryDict, name, recorded(getattr(QueryDict, name)))
        yield read


def _get(client: Client, path: str, query: str) -> str | None:
    """``None`` when the page answered below 500, else what went wrong."""
    try:
        # A savepoint per request: a database error must not poison the requests after it.
        with transaction.atomic():
            response = client.get(f"{path}?{query}")
            if isinstance(response, StreamingHttpResponse):  # exports fail while streaming
                b"".join(response.streaming_content)
    except Exception as error:  # any exception a view lets escape is the finding
        return f"{type(error).__name__}: {str(error)[:120]}"
    if response.status_code >= 500:
        return f"status {response.status_code}"
    return None


def _reads(client: Client, monkeypatch: pytest.MonkeyPatch, path: str) -> set[str]:
    """The query parameters the page's view reads on a plain GET (which must not fail)."""
    with _recording_reads(monkeypatch) as read:
        problem = _get(client, path, "")
    assert problem is None, (path, problem)
    return read


def _packed_queries(parameters: list[str]) -> Iterator[tuple[str, str]]:
    """Two query strings: every packed value at once, and invalid UTF-8 everywhere.

    In the first, each parameter gets one value and every value goes to some parameter
    (unknown keys take the values left over; with more parameters than values, values
    repeat).
    """
    names = parameters + [f"unknown_{n}" for n in range(len(PACKED_VALUES) - len(parameters))]
    values = list(PACKED_VALUES.values())
    yield "a different value each", urlencode(dict(zip(names, values * len(names), strict=False)))
    yield "invalid utf-8", "&".join(f"{name}={RAW_INVALID_UTF8}" for name in parameters)


# --- The tests -----------------------------------------------------------------------------------


def test_the_generated_cases_cover_lists_search_lookups_boards_and_exports() -> None:
    """The URL conf walk finds the pages most exposed to crafted query strings."""
    names = {case.route.name for case in CASES}
    expected = {"search", "lookup", "deals", "deal_board", "deal_column_more", "audit_log"}
    expected |= {spec.list_url_name for spec in KINDS.values()}
    expected |= {f"{key}_export" for key in KINDS}
    assert expected <= names
    assert {case.id for case in CASES if case.route.name == "lookup"} == {
        f"lookup-{kind}" for kind in LOOKUPS
    }


def test_the_recorded_reads_of_a_list_hold_its_filters_and_custom_fields(
    alpha: Workspace, signed_in_admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parameter discovery sees every filter of the contact list, custom fields included."""
    with schema_context(alpha.schema):
        custom = {
            form_field_name(d) for d in CustomFieldDefinition.objects.for_type(ObjectType.CONTACT)
        }
    reads = _reads(signed_in_admin, monkeypatch, "/contacts/")
    assert set(ContactFilterForm.base_fields) | custom <= reads


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_query_parameters_never_cause_a_server_error(
    signed_in_admin: Client, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    """Every parameter, with every hostile value, answers a page or a 4xx, never a 5xx."""
    reads = _reads(signed_in_admin, monkeypatch, case.path)
    isolated = reads
    if case.first_of_view is not None:
        isolated = reads - _reads(signed_in_admin, monkeypatch, case.first_of_view)
    failures = []
    for parameter in sorted(isolated):
        for label, value in ISOLATED_VALUES.items():
            if problem := _get(signed_in_admin, case.path, urlencode({parameter: value})):
                failures.append(f"{parameter} = {label}: {problem}")
    for labels, query in _packed_queries(sorted(reads | set(STANDARD_PARAMETERS))):
        if problem := _get(signed_in_admin, case.path, query):
            failures.append(f"all parameters, {labels}: {problem}")
    assert failures == [], "\n".join([case.path, *failures])
