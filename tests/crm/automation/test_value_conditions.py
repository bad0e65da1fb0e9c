"""Customer-value flags in workflow-rule conditions and care-touch audiences."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services as crm
from crm.automation.care import care_touches_run
from crm.automation.models import Audience, CareKind, CareTouch
from crm.automation.rules import conditions_hold, field_choices
from crm.models import Activity, Company
from tests.insights.values import value_row

pytestmark = pytest.mark.usefixtures("crm")


def test_a_condition_on_the_rfm_segment_by_code_or_label(rep, make_rule) -> None:
    champion = crm.contact_create(by=rep, fields={"full_name": "Champion"})
    loyal = crm.contact_create(by=rep, fields={"full_name": "Loyal"})
    value_row(champion, segment="champions")
    value_row(loyal, segment="loyal")
    by_code = make_rule(
        conditions=[{"field": "value.segment", "operator": "equals", "value": "champions"}]
    )
    by_label = make_rule(
        conditions=[{"field": "value.segment", "operator": "equals", "value": "Champions"}]
    )
    assert (conditions_hold(by_code, champion), conditions_hold(by_code, loyal)) == (True, False)
    assert conditions_hold(by_label, champion)


def test_a_segment_matches_its_chinese_label_too(rep, make_rule) -> None:
    from django.utils import translation

    from crm.insights.models import Segment

    contact = crm.contact_create(by=rep, fields={"full_name": "Wang"})
    value_row(contact, segment="champions")
    with translation.override("zh-hant"):
        label = str(Segment.CHAMPIONS.label)
    rule = make_rule(conditions=[{"field": "value.segment", "operator": "equals", "value": label}])
    assert conditions_hold(rule, contact)


def test_a_condition_on_at_risk_and_top(rep, make_rule) -> None:
    slipping = crm.company_create(by=rep, fields={"name": "Slipping"})
    value_row(slipping, segment="loyal", at_risk=True, top=True)
    fine = crm.company_create(by=rep, fields={"name": "Fine"})
    rule = make_rule(
        object_type="company",
        conditions=[
            {"field": "value.at_risk", "operator": "equals", "value": "true"},
            {"field": "value.top_customer", "operator": "equals", "value": "yes"},
        ],
    )
    assert (conditions_hold(rule, slipping), conditions_hold(rule, fine)) == (True, False)


def test_a_customer_without_a_value_is_not_at_risk(rep, make_rule) -> None:
    newcomer = crm.company_create(by=rep, fields={"name": "New"})
    rule = make_rule(
        object_type="company",
        conditions=[{"field": "value.at_risk", "operator": "equals", "value": "false"}],
    )
    assert conditions_hold(rule, newcomer)


def test_a_deal_reads_its_companys_value(rep, make_rule) -> None:
    company = crm.company_create(by=rep, fields={"name": "Big buyer"})
    value_row(company, segment="champions", top=True)
    deal = crm.deal_create(by=rep, fields={"title": "Renewal", "company": company})
    alone = crm.deal_create(by=rep, fields={"title": "No company"})
    rule = make_rule(
        object_type="deal",
        conditions=[{"field": "value.top_customer", "operator": "equals", "value": "true"}],
    )
    assert (conditions_hold(rule, deal), conditions_hold(rule, alone)) == (True, False)


def test_value_fields_are_offered_for_conditions_not_for_setting() -> None:
    readable = dict(field_choices("company"))
    assert {"value.segment", "value.at_risk", "value.top_customer"} <= set(readable)
    assert "value.segment" not in dict(field_choices("company", settable=True))
    assert "value.segment" not in dict(field_choices("lead"))


def test_the_rule_form_accepts_a_value_condition(admin, client_as) -> None:
    from crm.automation.models import Rule

    response = client_as(admin).post(
        "/settings/rules/new/",
        {
            "name": "Chase champions", "is_active": "on", "object_type": "company",
            "trigger": "created", "match": "all",
            "cond-TOTAL_FORMS": "1", "cond-INITIAL_FORMS": "0",
            "cond-0-field": "value.segment", "cond-0-operator": "equals",
            "cond-0-value": "champions",
            "act-TOTAL_FORMS": "1", "act-INITIAL_FORMS": "0",
            "act-0-kind": "add_tag", "act-0-tag": "VIP", "act-0-mode": "fixed",
        },
    )  # fmt: skip
    assert response.status_code in (200, 302), response.content.decode()[:500]
    rule = Rule.objects.get(name="Chase champions")
    assert rule.conditions == [
        {"field": "value.segment", "operator": "equals", "value": "champions"}
    ]


# --- Care touches --------------------------------------------------------------------------------


@pytest.fixture
def _utc_workspace(alpha) -> None:
    from tenants.models import Tenant

    with schema_context("public"):
        Tenant.objects.filter(pk=alpha.tenant.pk).update(time_zone="UTC", country="CN")


def _silent_companies(rep) -> dict[str, Company]:
    companies = {
        name: crm.company_create(by=rep, fields={"name": name})
        for name in ("At risk", "Champion", "Top", "Nobody")
    }
    Company.objects.update(created_at=timezone.now() - datetime.timedelta(days=60))
    value_row(companies["At risk"], segment="loyal", at_risk=True)
    value_row(companies["Champion"], segment="champions")
    value_row(companies["Top"], segment="potential", top=True)
    return companies


def _turn_on(**fields) -> CareTouch:
    touch, _created = CareTouch.objects.update_or_create(
        kind=CareKind.KEEP_IN_TOUCH, defaults={"is_active": True, "days": 30, **fields}
    )
    return touch


def _task_companies() -> set[str]:
    return {str(a.company) for a in Activity.objects.filter(kind="task", company__isnull=False)}


@pytest.mark.usefixtures("_utc_workspace")
def test_care_for_at_risk_customers_only(admin, rep) -> None:
    _silent_companies(rep)
    _turn_on(audience=Audience.AT_RISK)
    assert care_touches_run() == {"keep_in_touch": 1}
    assert _task_companies() == {"At risk"}


@pytest.mark.usefixtures("_utc_workspace")
def test_care_for_one_rfm_segment(admin, rep) -> None:
    _silent_companies(rep)
    _turn_on(audience=Audience.VALUE_SEGMENT, audience_segment="champions")
    care_touches_run()
    assert _task_companies() == {"Champion"}


@pytest.mark.usefixtures("_utc_workspace")
def test_care_for_the_top_20_percent(admin, rep) -> None:
    _silent_companies(rep)
    _turn_on(audience=Audience.TOP_CUSTOMERS)
    care_touches_run()
    assert _task_companies() == {"Top"}


@pytest.mark.usefixtures("_utc_workspace")
def test_a_segment_audience_without_a_segment_selects_nobody(admin, rep) -> None:
    _silent_companies(rep)
    _turn_on(audience=Audience.VALUE_SEGMENT, audience_segment="")
    assert care_touches_run() == {"keep_in_touch": 0}


def test_the_care_form_needs_the_segment(admin, client_as) -> None:
    response = client_as(admin).post(
        "/settings/care/",
        {"kind": "keep_in_touch", "keep_in_touch-is_active": "on",
         "keep_in_touch-audience": "value_segment", "keep_in_touch-days": "30"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Choose the segment." in response.content.decode()
    saved = client_as(admin).post(
        "/settings/care/",
        {"kind": "keep_in_touch", "keep_in_touch-is_active": "on",
         "keep_in_touch-audience": "value_segment",
         "keep_in_touch-audience_segment": "at_risk", "keep_in_touch-days": "30"},
    )  # fmt: skip
    assert saved.status_code in (200, 302)
    assert CareTouch.objects.get(kind="keep_in_touch").audience_segment == "at_risk"
