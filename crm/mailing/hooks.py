"""What a feature does when its e-mail is sent, not sent, or fails for good.

A feature registers a hook next to its jobs (in its ``tasks`` module, which every worker
imports) and names it when it records an e-mail::

    @mail_hook("sales.quote")
    def quote_mailed(*, email: OutboundEmail, status: str, quote_id: int) -> None: ...

The hook runs in the transaction that records the outcome, so a quote is marked sent
together with its e-mail, or neither is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm.mailing.models import OutboundEmail

MailHook = Callable[..., None]

_HOOKS: dict[str, MailHook] = {}


class UnknownMailHookError(LookupError):
    """An e-mail names a hook no app registers (renamed or removed)."""


def mail_hook(name: str) -> Callable[[MailHook], MailHook]:
    """Register ``func(*, email, status, **hook_args)`` as the hook called ``name``."""

    def register(func: MailHook) -> MailHook:
        _HOOKS[name] = func
        return func

    return register


def mail_hook_get(name: str) -> MailHook:
    if name not in _HOOKS:
        from core.jobs.registry import handlers_autodiscover

        handlers_autodiscover()
    try:
        return _HOOKS[name]
    except KeyError:
        raise UnknownMailHookError(f"No e-mail hook is registered as {name!r}.") from None


def mail_hook_call(email: OutboundEmail, status: str) -> None:
    """Tell the e-mail's feature what became of it (nothing when it named no hook)."""
    if not email.hook:
        return
    args: dict[str, Any] = dict(email.hook_args or {})
    mail_hook_get(email.hook)(email=email, status=status, **args)
