"""Rapport speaks English, 简体中文 and 繁體中文 on every page, and stays that way.

Generated from the URL confs: every page a signed-in admin can open on a workspace (the same
walk and records as the hostile-parameter test) and every public page is fetched in both
Chinese languages, and no English string of the catalogue may show through. The catalogues
themselves must be complete, and no template may hold text outside the translation tags.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django_tenants.utils import schema_context

from config.devenv.translations import catalogue_problems, untranslated_template_text
from crm.services.pipelines import pipeline_defaults_localize
from tests.conftest import Workspace
from tests.security.test_hostile_parameters import CASES, Case
from tests.security.test_hostile_parameters import signed_in_admin as signed_in_admin

LANGUAGES = ("zh-hans", "zh-hant")
PUBLIC_PAGES = ("/", "/pricing/", "/signup/", "/sign-in/", "/find-my-workspace/", "/ops/login/")
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
#: Catalogue strings that read the same in English and Chinese pages (names, codes).
SAME_IN_EVERY_LANGUAGE = frozenset({"English", "Rapport"})


@lru_cache(maxsize=1)
def english_strings() -> tuple[str, ...]:
    """English msgids a page would show if a translation fell back: phrases of 2+ words
    without placeholders or markup (shorter ones are too likely to be data)."""
    import polib

    from config.devenv.translations import LOCALE_DIR

    catalogue = polib.pofile(str(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    return tuple(
        entry.msgid
        for entry in catalogue
        if " " in entry.msgid.strip()
        and len(entry.msgid) >= 8
        and not re.search(r"%|\{|<|\n", entry.msgid)
        and entry.msgid not in SAME_IN_EVERY_LANGUAGE
        and entry.msgstr != entry.msgid
    )


def visible_text(content: bytes) -> str:
    text = HIDDEN.sub(" ", content.decode("utf-8", errors="replace"))
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


def english_shown(content: bytes) -> list[str]:
    text = visible_text(content)
    return [phrase for phrase in english_strings() if re.search(rf"\b{re.escape(phrase)}\b", text)]


def test_catalogues_are_complete() -> None:
    """Neither Chinese catalogue has an untranslated, fuzzy or obsolete entry."""
    assert [str(problem) for problem in catalogue_problems()] == []


def test_templates_hold_no_text_outside_translation_tags() -> None:
    """Visible template text is always inside {% translate %} or {% blocktranslate %}."""
    assert [str(item) for item in untranslated_template_text()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_fully_translated(path: str, language: str) -> None:
    """The public site in Chinese shows no English sentence of the catalogue."""
    response = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language).get(path)
    assert response.status_code == 200
    assert english_shown(response.content) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_workspace_page_is_fully_translated(
    alpha: Workspace, signed_in_admin: Client, case: Case, language: str
) -> None:
    """Every workspace page, in the workspace's Chinese, shows no English of the catalogue
    (the workspace's default pipeline named as a new workspace in that language gets it)."""
    alpha.tenant.language = language
    alpha.tenant.save(update_fields=["language"])
    with schema_context(alpha.schema):
        pipeline_defaults_localize(language=language)
    response = signed_in_admin.get(case.path)
    if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
        return
    if isinstance(response, StreamingHttpResponse):
        return
    assert english_shown(response.content) == []
