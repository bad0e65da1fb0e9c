"""Customer-care touches: a task for the owner on the occasions customers remember.

Once a day (``automation.care_touches``, through ``tenants.periodic_dispatch``: active,
writable workspaces only) each kind the workspace turned on makes its tasks:

- **birthdays** of contacts, ``days`` before;
- **customer anniversaries**, a year and more after a company's (or a contact's, for deals
  without a company) first won deal, ``days`` before;
- **public holidays** of the customer's country from the ``holidays`` library (lunar ones
  such as the Spring Festival and the Mid-Autumn Festival included), ``days`` before; a
  customer without a recognised country takes the workspace's country;
- **keep in touch**: a customer with no activity for ``days`` days gets a follow-up;
- **after a won deal**: a thank-you ``days`` after the win (wins up to a week older than
  that are caught up, older history is not).

A :class:`CareTouchRecord` per kind, customer and occasion (unique) makes a re-run, or a
second worker, create nothing twice. At most ``AUTOMATION_CARE_MAX_PER_RUN`` tasks per kind
and run; the rest come the next day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, QuerySet, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.automation.models import (
    VALUE_AUDIENCES,
    Audience,
    CareKind,
    CareTouch,
    CareTouchRecord,
)
from crm.insights.flags import ValueCondition, filter_by_value
from crm.models import ActivityKind, Company, Contact, Deal
from crm.selectors.money import convert

#: Holiday groups a workspace may pick: label, and words of the English holiday names.
HOLIDAY_GROUPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "spring_festival": (
        gettext_lazy("Spring Festival (Chinese New Year)"),
        ("spring festival", "chinese new year", "lunar new year"),
    ),
    "mid_autumn": (gettext_lazy("Mid-Autumn Festival"), ("mid-autumn",)),
    "dragon_boat": (gettext_lazy("Dragon Boat Festival"), ("dragon boat",)),
    "national_day": (gettext_lazy("National Day"), ("national day",)),
    "christmas": (gettext_lazy("Christmas"), ("christmas",)),
    "new_year": (gettext_lazy("New Year's Day"), ("new year's day",)),
}

#: Country names as customers' records spell them, to ISO codes (codes are read as they are).
COUNTRY_NAMES = {
    "cn": ("china", "prc", "mainland china", "people's republic of china", "中国", "中國",
           "中华人民共和国"),
    "tw": ("taiwan", "台湾", "台灣", "臺灣"),
    "hk": ("hong kong", "香港"),
    "mo": ("macau", "macao", "澳门", "澳門"),
    "sg": ("singapore", "新加坡"),
    "my": ("malaysia", "马来西亚", "馬來西亞"),
    "jp": ("japan", "日本"),
    "kr": ("south korea", "korea", "韩国", "韓國", "南韩", "南韓"),
    "vn": ("vietnam", "viet nam", "越南"),
    "th": ("thailand", "泰国", "泰國"),
    "in": ("india", "印度"),
    "us": ("united states", "usa", "united states of america", "america", "美国", "美國"),
    "ca": ("canada", "加拿大"),
    "gb": ("united kingdom", "uk", "great britain", "england", "英国", "英國"),
    "de": ("germany", "deutschland", "德国", "德國"),
    "fr": ("france", "法国", "法國"),
    "it": ("italy", "意大利", "義大利"),
    "es": ("spain", "西班牙"),
    "nl": ("netherlands", "holland", "荷兰", "荷蘭"),
    "ch": ("switzerland", "瑞士"),
    "au": ("australia", "澳大利亚", "澳洲"),
    "nz": ("new zealand", "新西兰", "紐西蘭"),
}  # fmt: skip
_NAME_TO_CODE = {name: code.upper() for code, names in COUNTRY_NAMES.items() for name in names}


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    return frozenset(holiday_calendars.list_supported_countries())


def country_code(text: str, *, default: str = "") -> str:
    """The ISO code of a country as a record writes it (``CN``, ``China``, ``中国``)."""
    value = (text or "").strip()
    if value.upper() in _supported():
        return value.upper()
    code = _NAME_TO_CODE.get(value.casefold(), "")
    if code in _supported():
        return code
    return default.upper() if default.upper() in _supported() else ""


@lru_cache(maxsize=512)
def public_holidays(code: str, year: int) -> tuple[tuple[datetime.date, str], ...]:
    """Each public holiday of a country in a year, once, on its first day (eves and observed
    days left out), with its English name."""
    calendar = holiday_calendars.country_holidays(code, years=year, language="en_US")
    seen: dict[str, datetime.date] = {}
    for day, names in sorted(calendar.items()):
        for name in str(names).split("; "):
            if "observed" in name.casefold() or name.casefold().endswith(" eve"):
                continue
            if name.endswith("'s Eve"):
                continue
            seen.setdefault(name, day)
    return tuple(sorted((day, name) for name, day in seen.items()))


def holiday_group(name: str) -> str:
    """The group key of a holiday name, or ``""``."""
    folded = name.casefold()
    for key, (_label, words) in HOLIDAY_GROUPS.items():
        if any(word in folded for word in words):
            return key
    return ""


def holiday_label(name: str) -> str:
    group = holiday_group(name)
    return str(HOLIDAY_GROUPS[group][0]) if group else name


def _anniversary_day(day: datetime.date, year: int) -> datetime.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 2, 28)


# --- Audience ------------------------------------------------------------------------------------


def _won_totals(*, by: str) -> dict[int, Decimal]:
    """Won deals' total per company (``by="company"``) or contact, in the base currency."""
    field = "company_id" if by == "company" else "contacts"
    per: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        Deal.objects.won()
        .filter(**{f"{field}__isnull": False})
        .values(field, "currency")
        .annotate(total=Sum("amount"))
    ):
        per[int(row[field])][row["currency"]] = row["total"] or Decimal(0)
    return {pk: convert(amounts).total for pk, amounts in per.items()}


def audience_filter(touch: CareTouch, records: QuerySet[Any]) -> QuerySet[Any]:
    """The customers the touch applies to."""
    if touch.audience == Audience.TAG:
        return records.filter(tags=touch.audience_tag) if touch.audience_tag_id else records.none()
    if touch.audience == Audience.WON_VALUE:
        minimum = touch.audience_min_value or Decimal(0)
        kind = "company" if records.model is Company else "contact"
        ids = [pk for pk, total in _won_totals(by=kind).items() if total >= minimum]
        return records.filter(pk__in=ids)
    if touch.audience in VALUE_AUDIENCES:
        return filter_by_value(records, value_audience(touch))
    return records


def value_audience(touch: CareTouch) -> ValueCondition:
    """The customer-value condition of a value audience (a segment, at risk, top 20 %)."""
    if touch.audience == Audience.VALUE_SEGMENT:
        # No segment chosen selects nobody rather than everybody.
        return ValueCondition(segments=(touch.audience_segment or "-",))
    return ValueCondition(
        at_risk=touch.audience == Audience.AT_RISK,
        top=touch.audience == Audience.TOP_CUSTOMERS,
    )


# --- Occasions -----------------------------------------------------------------------------------


class Occasion:
    """A touch due for one record: the record, its key, the task's title and due day."""

    __slots__ = ("day", "key", "record", "title")

    def __init__(self, record: Any, key: str, title: str, day: datetime.date) -> None:
        self.record, self.key, self.title, self.day = record, key, title, day


def _in_window(day: datetime.date, today: datetime.date, days_before: int) -> bool:
    return day - datetime.timedelta(days=days_before) <= today <= day


def _birthdays(touch: CareTouch, today: datetime.date) -> Iterator[Occasion]:
    contacts = audience_filter(touch, Contact.objects.filter(birthday__isnull=False))
    for contact in contacts.select_related("owner").order_by("pk"):
        for year in (today.year, today.year + 1):
            day = _anniversary_day(contact.birthday, year)
            if _in_window(day, today, touch.days):
                title = _("Birthday of %(name)s on %(date)s") % {"name": contact, "date": day}
                yield Occasion(contact, f"birthday:{year}", title, day)


def _first_wins() -> Iterator[tuple[Any, datetime.datetime]]:
    companies = Deal.objects.won().filter(company__isnull=False, won_at__isnull=False)
    firsts = dict(companies.values_list("company_id").annotate(first=Min("won_at")))
    for company in Company.objects.filter(pk__in=firsts).select_related("owner"):
        yield company, firsts[company.pk]
    people = Deal.objects.won().filter(company__isnull=True, won_at__isnull=False)
    firsts = {
        pk: first
        for pk, first in people.filter(contacts__isnull=False)
        .values_list("contacts")
        .annotate(first=Min("won_at"))
    }
    for contact in Contact.objects.filter(pk__in=firsts).select_related("owner"):
        yield contact, firsts[contact.pk]


def _anniversaries(touch: CareTouch, today: datetime.date, zone: ZoneInfo) -> Iterator[Occasion]:
    allowed: dict[type, set[int]] = {}
    for model in (Company, Contact):
        allowed[model] = set(
            audience_filter(touch, model.objects.all()).values_list("pk", flat=True)
        )
    for record, first_won in _first_wins():
        if record.pk not in allowed[type(record)]:
            continue
        first = first_won.astimezone(zone).date()
        for year in (today.year, today.year + 1):
            day = _anniversary_day(first, year)
            if year > first.year and _in_window(day, today, touch.days):
                title = _("%(years)s years as a customer: %(name)s (%(date)s)") % {
                    "years": year - first.year,
                    "name": record,
                    "date": day,
                }
                yield Occasion(record, f"anniversary:{year}", title, day)


def _holidays(touch: CareTouch, today: datetime.date, home: str) -> Iterator[Occasion]:
    groups = set(touch.holidays or [])
    for model in (Company, Contact):
        for record in (
            audience_filter(touch, model.objects.all()).select_related("owner").order_by("pk")
        ):
            code = country_code(record.country, default=home)
            if not code:
                continue
            for year in (today.year, today.year + 1):
                for day, name in public_holidays(code, year):
                    if groups and holiday_group(name) not in groups:
                        continue
                    if _in_window(day, today, touch.days):
                        title = _("%(holiday)s on %(date)s: greet %(name)s") % {
                            "holiday": holiday_label(name),
                            "date": day,
                            "name": record,
                        }
                        key = f"holiday:{code}:{name.casefold()}:{year}"[:160]
                        yield Occasion(record, key, title, day)


def _keep_in_touch(touch: CareTouch, now: datetime.datetime, zone: ZoneInfo) -> Iterator[Occasion]:
    cutoff = now - datetime.timedelta(days=touch.days)
    for model in (Company, Contact):
        records = (
            audience_filter(touch, model.objects.all())
            .annotate(
                last_touch=Coalesce(
                    Greatest(Max("activities__created_at"), Max("activities__done_at")),
                    Max("activities__created_at"),
                    "created_at",
                )
            )
            .filter(last_touch__lte=cutoff)
            .select_related("owner")
            .order_by("pk")
        )
        for record in records:
            last = record.last_touch.astimezone(zone).date()
            title = _("Keep in touch with %(name)s: no activity since %(date)s") % {
                "name": record,
                "date": last,
            }
            yield Occasion(record, f"keep:{last.isoformat()}", title, now.astimezone(zone).date())


def _after_won(touch: CareTouch, today: datetime.date, zone: ZoneInfo) -> Iterator[Occasion]:
    latest = today - datetime.timedelta(days=touch.days)
    earliest = latest - datetime.timedelta(days=7)
    start = datetime.datetime.combine(earliest, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(latest, datetime.time.max, tzinfo=zone)
    deals = Deal.objects.won().filter(won_at__range=(start, end)).select_related("owner", "company")
    companies = set(audience_filter(touch, Company.objects.all()).values_list("pk", flat=True))
    contacts = set(audience_filter(touch, Contact.objects.all()).values_list("pk", flat=True))
    for deal in deals.prefetch_related("contacts", "tags").order_by("pk"):
        in_audience = (
            touch.audience == Audience.ALL
            or deal.company_id in companies
            or any(c.pk in contacts for c in deal.contacts.all())
        )
        if touch.audience == Audience.TAG and touch.audience_tag_id:
            in_audience = in_audience or any(t.pk == touch.audience_tag_id for t in deal.tags.all())
        if not in_audience:
            continue
        customer = deal.company or next(iter(deal.contacts.all()), None) or deal
        title = _("Thank %(customer)s for “%(deal)s”") % {"customer": customer, "deal": deal}
        yield Occasion(deal, f"after_won:{deal.pk}", title, today)


def occasions(
    touch: CareTouch, *, now: datetime.datetime, zone: ZoneInfo, home_country: str
) -> Iterable[Occasion]:
    """The touches of one kind due now (some may have been made already)."""
    today = now.astimezone(zone).date()
    if touch.kind == CareKind.BIRTHDAY:
        return _birthdays(touch, today)
    if touch.kind == CareKind.ANNIVERSARY:
        return _anniversaries(touch, today, zone)
    if touch.kind == CareKind.HOLIDAY:
        return _holidays(touch, today, home_country)
    if touch.kind == CareKind.KEEP_IN_TOUCH:
        return _keep_in_touch(touch, now, zone)
    return _after_won(touch, today, zone)


# --- Making the tasks ----------------------------------------------------------------------------


def _actor() -> Any:
    from tenants.users.models import User

    return User.objects.filter(is_active=True, role="admin").order_by("pk").first()


@transaction.atomic
def care_touches_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Make today's care-touch tasks in the current workspace; returns how many per kind."""
    from crm import services
    from tenants.selectors import current_tenant

    tenant = current_tenant()
    try:
        zone = ZoneInfo(tenant.time_zone or "UTC")
    except Exception:  # an unknown zone name: UTC rather than no touches
        zone = ZoneInfo("UTC")
    now = now or timezone.now()
    actor = _actor()
    made: dict[str, int] = {}
    if actor is None:
        return made
    cap = max(1, int(settings.AUTOMATION_CARE_MAX_PER_RUN))
    with translation.override(tenant.language or settings.LANGUAGE_CODE):
        for touch in CareTouch.objects.filter(is_active=True).select_related("audience_tag"):
            due = list(occasions(touch, now=now, zone=zone, home_country=tenant.country))
            done = set(
                CareTouchRecord.objects.filter(
                    kind=touch.kind, occasion__in={o.key for o in due}
                ).values_list("object_type", "object_id", "occasion")
            )
            count = 0
            for occasion in due:
                record = occasion.record
                object_type = str(record._meta.model_name)
                if (object_type, record.pk, occasion.key) in done or count >= cap:
                    continue
                due_at = datetime.datetime.combine(occasion.day, datetime.time(9), tzinfo=zone)
                activity = services.activity_create(
                    by=actor,
                    fields={
                        "kind": ActivityKind.TASK,
                        "subject": occasion.title[:200],
                        "due_at": max(due_at, now),
                        "owner": record.owner,
                        object_type: record,
                    },
                )
                CareTouchRecord.objects.create(
                    kind=touch.kind,
                    object_type=object_type,
                    object_id=record.pk,
                    occasion=occasion.key,
                    activity=activity,
                )
                done.add((object_type, record.pk, occasion.key))
                count += 1
            made[str(touch.kind)] = count
    return made


def care_touches_for_settings() -> list[CareTouch]:
    """One settings row per kind: the saved ones, and unsaved (off) ones for the others, so
    showing the page writes nothing."""
    existing = {t.kind: t for t in CareTouch.objects.select_related("audience_tag")}
    return [existing.get(kind) or CareTouch(kind=kind) for kind in CareKind.values]
