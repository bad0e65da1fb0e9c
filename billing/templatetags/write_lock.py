"""Write controls in a read-only workspace: shown, disabled, with the reason.

Every page gets ``write_lock`` (``billing.context_processors.write_lock``): the billing
access when the workspace is read-only, else ``None``. Templates mark their write controls
with three tags and never test the state themselves:

- ``{% writable %}…{% endwritable %}`` around a form's controls: in a read-only workspace
  they sit in a ``<fieldset disabled>``, so no field takes input and no button submits;
- ``<a {% write_href url %} class="btn">`` for a link to a page that changes something (New,
  Edit, Convert): in a read-only workspace the link has no address and says why;
- ``{% write_lock_note %}`` next to a form's main button: the reason and the way to billing;
- ``{% writes_open can_write as flag %}`` where a script decides (the board's drag and drop).

The billing middleware still refuses every write, so a control a page forgets stays safe;
``tests/billing/test_write_controls.py`` walks every page to find one.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

#: The element that states the reason (the billing banner); disabled controls point at it.
REASON_ID = "write-lock-reason"


class WritableNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        content = self.nodelist.render(context)
        lock = context.get("write_lock")
        if not lock:
            return content
        return format_html(
            '<fieldset class="write-lock" disabled aria-describedby="{}" title="{}" '
            "data-write-locked>{}</fieldset>",
            REASON_ID,
            lock.reason,
            content,
        )


@register.tag
def writable(parser: Parser, token: Token) -> WritableNode:
    """Controls that change something: disabled, with the reason, in a read-only workspace."""
    nodelist = parser.parse(("endwritable",))
    parser.delete_first_token()
    return WritableNode(nodelist)


@register.simple_tag(takes_context=True)
def write_href(context: Context, *parts: Any) -> SafeString:
    """``href="url"``, or a link without an address that says why in a read-only workspace.

    The address may come in parts (``{% write_href url "?company=" record.pk %}``).
    """
    lock = context.get("write_lock")
    if not lock:
        return format_html('href="{}"', "".join(str(part) for part in parts))
    return format_html(
        'role="link" aria-disabled="true" aria-describedby="{}" title="{}" data-write-locked',
        REASON_ID,
        lock.reason,
    )


@register.simple_tag(takes_context=True)
def writes_open(context: Context, allowed: Any = True) -> bool:
    """``{% writes_open can_write as board_can_write %}``: whether a control driven by script
    (a drag on the board) may write: the role allows it and billing does not lock it."""
    return bool(allowed) and not context.get("write_lock")


@register.inclusion_tag("billing/_write_lock_note.html", takes_context=True)
def write_lock_note(context: Context) -> dict[str, Any]:
    """Why Save is disabled and where to go about it (nothing when writes are open)."""
    return {"write_lock": context.get("write_lock"), "user": context.get("user")}
