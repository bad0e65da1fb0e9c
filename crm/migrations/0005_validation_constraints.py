"""Bounds with clear messages on amounts, probabilities, durations and dates, and two
invariants as database constraints: no negative deal amount, no company role that ends
before it starts.

Rows written before the constraints existed are corrected first, each correction audited
(by "System") so the record's timeline shows the value it had:

- a negative deal amount becomes 0, and the deal gets the tag "Amount was negative" so the
  team can find and re-enter it. Zero, not the absolute value: a credit note entered as a
  negative deal would otherwise turn into revenue;
- a company role whose dates are reversed gets them swapped (the form always refused that
  order; only other paths could store it).

Zero, which the new bounds refuse but which meant "not set" (no idle threshold, no
duration), becomes empty.

``NOT VALID`` constraints were not chosen: they would leave such rows in place, and the next
save of one (a board move, a merge) would then fail on the constraint.
"""

from decimal import Decimal

import django.core.validators
from django.conf import settings
from django.db import migrations, models

import crm.models.validation

#: The tag that marks deals whose negative amount was set to 0.
CORRECTED_TAG = "Amount was negative"


def correct_negative_amounts(apps, schema_editor):
    Deal = apps.get_model("crm", "Deal")
    AuditEntry = apps.get_model("crm", "AuditEntry")
    Tag = apps.get_model("crm", "Tag")
    negative = list(Deal.objects.filter(amount__lt=0).only("pk", "title", "amount"))
    if not negative:
        return
    tag = Tag.objects.filter(name__iexact=CORRECTED_TAG).first()
    if tag is None:
        tag = Tag.objects.create(name=CORRECTED_TAG, colour="orange")
    for deal in negative:
        AuditEntry.objects.create(
            action="update",
            object_type="deal",
            object_id=deal.pk,
            object_repr=deal.title[:200],
            changes={"amount": [str(deal.amount), "0.00"], "tags": [[], [CORRECTED_TAG]]},
        )
        deal.tags.add(tag)
    Deal.objects.filter(pk__in=[deal.pk for deal in negative]).update(amount=0)


def swap_reversed_role_periods(apps, schema_editor):
    ContactCompany = apps.get_model("crm", "ContactCompany")
    AuditEntry = apps.get_model("crm", "AuditEntry")
    reversed_links = ContactCompany.objects.filter(
        started_on__isnull=False, ended_on__lt=models.F("started_on")
    ).select_related("contact", "company")
    for link in reversed_links:
        contact = link.contact
        name = f"{contact.first_name} {contact.last_name}".strip()
        AuditEntry.objects.create(
            action="update",
            object_type="contact",
            object_id=contact.pk,
            object_repr=name[:200],
            changes={
                "companies": [
                    f"{link.company.name}: {link.started_on} to {link.ended_on}",
                    f"{link.company.name}: {link.ended_on} to {link.started_on}",
                ]
            },
        )
        ContactCompany.objects.filter(pk=link.pk).update(
            started_on=link.ended_on, ended_on=link.started_on
        )


def empty_zero_thresholds_and_durations(apps, schema_editor):
    apps.get_model("crm", "Stage").objects.filter(rotting_days=0).update(rotting_days=None)
    apps.get_model("crm", "Activity").objects.filter(duration_minutes=0).update(
        duration_minutes=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_activity_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="duration_minutes",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1, "Enter a duration from 1 minute to 7 days (10,080 minutes)."
                    ),
                    django.core.validators.MaxValueValidator(
                        10080, "Enter a duration from 1 minute to 7 days (10,080 minutes)."
                    ),
                ],
                verbose_name="duration (minutes)",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="birthday",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[crm.models.validation.NotInTheFuture()],
                verbose_name="birthday",
            ),
        ),
        migrations.AlterField(
            model_name="deal",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=14,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0"), "An amount cannot be negative. Enter 0 or more."
                    )
                ],
                verbose_name="amount",
            ),
        ),
        migrations.AlterField(
            model_name="deal",
            name="probability",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Leave empty to use the stage's probability.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Enter a probability from 0 to 100."
                    ),
                    django.core.validators.MaxValueValidator(
                        100, "Enter a probability from 0 to 100."
                    ),
                ],
                verbose_name="probability (%)",
            ),
        ),
        migrations.AlterField(
            model_name="stage",
            name="probability",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, "Enter a probability from 0 to 100."
                    ),
                    django.core.validators.MaxValueValidator(
                        100, "Enter a probability from 0 to 100."
                    ),
                ],
                verbose_name="probability (%)",
            ),
        ),
        migrations.AlterField(
            model_name="stage",
            name="rotting_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Open deals that stay longer than this in the stage are highlighted.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1, "Enter a number of days from 1 to 3,650, or leave it empty."
                    ),
                    django.core.validators.MaxValueValidator(
                        3650, "Enter a number of days from 1 to 3,650, or leave it empty."
                    ),
                ],
                verbose_name="idle after (days)",
            ),
        ),
        migrations.RunPython(correct_negative_amounts, migrations.RunPython.noop),
        migrations.RunPython(swap_reversed_role_periods, migrations.RunPython.noop),
        migrations.RunPython(empty_zero_thresholds_and_durations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contactcompany",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("started_on__isnull", True),
                    ("ended_on__isnull", True),
                    ("ended_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="crm_contactcompany_period_in_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)), name="crm_deal_amount_not_negative"
            ),
        ),
    ]
