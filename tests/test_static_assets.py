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
