"""Web forms: build them (admins) and turn a visitor's submission into a lead or a contact."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from core.phones import phone_key
from crm.marketing.models import Assignment, SubmissionResult, WebForm, WebFormSubmission
from crm.marketing.webforms import UTM_FIELDS, CatalogueField
from crm.models import ActivityKind, AuditAction, Contact, LeadSource, ObjectType
from crm.services.activities import activity_create
from crm.services.audit import audit_record
from crm.services.common import ensure_admin
from crm.services.records import contact_update, lead_create
from tenants.users.models import Role, User

WEB_FORM_SETTINGS = (
    "name", "is_active", "fields", "title", "thank_you_message", "redirect_url", "assignment",
    "owner", "auto_reply", "auto_reply_subject", "auto_reply_body", "double_opt_in",
)  # fmt: skip


@transaction.atomic
def web_form_save(
    *,
    by: User,
    values: Mapping[str, Any],
    rotation: Iterable[User] = (),
    form: WebForm | None = None,
) -> WebForm:
    """Create or change a web form (admins only), audited as a settings change."""
    ensure_admin(by)
    unknown = set(values) - set(WEB_FORM_SETTINGS)
    if unknown:
        raise ValueError(f"Unknown web form settings: {sorted(unknown)}")
    created = form is None
    form = form or WebForm()
    for name, value in values.items():
        setattr(form, name, value)
    form.full_clean()
    form.save()
    form.round_robin_users.set(list(rotation))
    audit_record(
        actor=by,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=ObjectType.SETTINGS,
        object_id=int(form.pk),
        object_repr=_("Web form %(name)s") % {"name": form.name},
        changes={"web_form": [None, form.name]},
    )
    return form


@transaction.atomic
def web_form_delete(*, by: User, form: WebForm) -> None:
    ensure_admin(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.SETTINGS,
        object_id=int(form.pk),
        object_repr=_("Web form %(name)s") % {"name": form.name},
    )
    form.delete()


def _can_own(user: User) -> bool:
    return bool(user.is_active and user.role != Role.READ_ONLY)


def assignee_next(*, form: WebForm) -> User:
    """Who gets the next lead: the form's owner, or the next active rep of the rotation.

    The form row is locked while the rotation advances, so two submissions at the same
    moment go to two different people.
    """
    if form.assignment != Assignment.ROUND_ROBIN:
        return form.owner
    locked = WebForm.objects.select_for_update().get(pk=form.pk)
    rotation = [user for user in locked.round_robin_users.order_by("pk") if _can_own(user)]
    if not rotation:
        return form.owner
    chosen = rotation[locked.round_robin_count % len(rotation)]
    WebForm.objects.filter(pk=form.pk).update(round_robin_count=locked.round_robin_count + 1)
    return chosen


def contact_matching(*, email: str, phone: str) -> Contact | None:
    """The contact a visitor is, found by e-mail (any of theirs, case folded) or by phone
    (E.164 against any of their numbers); ``None`` when nobody matches."""
    if email:
        found = (
            Contact.objects.annotate(email_upper=Upper("email"))
            .filter(Q(email_upper=email.upper()) | Q(extra_emails__contains=[email.lower()]))
            .order_by("pk")
            .first()
        )
        if found is not None:
            return found
    if phone:
        key = phone_key(phone)
        if key:
            return (
                Contact.objects.filter(
                    Q(phone=key) | Q(mobile=key) | Q(extra_phones__contains=[key])
                )
                .order_by("pk")
                .first()
            )
    return None


def _note_body(
    form: WebForm, values: Mapping[str, Any], context: Mapping[str, str], labels: Mapping[str, str]
) -> str:
    lines = [f"{labels.get(key, key)}: {value}" for key, value in values.items()]
    lines += [f"{name}: {value}" for name, value in context.items() if value]
    return "\n".join(lines)


def _custom(
    values: Mapping[str, Any], catalogue: Mapping[str, CatalogueField], target: str
) -> dict[str, Any]:
    from crm.custom_fields import to_storage

    custom: dict[str, Any] = {}
    for key, value in values.items():
        field = catalogue.get(key)
        if field is not None and field.definition is not None and field.target == target:
            custom[field.definition.key] = to_storage(field.definition, value)
    return custom


@transaction.atomic
def web_form_submit(
    *,
    form: WebForm,
    values: Mapping[str, Any],
    context: Mapping[str, str],
    catalogue: Mapping[str, CatalogueField],
    labels: Mapping[str, str] | None = None,
) -> WebFormSubmission:
    """Turn a visitor's submission into a new lead, or update the contact it matches.

    A contact found by e-mail or phone gets the values it lacks (never overwriting what the
    team typed) and the form's contact custom fields; anyone else becomes a new web lead
    owned by the form's assignee. The submission, its UTM parameters and page are logged
    for the form and noted on the record's timeline. The auto-reply and the double opt-in
    e-mail leave after commit, in jobs.
    """
    email = str(values.get("email") or "").strip().lower()
    phone = str(values.get("phone") or "").strip()
    name = str(values.get("name") or "").strip()
    contact = contact_matching(email=email, phone=phone)
    assignee = assignee_next(form=form)
    lead = None
    if contact is not None:
        actor = contact.owner if _can_own(contact.owner) else assignee
        fields: dict[str, Any] = {}
        if email and not contact.email:
            fields["email"] = email
        if phone and not (contact.phone or contact.mobile):
            fields["phone"] = phone
        if name and not contact.full_name:
            fields["full_name"] = name
        custom = _custom(values, catalogue, "contact")
        if custom:
            fields["custom"] = custom
        if fields:
            contact = contact_update(contact=contact, by=actor, fields=fields)
        result = SubmissionResult.CONTACT_UPDATED
        record_link: dict[str, Any] = {"contact": contact}
    else:
        actor = assignee
        lead_fields: dict[str, Any] = {
            "name": name or email or phone or _("Web form visitor"),
            "email": email,
            "phone": phone,
            "company_name": str(values.get("company_name") or "")[:200],
            "source": LeadSource.WEBSITE,
            "owner": assignee,
        }
        custom = _custom(values, catalogue, "lead")
        if custom:
            lead_fields["custom"] = custom
        lead = lead_create(by=actor, fields=lead_fields)
        result = SubmissionResult.LEAD_CREATED
        record_link = {"lead": lead}
    stored = {key: _json(value) for key, value in values.items()}
    submission = WebFormSubmission.objects.create(
        form=form,
        result=result,
        lead=lead,
        contact=contact if lead is None else None,
        email=email,
        data=stored,
        **{utm: str(context.get(utm) or "")[:200] for utm in UTM_FIELDS},
        page_url=str(context.get("page_url") or "")[:1000],
        referrer=str(context.get("referrer") or "")[:1000],
    )
    activity_create(
        by=actor,
        fields={
            "kind": ActivityKind.NOTE,
            "subject": (_("Web form: %(form)s") % {"form": form.name})[:200],
            "body": _note_body(form, stored, context, labels or {}),
            "owner": actor,
            **record_link,
        },
    )
    if email:
        from crm.marketing.tasks import auto_reply_job, double_opt_in_job

        if form.auto_reply and form.auto_reply_body:
            auto_reply_job.enqueue(submission_id=submission.pk)
        if form.double_opt_in:
            double_opt_in_job.enqueue(submission_id=submission.pk)
    return submission


def _json(value: Any) -> Any:
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


@transaction.atomic
def submission_confirm(*, submission: WebFormSubmission) -> WebFormSubmission:
    """The visitor clicked the double opt-in link: remember when (once), and a matched
    contact who had opted out of marketing e-mail is opted back in by their own act."""
    submission = WebFormSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.confirmed_at is not None:
        return submission
    submission.confirmed_at = timezone.now()
    submission.save(update_fields=["confirmed_at"])
    contact = submission.contact
    if contact is not None and contact.email_opt_out:
        Contact.objects.filter(pk=contact.pk).update(email_opt_out=False)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type=ObjectType.CONTACT,
            object_id=int(contact.pk),
            object_repr=str(contact),
            changes={"email_opt_out": [True, False]},
        )
    return submission


def phone_checked(phone: str) -> str:
    """A submitted phone as E.164, or a ``ValidationError`` a visitor can act on."""
    from core.phones import phone_normalise

    return phone_normalise(phone) if phone else ""
