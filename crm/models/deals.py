"""Pipelines, their stages, deals moving through them and the history of every move."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.locales import validate_amount_for_currency, validate_currency_code
from crm.models.base import Colour, Tag
from crm.models.records import (
    Company,
    Contact,
    _trigram_index,
    search_indexes,
    search_keys_field,
    search_text_field,
)
from crm.models.validation import (
    MAX_YEARS_AHEAD,
    amount_not_negative,
    percentage_validators,
    rotting_days_validators,
    too_far_ahead,
)
from crm.models.visibility import OwnedQuerySet


class Pipeline(models.Model):
    """A sales process, e.g. "Sales" or "Renewals", made of ordered stages."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("deal_board", args=[self.pk])


class StageKind(models.TextChoices):
    """What reaching the stage means: still in play, won or lost."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(models.Model):
    """One column of a pipeline's board."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=percentage_validators
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default="open")
    rotting_days = models.PositiveIntegerField(
        _("idle after (days)"),
        null=True,
        blank=True,
        validators=rotting_days_validators,
        help_text=_("Open deals that stay longer than this in the stage are highlighted."),
    )
    colour = models.CharField(_("colour"), max_length=20, choices=Colour.choices, default="blue")
    #: The sales process written down: what must be true for a deal to enter this stage.
    #: Shown on the board's column header so everyone moves deals by the same rules.
    guidance = models.CharField(
        _("entry criteria"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("What must be true for a deal to enter this stage."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="crm_stage_probability_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN


class DealQuerySet(OwnedQuerySet["Deal"]):
    def open(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.OPEN)

    def won(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.WON)

    def lost(self) -> DealQuerySet:
        return self.filter(stage__kind=StageKind.LOST)


class Deal(models.Model):
    """A sales opportunity moving through a pipeline."""

    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("company"),
    )
    contacts: models.ManyToManyField[Contact, DealContact] = models.ManyToManyField(
        Contact, through="DealContact", related_name="deals", blank=True, verbose_name=_("contacts")
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    #: Four decimals hold every currency's minor unit (ISO 4217: up to four); an amount is
    #: never finer than its own currency's (see ``clean``).
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=4,
        default=Decimal(0),
        validators=[amount_not_negative],
    )
    #: ISO 4217, chosen from the list; new deals start in the workspace's base currency.
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[validate_currency_code]
    )
    expected_close_on = models.DateField(_("expected close"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        null=True,
        blank=True,
        validators=percentage_validators,
        help_text=_("Leave empty to use the stage's probability."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deals_owned",
        verbose_name=_("owner"),
    )
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost"), null=True, blank=True)
    #: Order within the stage's column; fractional so a move writes one row.
    position = models.FloatField(_("position on the board"), default=0)
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    tags = models.ManyToManyField(Tag, blank=True, related_name="deals", verbose_name=_("tags"))
    custom: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("custom fields"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = search_text_field()
    search_keys = search_keys_field()
    search_typos = search_keys_field()

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["stage", "position", "id"], name="crm_deal_board_idx"),
            models.Index(
                fields=["owner", "stage", "position", "id"], name="crm_deal_owner_board_idx"
            ),
            # Column totals of the board: an index-only scan grouped by stage.
            models.Index(
                fields=["pipeline", "stage"],
                include=["amount", "currency", "probability", "owner"],
                name="crm_deal_totals_idx",
            ),
            models.Index(fields=["-updated_at", "-id"], name="crm_deal_updated_idx"),
            models.Index(fields=["owner", "-updated_at", "-id"], name="crm_deal_owner_updated_idx"),
            models.Index(fields=["-created_at", "-id"], name="crm_deal_created_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="crm_deal_owner_created_idx"),
            models.Index(fields=["title", "id"], name="crm_deal_title_idx"),
            models.Index(fields=["owner", "title", "id"], name="crm_deal_owner_title_idx"),
            models.Index(fields=["amount", "id"], name="crm_deal_amount_idx"),
            models.Index(fields=["owner", "amount", "id"], name="crm_deal_owner_amount_idx"),
            models.Index(fields=["expected_close_on", "id"], name="crm_deal_close_order_idx"),
            models.Index(
                fields=["owner", "expected_close_on", "id"], name="crm_deal_owner_close_idx"
            ),
            models.Index(Upper("title"), name="crm_deal_title_upper_idx"),
            _trigram_index("title", "crm_deal_title_trgm"),
            *search_indexes("crm_deal", phones=False),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="crm_deal_custom_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__isnull=True) | models.Q(probability__lte=100),
                name="crm_deal_probability_max_100",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="crm_deal_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deal_detail", args=[self.pk])

    def clean(self) -> None:
        """An open deal's expected close date lies between its creation and ten years ahead.

        Won and lost deals keep whatever date they had: it is history by then. The first
        bound catches dates typed in the wrong year, the second typos such as 20255.
        """
        super().clean()
        if self.amount is not None and self.currency:
            try:
                validate_amount_for_currency(self.amount, self.currency)
            except ValidationError as error:
                raise ValidationError({"amount": error.messages}) from error
        close = self.expected_close_on
        if close is None:
            return
        if too_far_ahead(close):
            raise ValidationError(
                {
                    "expected_close_on": _(
                        "The expected close date is more than %(years)d years away. Check the year."
                    )
                    % {"years": MAX_YEARS_AHEAD}
                }
            )
        created = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
        is_open = self.stage_id is None or self.stage.kind == StageKind.OPEN
        if is_open and close < created:
            raise ValidationError(
                {
                    "expected_close_on": _(
                        "An open deal cannot be expected to close before it was created "
                        "(%(created)s)."
                    )
                    % {"created": date_format(created, "SHORT_DATE_FORMAT")}
                }
            )

    @property
    def effective_probability(self) -> int:
        """The deal's own probability when set, else its stage's default."""
        return self.probability if self.probability is not None else self.stage.probability

    @property
    def weighted_amount(self) -> Decimal:
        return self.amount * Decimal(self.effective_probability) / Decimal(100)

    def is_rotting(self, now: datetime | None = None) -> bool:
        """Open and idle in its stage for longer than the stage allows."""
        if self.stage.kind != StageKind.OPEN or not self.stage.rotting_days:
            return False
        now = now or timezone.now()
        return now - self.stage_entered_at > timedelta(days=self.stage.rotting_days)


class DealContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    CHAMPION = "champion", _("Champion")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class DealContact(models.Model):
    """A person involved in a deal, and how."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_links")
    role = models.CharField(
        _("role"), max_length=30, choices=DealContactRole.choices, default="decision_maker"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("deal contact")
        verbose_name_plural = _("deal contacts")
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="crm_dealcontact_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} on {self.deal}"


class StageTransition(models.Model):
    """A deal entering a stage: the raw material for velocity, ageing and stage conversion.

    ``from_stage`` is empty for the stage a deal was created in.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, related_name="transitions_in"
    )
    moved_at = models.DateTimeField(_("when"), default=timezone.now)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount at the time"), max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["-moved_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["deal", "-moved_at"], name="crm_transition_deal_idx"),
            models.Index(fields=["to_stage", "moved_at"], name="crm_transition_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deal}: {self.from_stage} → {self.to_stage}"
