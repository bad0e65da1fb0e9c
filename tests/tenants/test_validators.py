"""Workspace slugs are safe DNS labels that cannot impersonate the provider."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenants.validators import validate_workspace_slug


@pytest.mark.parametrize("slug", ["acme", "acme-sales", "a1b", "x" * 40, "2024-crm"])
def test_valid_slugs_pass(slug: str) -> None:
    validate_workspace_slug(slug)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "too_short"),
        ("x" * 41, "too_long"),
        ("acme_sales", "invalid_characters"),
        ("Acme", "invalid_characters"),
        ("-acme", "invalid_characters"),
        ("acme-", "invalid_characters"),
        ("acme.sales", "invalid_characters"),
        ("xn--acme", "double_hyphen"),
        ("www", "reserved"),
        ("ops", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
        ("static", "reserved"),
        ("public", "reserved"),
    ],
)
def test_invalid_slugs_are_rejected_with_a_specific_reason(slug: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_workspace_slug(slug)
    assert error.value.code == code
