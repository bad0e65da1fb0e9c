"""Every static file a template references exists, so no page renders unstyled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def _referenced_static_paths() -> list[tuple[str, str]]:
    templates = Path(settings.BASE_DIR) / "templates"
    return [
        (str(path.relative_to(templates)), match)
        for path in sorted(templates.rglob("*.html"))
        for match in STATIC_TAG.findall(path.read_text())
    ]


@pytest.mark.parametrize(("template", "static_path"), _referenced_static_paths())
def test_static_file_exists(template: str, static_path: str) -> None:
    assert finders.find(static_path), f"{template} references missing static file {static_path}"


def test_every_icon_used_is_in_the_icon_subset() -> None:
    """A ``ti-*`` icon named anywhere in the source is in the slim icon font (`make icons`)."""
    from config.devenv.icons import SUBSET_DIR, icon_codepoints, icons_used

    subset = set(icon_codepoints(SUBSET_DIR / "tabler-icons.min.css"))
    missing = sorted(icons_used() - subset)
    assert not missing, f"run `make icons`: the icon font lacks {', '.join(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "alpha.localhost"])
def test_favicon_is_served_on_every_host(host: str) -> None:
    """Browsers ask every host for /favicon.ico; it leads to the icon, never a 404."""
    from django.test import Client

    response = Client(HTTP_HOST=host).get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("/static/favicon.ico")
