"""factory_boy factories for CRM records; they write into whichever schema is active."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

import factory
from django.db import models

from crm.models import (
    Activity,
    ActivityKind,
    Company,
    Contact,
    CustomFieldDefinition,
    Deal,
    FieldType,
    Lead,
    Pipeline,
    Stage,
    Tag,
)
from crm.services.search import search_columns_set
from tests.factories import UserFactory

_R = TypeVar("_R", bound=models.Model)


class SearchIndexedFactory(factory.django.DjangoModelFactory[_R]):
    """Records as the services write them: with their search columns filled."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        record = model_class(*args, **kwargs)
        search_columns_set(record)
        record.save()
        return record


class CompanyFactory(SearchIndexedFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.example")
    owner = factory.SubFactory(UserFactory)


class ContactFactory(SearchIndexedFactory[Contact]):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.Sequence(lambda n: f"person{n}@customer.example")
    owner = factory.SubFactory(UserFactory)


class LeadFactory(SearchIndexedFactory[Lead]):
    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Lead Person{n}")
    company_name = factory.Sequence(lambda n: f"Prospect {n} Ltd")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")
    owner = factory.SubFactory(UserFactory)


def default_pipeline() -> Pipeline:
    return Pipeline.objects.order_by("position", "id").first()  # type: ignore[return-value]


def stage_named(name: str, pipeline: Pipeline | None = None) -> Stage:
    return (pipeline or default_pipeline()).stages.get(name=name)


class DealFactory(SearchIndexedFactory[Deal]):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    pipeline = factory.LazyFunction(default_pipeline)
    stage = factory.LazyAttribute(lambda deal: deal.pipeline.stages.order_by("position").first())
    amount = Decimal("1000.00")
    owner = factory.SubFactory(UserFactory)
    position = factory.Sequence(float)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    kind = ActivityKind.CALL
    subject = factory.Sequence(lambda n: f"Call {n}")
    owner = factory.SubFactory(UserFactory)


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomFieldFactory(factory.django.DjangoModelFactory[CustomFieldDefinition]):
    class Meta:
        model = CustomFieldDefinition

    object_type = "contact"
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    field_type = FieldType.TEXT
