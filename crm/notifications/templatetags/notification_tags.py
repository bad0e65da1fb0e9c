"""Template helpers of notifications: ``@mentions`` in note text."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from crm.notifications.mentions import mentions_html

register = template.Library()


@register.filter
def mentions(text: str) -> SafeString:
    """The text escaped, with ``@mentions`` highlighted (chain ``|linebreaksbr`` after it)."""
    return mentions_html(text)
