"""Customer-care touches: each kind, audiences, lunar holidays ahead, idempotent re-runs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import holidays
import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services as crm
from crm.automation.care import care_touches_run, country_code, public_holidays
from crm.automation.models import Audience, CareKind, CareTouch, CareTouchRecord
from crm.models import Activity, Company, Deal, Tag
from tests.crm.factories import stage_named

pytestmark = pytest.mark.usefixtures("crm")

UTC = datetime.UTC


def _at(day: datetime.date, hour: int = 6) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def _turn_on(kind: str, **fields) -> CareTouch:
    touch, _created = CareTouch.objects.update_or_create(
        kind=kind, defaults={"is_active": True, **fields}
    )
    return touch


def _tasks() -> list[Activity]:
    return list(Activity.objects.filter(kind="task").order_by("pk"))


@pytest.fixture(autouse=True)
def _utc_workspace(alpha) -> None:
    from tenants.models import Tenant

    with schema_context("public"):
        Tenant.objects.filter(pk=alpha.tenant.pk).update(time_zone="UTC", country="CN")


def test_a_birthday_gets_a_task_for_the_owner_days_before(admin, rep) -> None:
    _turn_on(CareKind.BIRTHDAY, days=3)
    contact = crm.contact_create(
        by=rep, fields={"full_name": "Wang Fang", "birthday": datetime.date(1990, 6, 15)}
    )
    crm.contact_create(by=rep, fields={"full_name": "No birthday"})
    assert care_touches_run(now=_at(datetime.date(2027, 6, 11))) == {"birthday": 0}
    assert care_touches_run(now=_at(datetime.date(2027, 6, 12))) == {"birthday": 1}
    task = _tasks()[0]
    assert task.owner == rep
    assert task.contact == contact
    assert "Wang Fang" in task.subject
    assert task.due_at is not None
    assert task.due_at.date() == datetime.date(2027, 6, 15)


def test_a_rerun_never_makes_the_same_touch_twice(admin, rep) -> None:
    _turn_on(CareKind.BIRTHDAY, days=3)
    crm.contact_create(
        by=rep, fields={"full_name": "Wang Fang", "birthday": datetime.date(1990, 6, 15)}
    )
    for day in (12, 12, 13, 14, 15):
        care_touches_run(now=_at(datetime.date(2027, 6, day)))
    assert len(_tasks()) == 1
    assert CareTouchRecord.objects.get().occasion == "birthday:2027"
    care_touches_run(now=_at(datetime.date(2028, 6, 13)))  # next year: a new occasion
    assert len(_tasks()) == 2


def test_the_spring_festival_two_years_ahead_comes_from_the_lunar_calendar(admin, rep) -> None:
    year = timezone.now().year + 2
    festival = min(
        day
        for day, name in holidays.country_holidays("CN", years=year, language="en_US").items()
        if "Spring Festival" in name
    )
    _turn_on(CareKind.HOLIDAY, days=5, holidays=["spring_festival"])
    company = crm.company_create(by=rep, fields={"name": "上海贸易有限公司", "country": "中国"})
    before = festival - datetime.timedelta(days=6)
    assert care_touches_run(now=_at(before)) == {"holiday": 0}
    assert care_touches_run(now=_at(festival - datetime.timedelta(days=5))) == {"holiday": 1}
    task = _tasks()[0]
    assert task.company == company
    assert task.owner == rep
    assert "Spring Festival" in task.subject
    assert task.due_at is not None
    assert task.due_at.date() == festival
    care_touches_run(now=_at(festival - datetime.timedelta(days=2)))
    assert len(_tasks()) == 1


def test_mid_autumn_and_christmas_follow_each_customers_country(admin, rep) -> None:
    _turn_on(CareKind.HOLIDAY, days=0, holidays=["mid_autumn", "christmas"])
    crm.company_create(by=rep, fields={"name": "Berlin GmbH", "country": "Germany"})
    crm.company_create(by=rep, fields={"name": "Taipei Co", "country": "TW"})
    christmas = datetime.date(2028, 12, 25)
    care_touches_run(now=_at(christmas))
    assert [str(t.company) for t in _tasks()] == ["Berlin GmbH"]
    mid_autumn = next(d for d, n in public_holidays("TW", 2028) if "Mid-Autumn" in n)
    care_touches_run(now=_at(mid_autumn))
    assert [str(t.company) for t in _tasks()] == ["Berlin GmbH", "Taipei Co"]


def test_a_customer_without_a_country_takes_the_workspaces(admin, rep) -> None:
    assert country_code("", default="CN") == "CN"
    assert country_code("中國") == "CN"
    assert country_code("Deutschland") == "DE"
    assert country_code("Atlantis") == ""


def test_a_customer_anniversary_counts_from_the_first_won_deal(admin, rep) -> None:
    _turn_on(CareKind.ANNIVERSARY, days=1)
    company = crm.company_create(by=rep, fields={"name": "Loyal Ltd"})
    deal = crm.deal_create(by=rep, fields={"title": "First order", "company": company})
    crm.deal_move(deal=deal, stage=stage_named("Won"), by=rep)
    Deal.objects.filter(pk=deal.pk).update(won_at=_at(datetime.date(2025, 3, 10), 12))
    assert care_touches_run(now=_at(datetime.date(2026, 3, 9))) == {"anniversary": 1}
    task = _tasks()[0]
    assert task.company == company
    assert "1" in task.subject


def test_keep_in_touch_follows_up_silent_key_customers_only(admin, rep) -> None:
    key = Tag.objects.create(name="Key account")
    _turn_on(CareKind.KEEP_IN_TOUCH, days=30, audience=Audience.TAG, audience_tag=key)
    silent = crm.company_create(by=rep, fields={"name": "Silent Key"}, tags=[key])
    crm.company_create(by=rep, fields={"name": "Silent, not key"})
    busy = crm.company_create(by=rep, fields={"name": "Busy Key"}, tags=[key])
    crm.activity_create(by=rep, fields={"kind": "call", "subject": "Chat", "company": busy})
    Company.objects.update(created_at=timezone.now() - datetime.timedelta(days=60))
    Activity.objects.update(created_at=timezone.now() - datetime.timedelta(days=5))
    assert care_touches_run() == {"keep_in_touch": 1}
    assert _tasks()[0].company == silent
    assert care_touches_run() == {"keep_in_touch": 0}


def test_a_thank_you_task_after_a_won_deal(admin, rep) -> None:
    _turn_on(CareKind.AFTER_WON, days=3)
    deal = crm.deal_create(by=rep, fields={"title": "Won it"})
    crm.deal_move(deal=deal, stage=stage_named("Won"), by=rep)
    won = Deal.objects.get(pk=deal.pk).won_at
    assert won is not None
    assert care_touches_run(now=won + datetime.timedelta(days=2)) == {"after_won": 0}
    assert care_touches_run(now=won + datetime.timedelta(days=3)) == {"after_won": 1}
    assert _tasks()[0].deal == deal
    assert care_touches_run(now=won + datetime.timedelta(days=4)) == {"after_won": 0}


def test_customers_above_a_won_value_only(admin, rep) -> None:
    _turn_on(CareKind.BIRTHDAY, days=0, audience=Audience.WON_VALUE,
             audience_min_value=Decimal("5000"))  # fmt: skip
    big = crm.contact_create(
        by=rep, fields={"full_name": "Big", "birthday": datetime.date(1980, 1, 5)}
    )
    small = crm.contact_create(
        by=rep, fields={"full_name": "Small", "birthday": datetime.date(1980, 1, 5)}
    )
    for contact, amount in ((big, "9000"), (small, "100")):
        fields = {"title": "D", "amount": Decimal(amount), "currency": "EUR"}
        deal = crm.deal_create(by=rep, fields=fields, contacts=[contact])
        crm.deal_move(deal=deal, stage=stage_named("Won"), by=rep)
    care_touches_run(now=_at(datetime.date(2027, 1, 5)))
    assert [t.contact for t in _tasks()] == [big]


def test_kinds_left_off_make_nothing(admin, rep) -> None:
    CareTouch.objects.create(kind=CareKind.BIRTHDAY, is_active=False, days=0)
    crm.contact_create(by=rep, fields={"full_name": "W", "birthday": datetime.date(1990, 6, 15)})
    assert care_touches_run(now=_at(datetime.date(2027, 6, 15))) == {}


def test_touches_stay_in_their_workspace(admin, rep, beta) -> None:
    _turn_on(CareKind.BIRTHDAY, days=0)
    crm.contact_create(by=rep, fields={"full_name": "W", "birthday": datetime.date(1990, 6, 15)})
    with schema_context(beta.schema):
        from tests.factories import AdminFactory

        AdminFactory.create()
        assert care_touches_run(now=_at(datetime.date(2027, 6, 15))) == {}
        assert not Activity.objects.exists()
        assert not CareTouchRecord.objects.exists()
    assert care_touches_run(now=_at(datetime.date(2027, 6, 15))) == {"birthday": 1}


# --- Settings page -------------------------------------------------------------------------------


def test_an_admin_turns_a_touch_on(admin, client_as) -> None:
    response = client_as(admin).post(
        "/settings/care/",
        {"kind": "holiday", "holiday-is_active": "on", "holiday-audience": "all",
         "holiday-days": "7", "holiday-holidays": ["spring_festival", "mid_autumn"]},
    )  # fmt: skip
    assert response.status_code == 302
    touch = CareTouch.objects.get(kind="holiday")
    assert touch.is_active
    assert touch.days == 7
    assert touch.holidays == ["spring_festival", "mid_autumn"]


def test_a_tag_audience_needs_a_tag(admin, client_as) -> None:
    response = client_as(admin).post(
        "/settings/care/",
        {"kind": "birthday", "birthday-is_active": "on", "birthday-audience": "tag",
         "birthday-days": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Choose the tag." in response.content.decode()


def test_showing_the_care_page_writes_nothing(admin, client_as) -> None:
    response = client_as(admin).get("/settings/care/")
    assert response.status_code == 200
    assert "Spring Festival" in response.content.decode()
    assert not CareTouch.objects.exists()
