"""People and organisations: companies, contacts and the leads that become them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models.base import Tag
from crm.models.validation import not_in_the_future
from crm.models.visibility import OwnedQuerySet
from crm.names import compose_full_name, greeting_name


def _trigram_index(expression: str, name: str) -> GinIndex:
    """A trigram index on ``UPPER(column)``: serves ``icontains`` and typo-tolerant ``%`` alike."""
    return GinIndex(OpClass(Upper(expression), name="gin_trgm_ops"), name=name)


def search_text_field() -> models.TextField[str, str]:
    """Folded names, pinyin, addresses and domain as tokens (see :mod:`crm.search_index`).

    Written by the record services; the database default keeps rows written any other way
    (``COPY``, an older release during a deployment) valid until ``search_backfill`` fills them.
    """
    return models.TextField(default="", db_default="", blank=True, editable=False)


def search_keys_field() -> ArrayField[list[str], list[str]]:
    """Exact names, pinyin, initials, addresses and domains, or one-letter-off name words."""
    return ArrayField(models.TextField(), default=list, db_default=[], blank=True, editable=False)


def phone_tokens() -> models.Func:
    """Each stored phone number's digits as one array element (``search_phones`` holds them
    space-separated): the exact-number lookup imports use, through its own GIN index."""
    return models.Func(
        models.Func(models.F("search_phones"), function="btrim"),
        models.Value(" "),
        function="string_to_array",
        output_field=ArrayField(models.TextField()),
    )


def search_indexes(table: str, *, phones: bool = True) -> list[GinIndex]:
    """The indexes behind the search columns: trigrams on the text, GIN on the key arrays."""
    indexes = [
        GinIndex(
            fields=["search_text"], opclasses=["gin_trgm_ops"], name=f"{table}_search_text_trgm"
        ),
        GinIndex(fields=["search_keys"], name=f"{table}_search_keys_gin"),
        GinIndex(fields=["search_typos"], name=f"{table}_search_typos_gin"),
    ]
    if phones:
        indexes.append(
            GinIndex(
                fields=["search_phones"],
                opclasses=["gin_trgm_ops"],
                name=f"{table}_search_phones_trgm",
            )
        )
    return indexes


class CompanySize(models.TextChoices):
    MICRO = "1-10", _("1-10 employees")
    SMALL = "11-50", _("11-50 employees")
    MEDIUM = "51-200", _("51-200 employees")
    LARGE = "201-1000", _("201-1,000 employees")
    ENTERPRISE = "1000+", _("More than 1,000 employees")


class CompanyQuerySet(OwnedQuerySet["Company"]):
    pass


class Company(models.Model):
    """An organisation the workspace sells to or works with."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("website domain"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=20, choices=CompanySize.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="companies_owned",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies", verbose_name=_("tags"))
    custom: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("custom fields"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = search_text_field()
    search_keys = search_keys_field()
    search_typos = search_keys_field()
    search_phones = search_text_field()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["name", "id"], name="crm_company_name_idx"),
            models.Index(fields=["owner", "name", "id"], name="crm_company_owner_name_idx"),
            models.Index(fields=["-updated_at", "-id"], name="crm_company_updated_idx"),
            models.Index(
                fields=["owner", "updated_at", "id"], name="crm_company_owner_updated_idx"
            ),
            models.Index(fields=["-created_at", "-id"], name="crm_company_created_idx"),
            models.Index(
                fields=["owner", "created_at", "id"], name="crm_company_owner_created_idx"
            ),
            models.Index(fields=["city", "id"], name="crm_company_city_idx"),
            models.Index(fields=["owner", "city", "id"], name="crm_company_owner_city_idx"),
            models.Index(Upper("domain"), name="crm_company_domain_idx"),
            _trigram_index("name", "crm_company_name_trgm"),
            *search_indexes("crm_company"),
            GinIndex(
                fields=["custom"], opclasses=["jsonb_path_ops"], name="crm_company_custom_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("company_detail", args=[self.pk])


class ContactQuerySet(OwnedQuerySet["Contact"]):
    pass


class Contact(models.Model):
    """A person: a customer's employee, a decision maker, an accountant."""

    #: The name as the person writes it (张伟, Mary Smith, Madonna): lists, search and
    #: greetings start here. Composed from the parts when only they are given.
    full_name = models.CharField(pgettext_lazy("a person's", "name"), max_length=201)
    #: Optional parts, for greetings, letters and sorting; never required.
    first_name = models.CharField(_("given name"), max_length=100, blank=True)
    last_name = models.CharField(_("family name"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    extra_emails = ArrayField(
        models.EmailField(), verbose_name=_("other emails"), default=list, blank=True
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    extra_phones = ArrayField(
        models.CharField(max_length=50), verbose_name=_("other phones"), default=list, blank=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    birthday = models.DateField(
        _("birthday"), null=True, blank=True, validators=[not_in_the_future]
    )
    email_opt_out = models.BooleanField(_("no marketing emails"), default=False)
    phone_opt_out = models.BooleanField(_("no calls"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contacts_owned",
        verbose_name=_("owner"),
    )
    companies: models.ManyToManyField[Company, ContactCompany] = models.ManyToManyField(
        Company,
        through="ContactCompany",
        related_name="contacts",
        blank=True,
        verbose_name=_("companies"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    custom: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("custom fields"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = search_text_field()
    search_keys = search_keys_field()
    search_typos = search_keys_field()
    search_phones = search_text_field()

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["full_name", "id"], name="crm_contact_name_idx"),
            models.Index(fields=["owner", "full_name", "id"], name="crm_contact_owner_name_idx"),
            models.Index(fields=["-updated_at", "-id"], name="crm_contact_updated_idx"),
            models.Index(
                fields=["owner", "-updated_at", "-id"], name="crm_contact_owner_updated_idx"
            ),
            models.Index(fields=["-created_at", "-id"], name="crm_contact_created_idx"),
            models.Index(
                fields=["owner", "created_at", "id"], name="crm_contact_owner_created_idx"
            ),
            models.Index(fields=["email", "id"], name="crm_contact_email_order_idx"),
            models.Index(fields=["owner", "email", "id"], name="crm_contact_owner_email_idx"),
            models.Index(Upper("email"), name="crm_contact_email_idx"),
            models.Index(fields=["phone"], name="crm_contact_phone_idx"),
            # Without a pending list: an import looks up a chunk's numbers (1,500 keys) right
            # after inserting the chunk before, and every lookup scans the whole pending list
            # (1.1 s against 8 ms once merged); few keys per row make direct inserts cheap.
            GinIndex(phone_tokens(), name="crm_contact_phone_tokens_gin", fastupdate=False),
            _trigram_index("full_name", "crm_contact_name_trgm"),
            *search_indexes("crm_contact"),
            GinIndex(
                fields=["custom"], opclasses=["jsonb_path_ops"], name="crm_contact_custom_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or compose_full_name(self.first_name, self.last_name)

    def get_absolute_url(self) -> str:
        return reverse("contact_detail", args=[self.pk])

    @property
    def greeting_name(self) -> str:
        return greeting_name(full_name=str(self), given=self.first_name)

    @property
    def all_emails(self) -> list[str]:
        return [e for e in [self.email, *self.extra_emails] if e]


class ContactRole(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ACCOUNTANT = "accountant", _("Accountant")
    CONSULTANT = "consultant", _("Consultant")
    OTHER = "other", _("Other")


class ContactCompany(models.Model):
    """A contact's role at a company, over a period (a person may change jobs)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="company_links")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contact_links")
    role = models.CharField(
        _("role"), max_length=30, choices=ContactRole.choices, default=ContactRole.EMPLOYEE
    )
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("company role")
        verbose_name_plural = _("company roles")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "company", "role"], name="crm_contactcompany_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="crm_contactcompany_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.company} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        if not period_in_order(self.started_on, self.ended_on):
            raise ValidationError({"ended_on": PERIOD_OUT_OF_ORDER})


PERIOD_OUT_OF_ORDER = _("The end date cannot be before the start date.")


def period_in_order(started_on: Any, ended_on: Any) -> bool:
    """A role ends on or after the day it started (either end may be unknown)."""
    return started_on is None or ended_on is None or ended_on >= started_on


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    COLD_CALL = "cold_call", _("Cold call")
    PARTNER = "partner", _("Partner")
    ADVERTISING = "advertising", _("Advertising")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    CONVERTED = "converted", _("Converted")


class LeadQuerySet(OwnedQuerySet["Lead"]):
    def open(self) -> LeadQuerySet:
        return self.exclude(status__in=[LeadStatus.CONVERTED, LeadStatus.UNQUALIFIED])


class Lead(models.Model):
    """A prospect not yet qualified; conversion turns it into a contact, a company and a deal."""

    name = models.CharField(_("name"), max_length=200)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="leads_owned",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="leads", verbose_name=_("tags"))
    custom: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("custom fields"), default=dict, blank=True
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_deal = models.ForeignKey(
        "crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = search_text_field()
    search_keys = search_keys_field()
    search_typos = search_keys_field()
    search_phones = search_text_field()

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["name", "id"], name="crm_lead_name_idx"),
            models.Index(fields=["owner", "name", "id"], name="crm_lead_owner_name_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="crm_lead_owner_created_idx"),
            models.Index(fields=["-updated_at", "-id"], name="crm_lead_updated_idx"),
            models.Index(fields=["owner", "updated_at", "id"], name="crm_lead_owner_updated_idx"),
            models.Index(fields=["status", "id"], name="crm_lead_status_idx"),
            models.Index(fields=["owner", "status", "id"], name="crm_lead_owner_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="crm_lead_created_idx"),
            models.Index(Upper("email"), name="crm_lead_email_idx"),
            _trigram_index("name", "crm_lead_name_trgm"),
            *search_indexes("crm_lead"),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="crm_lead_custom_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lead_detail", args=[self.pk])

    @property
    def is_converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED
