"""Custom fields: typed validation and storage in the record's JSON column."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm import services
from crm.custom_fields import custom_values_clean, display_value
from crm.errors import CrmError
from crm.models import FieldType
from tests.crm.factories import CustomFieldFactory


@pytest.mark.parametrize(
    ("field_type", "raw", "stored"),
    [
        (FieldType.TEXT, "hello", "hello"),
        (FieldType.NUMBER, "12.50", "12.5"),
        (FieldType.MONEY, "99.90", "99.90"),
        (FieldType.DATE, "2025-03-01", "2025-03-01"),
        (FieldType.CHECKBOX, True, True),
        (FieldType.URL, "example.com", "https://example.com"),
        (FieldType.EMAIL, "a@b.example", "a@b.example"),
    ],
)
def test_valid_values_are_stored_in_json_form(crm, field_type, raw, stored) -> None:
    definition = CustomFieldFactory.create(key="f", field_type=field_type)
    assert custom_values_clean([definition], {"f": raw}) == {"f": stored}


@pytest.mark.parametrize(
    ("field_type", "raw"),
    [
        (FieldType.NUMBER, "twelve"),
        (FieldType.DATE, "31/31/2025"),
        (FieldType.URL, "not a url"),
        (FieldType.EMAIL, "nope"),
    ],
)
def test_invalid_values_are_refused(crm, field_type, raw) -> None:
    definition = CustomFieldFactory.create(key="f", field_type=field_type)
    with pytest.raises(ValidationError):
        custom_values_clean([definition], {"f": raw})


def test_choice_must_be_one_of_the_choices(crm) -> None:
    definition = CustomFieldFactory.create(
        key="tier", field_type=FieldType.CHOICE, choices=["A", "B"]
    )
    with pytest.raises(ValidationError):
        custom_values_clean([definition], {"tier": "C"})


def test_multi_choice_stores_a_list(crm) -> None:
    definition = CustomFieldFactory.create(
        key="m", field_type=FieldType.MULTI_CHOICE, choices=["x", "y"]
    )
    assert custom_values_clean([definition], {"m": ["x", "y"]}) == {"m": ["x", "y"]}


def test_user_field_stores_the_user_id(rep) -> None:
    definition = CustomFieldFactory.create(key="am", field_type=FieldType.USER)
    assert custom_values_clean([definition], {"am": rep.pk}) == {"am": rep.pk}
    assert display_value(definition, rep.pk, {rep.pk: rep}) == str(rep)


def test_required_field_missing_is_refused_on_create(rep) -> None:
    CustomFieldFactory.create(object_type="company", key="vat", label="VAT", required=True)
    with pytest.raises(ValidationError):
        services.company_create(by=rep, fields={"name": "Acme"})


def test_service_validates_custom_values(rep) -> None:
    CustomFieldFactory.create(object_type="company", key="employees", field_type=FieldType.NUMBER)
    with pytest.raises(ValidationError):
        services.company_create(by=rep, fields={"name": "Acme", "custom": {"employees": "many"}})


def test_unknown_custom_keys_are_refused(rep) -> None:
    with pytest.raises(ValidationError):
        services.company_create(by=rep, fields={"name": "Acme", "custom": {"nope": 1}})


def test_custom_field_changes_are_audited_per_key(rep) -> None:
    CustomFieldFactory.create(object_type="company", key="tier", field_type=FieldType.TEXT)
    company = services.company_create(by=rep, fields={"name": "Acme", "custom": {"tier": "A"}})
    services.company_update(company=company, by=rep, fields={"custom": {"tier": "B"}})
    from crm.models import AuditEntry

    entry = AuditEntry.objects.get(object_id=company.pk, action="update")
    assert entry.changes == {"custom.tier": ["A", "B"]}


def test_admin_defines_a_field_with_a_key_from_its_label(admin) -> None:
    definition = services.custom_field_create(
        by=admin,
        object_type="deal",
        fields={"label": "Contract length", "field_type": FieldType.NUMBER},
    )
    assert definition.key == "contract_length"


def test_choice_field_without_choices_is_refused(admin) -> None:
    with pytest.raises(CrmError):
        services.custom_field_create(
            by=admin, object_type="deal", fields={"label": "Tier", "field_type": FieldType.CHOICE}
        )


def test_only_admins_define_fields(manager) -> None:
    with pytest.raises(CrmError):
        services.custom_field_create(
            by=manager, object_type="deal", fields={"label": "X", "field_type": FieldType.TEXT}
        )
