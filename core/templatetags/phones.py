"""``{{ number|phone }}``: a stored E.164 number as the reader dials it."""

from __future__ import annotations

from django import template

from core.phones import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return phone_display(str(value or ""))
