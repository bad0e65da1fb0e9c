"""Search never crosses workspaces: what alpha's records are found by finds nothing on beta,
and beta's own record with the same name is found there without alpha's."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from crm import services
from tests.conftest import sign_in
from tests.crm.search_people import make_people
from tests.factories import AdminFactory

TYPED = [
    "tom@bakerbakeries.example.com",
    "jadegarden",
    "+86 138 0013 8000",
    "https://jadegarden.cn/about",
    "Scmhidt",
    "陳大文",
    "zhangwei",
    "cdw",
    "大文",
]


@pytest.fixture
def beta_searcher(beta) -> Client:
    with schema_context(beta.schema):
        admin = AdminFactory.create()
    client = sign_in(Client(HTTP_HOST=beta.host), beta, admin)
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.mark.parametrize("typed", TYPED)
def test_beta_global_search_never_finds_alpha_records(alpha, beta_searcher, typed) -> None:
    """Typed on beta's host, alpha's e-mail, number, domain, name or pinyin finds nothing."""
    make_people(alpha)
    content = beta_searcher.get("/search/", {"q": typed}).content.decode()
    assert "data-search-result" not in content


@pytest.mark.parametrize("url", ["/contacts/", "/companies/", "/leads/", "/deals/list/"])
@pytest.mark.parametrize("typed", TYPED)
def test_beta_lists_never_find_alpha_records(alpha, beta_searcher, url, typed) -> None:
    """Beta's lists searched for alpha's records show none of them."""
    people = make_people(alpha)
    content = beta_searcher.get(url, {"q": typed}).content.decode()
    assert not any(record.get_absolute_url() in content for record in people.records.values())


def test_beta_finds_its_own_record_of_the_same_name_only(alpha, beta, beta_searcher) -> None:
    """Both workspaces have 陳大文: beta's search lists beta's, never alpha's."""
    make_people(alpha)
    with schema_context(beta.schema):
        beta_chen = services.contact_create(
            by=AdminFactory.create(), fields={"last_name": "陳大文"}
        )
    content = beta_searcher.get("/search/", {"q": "cdw"}).content.decode()
    assert f'href="{beta_chen.get_absolute_url()}"' in content
    assert content.count("data-search-result") == 1
