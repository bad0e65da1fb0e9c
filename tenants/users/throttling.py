"""Sign-in throttling: a budget per client IP across all workspaces, and a lockout per account.

**Per IP** (``LOGIN_RATE_LIMIT``): every sign-in POST takes one from the IP's budget before the
password is checked, and a successful sign-in gives it back, so the budget counts failures
and a burst of parallel guesses cannot slip past it. The budget lives in the global cache
(keys without the schema, see :mod:`tenants.global_cache`): one budget per IP for every
workspace and the ops console together.

**Per account** (the current schema plus the email as typed, whether or not such a user
exists, so a lockout reveals nothing): every admitted attempt is counted as a failure up
front and only a successful sign-in clears the count, so parallel attempts cannot slip past
either. After ``LOGIN_LOCKOUT_THRESHOLD`` failures each further attempt waits
``LOGIN_LOCKOUT_BASE_SECONDS`` after the last, doubling with each failure up to
``LOGIN_LOCKOUT_MAX_SECONDS``, and only one attempt is let through per wait. Failures are
forgotten ``LOGIN_LOCKOUT_DECAY_SECONDS`` after the last one. When the lockout starts, the
account's owner gets one email.

An attacker who keeps failing once per wait could keep an account locked for as long as they
like. Browsers the user signed in with before therefore carry a signed, HttpOnly device
cookie bound to the account, and are exempt from its lockout (OWASP's "device cookies"):
their own failures are counted against the cookie, which stops counting as trusted after
``LOGIN_LOCKOUT_THRESHOLD`` of them.

Times come from ``timezone.now()`` and are stored with the counts; cache expiry only clears
what is no longer needed.

While Redis is away the per-IP budget is counted in PostgreSQL (:mod:`tenants.ratelimits`),
so sign-in stays limited; the per-account lockout, kept in the schema's cache, reads as no
failures and fails open (logged) until Redis returns.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenants.connection import current_schema_name
from tenants.ratelimits import Rate, budget_refund, budget_spend
from tenants.users.models import User, normalize_email

LOGIN_IP_SCOPE = "login-ip"
DEVICE_COOKIE_NAME = "rapport_device"
DEVICE_COOKIE_MAX_AGE = timedelta(days=180)
_DEVICE_SALT = "rapport.login-device"


class LoginBudgetSpentError(Exception):
    """The client IP has used up its sign-in budget (``LOGIN_RATE_LIMIT``)."""


@dataclass(frozen=True)
class LoginAttempt:
    """One admitted (or held back) sign-in POST, carried from admission to its outcome."""

    ip: str
    schema_name: str
    email: str
    account: str
    #: The nonce of a trusted device cookie for this account, if the browser presented one.
    device: str | None
    #: Seconds until the account accepts another attempt; 0 when this one was admitted.
    wait_seconds: int = 0

    @property
    def admitted(self) -> bool:
        return self.wait_seconds == 0


@dataclass(frozen=True)
class _AccountState:
    failures: int
    last_failure: float | None


def login_attempt_admit(*, ip: str, email: str, device_token: str = "") -> LoginAttempt:
    """Decide whether a sign-in attempt may check the password.

    Raises :class:`LoginBudgetSpentError` when the IP's budget is spent. Otherwise returns the
    attempt; ``wait_seconds`` > 0 means the account is locked for this browser and the
    password must not be checked.
    """
    if not budget_spend(scope=LOGIN_IP_SCOPE, value=ip, rate=_ip_rate()):
        raise LoginBudgetSpentError
    schema_name = current_schema_name()
    email = normalize_email(email)
    account = _account_id(schema_name, email)
    device = _trusted_device(device_token, account)
    wait = 0 if device is not None else _account_admit(account)
    return LoginAttempt(ip, schema_name, email, account, device, wait)


def login_attempt_failed(*, attempt: LoginAttempt) -> None:
    """Record a wrong password (already counted on admission); email once the lockout starts."""
    if attempt.device is not None:
        _counter_incr(_device_key(attempt.device))
        return
    state = _account_state(attempt.account)
    if state.failures >= settings.LOGIN_LOCKOUT_THRESHOLD and cache.add(
        _account_key(attempt.account, "notified"), True, timeout=_decay_seconds()
    ):
        _lockout_notify(email=attempt.email)


def login_attempt_succeeded(*, attempt: LoginAttempt) -> str:
    """Clear the account's failures and refund the IP; returns a new device cookie value."""
    budget_refund(scope=LOGIN_IP_SCOPE, value=attempt.ip, rate=_ip_rate())
    login_failures_forget(email=attempt.email)
    if attempt.device is not None:
        cache.delete(_device_key(attempt.device))
    payload = {"account": attempt.account, "nonce": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=_DEVICE_SALT)


def login_failures_forget(*, email: str) -> None:
    """Forget the failed sign-ins of an account of the current schema (success, new password)."""
    _account_forget(_account_id(current_schema_name(), normalize_email(email)))


def lockout_delay_seconds(failures: int) -> int:
    """How long an account waits after its ``failures``-th failure: 0 below the threshold."""
    over = failures - int(settings.LOGIN_LOCKOUT_THRESHOLD)
    if over < 0:
        return 0
    doubled = int(settings.LOGIN_LOCKOUT_BASE_SECONDS) * 2 ** min(over, 32)
    return min(doubled, int(settings.LOGIN_LOCKOUT_MAX_SECONDS))


def _account_admit(account: str) -> int:
    """Count the attempt as a failure up front and admit it, or return the seconds to wait."""
    now = timezone.now().timestamp()
    state = _account_state(account, now=now)
    if state.failures < settings.LOGIN_LOCKOUT_THRESHOLD:
        admitted = _counter_incr(_account_key(account, "failures"))
        if admitted <= settings.LOGIN_LOCKOUT_THRESHOLD:
            cache.set(_account_key(account, "last"), now, timeout=_decay_seconds())
            return 0
        _counter_incr(_account_key(account, "failures"), -1)  # parallel attempts got there first
        return lockout_delay_seconds(admitted - 1)
    last = state.last_failure if state.last_failure is not None else now
    wait = last + lockout_delay_seconds(state.failures) - now
    if wait > 0:
        return max(1, round(wait))
    turn = _account_key(account, f"turn:{state.failures}:{last}")
    if not cache.add(turn, True, timeout=int(settings.LOGIN_LOCKOUT_MAX_SECONDS)):
        return lockout_delay_seconds(state.failures + 1)  # another attempt took this turn
    _counter_incr(_account_key(account, "failures"))
    cache.set(_account_key(account, "last"), now, timeout=_decay_seconds())
    return 0


def _account_state(account: str, *, now: float | None = None) -> _AccountState:
    """The account's failures, or none once the last is older than the decay period."""
    values: dict[str, Any] = cache.get_many(
        [_account_key(account, "failures"), _account_key(account, "last")]
    )
    failures = int(values.get(_account_key(account, "failures")) or 0)
    last = values.get(_account_key(account, "last"))
    now = timezone.now().timestamp() if now is None else now
    if last is not None and now - float(last) >= _decay_seconds():
        _account_forget(account)
        return _AccountState(0, None)
    return _AccountState(failures, None if last is None else float(last))


def _account_forget(account: str) -> None:
    cache.delete_many([_account_key(account, part) for part in ("failures", "last", "notified")])


def _trusted_device(token: str, account: str) -> str | None:
    """The device cookie's nonce, if it is genuine, for this account and still trusted."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("account") != account:
        return None
    nonce = str(payload.get("nonce", ""))
    failures = int(cache.get(_device_key(nonce)) or 0)
    return nonce if nonce and failures < settings.LOGIN_LOCKOUT_THRESHOLD else None


def _lockout_notify(*, email: str) -> None:
    """Tell the account's owner, if the account exists, that sign-in to it is paused.

    Recorded as a job and sent at once (a failed sign-in commits nothing else to wait for).
    """
    from tenants.users.tasks import login_lockout_email_job

    user_id = (
        User.objects.filter(email__iexact=email, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is not None:
        login_lockout_email_job.enqueue(schema_name=current_schema_name(), user_id=int(user_id))


def _counter_incr(key: str, delta: int = 1) -> int:
    """Atomic add on a counter in the (schema-scoped) default cache that decays."""
    if delta > 0 and cache.add(key, delta, timeout=_decay_seconds()):
        return delta
    try:
        count = int(cache.incr(key, delta))
    except ValueError:  # expired meanwhile
        if delta <= 0:
            return 0
        cache.set(key, delta, timeout=_decay_seconds())
        return delta
    cache.touch(key, timeout=_decay_seconds())
    return count


def _account_id(schema_name: str, email: str) -> str:
    """An opaque id for (schema, email): cache keys and cookies never hold the address."""
    return salted_hmac("rapport.login-account", f"{schema_name}:{email}").hexdigest()


def _account_key(account: str, part: str) -> str:
    return f"login-lockout:{account}:{part}"


def _device_key(nonce: str) -> str:
    return f"login-device:{nonce}:failures"


def _decay_seconds() -> int:
    return int(settings.LOGIN_LOCKOUT_DECAY_SECONDS)


def _ip_rate() -> Rate:
    return Rate.from_setting("LOGIN_RATE_LIMIT")
