"""Fetch-and-authorize: one call that answers 404 for "missing" and "not yours" alike."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from crm.models import OwnedQuerySet

_M = TypeVar("_M", bound=models.Model)


def visible_or_404(queryset: OwnedQuerySet[_M], user: Any, pk: Any) -> _M:
    """The record ``pk`` if ``user`` may see it; a 404 otherwise, so ids cannot be probed."""
    try:
        return queryset.visible_to(user).get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def editable_or_404(queryset: OwnedQuerySet[_M], user: Any, pk: Any) -> _M:
    """The record ``pk`` if ``user`` may change it; a 404 otherwise.

    Views first refuse read-only users with a 403; this then hides records of other owners.
    """
    try:
        return queryset.editable_by(user).get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error
