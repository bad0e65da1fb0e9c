"""Links between records: people on a deal in a role, a contact's roles at companies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import services
from crm.errors import CrmError
from crm.forms import ContactCompanyForm, DealContactForm
from crm.models import Contact, ContactCompany, Deal, DealContact
from crm.selectors import editable_or_404
from crm.views.helpers import redirect_after_post, user_of, write_required


def _report_errors(request: HttpRequest, form: DealContactForm | ContactCompanyForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


@require_POST
@write_required
def deal_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact the user can see to a deal the user can change, in a role."""
    user = user_of(request)
    deal = editable_or_404(Deal.objects.all(), user, pk)
    form = DealContactForm(request.POST, user=user)
    if not form.is_valid():
        _report_errors(request, form)
        return redirect_after_post(request, deal.get_absolute_url())
    try:
        link = services.deal_contact_add(
            deal=deal, contact=form.cleaned_data["contact"], role=form.cleaned_data["role"], by=user
        )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(contact)s added to the deal.") % {"contact": link.contact})
    return redirect_after_post(request, deal.get_absolute_url())


@require_POST
@write_required
def deal_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a person off a deal (the deal must be the user's to change)."""
    user = user_of(request)
    link = DealContact.objects.select_related("deal", "contact").filter(pk=pk).first()
    if link is None or not Deal.objects.editable_by(user).filter(pk=link.deal_id).exists():
        raise Http404
    deal = link.deal
    try:
        services.deal_contact_remove(link=link, by=user)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(contact)s removed from the deal.") % {"contact": link.contact}
        )
    return redirect_after_post(request, deal.get_absolute_url())


@require_POST
@write_required
def contact_company_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a contact's role at a company the user can see, with optional dates."""
    user = user_of(request)
    contact = editable_or_404(Contact.objects.all(), user, pk)
    form = ContactCompanyForm(request.POST, user=user)
    if not form.is_valid():
        _report_errors(request, form)
        return redirect_after_post(request, contact.get_absolute_url())
    data = form.cleaned_data
    try:
        link = services.contact_company_link(
            contact=contact,
            company=data["company"],
            role=data["role"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            by=user,
        )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Linked to %(company)s.") % {"company": link.company})
    return redirect_after_post(request, contact.get_absolute_url())


@require_POST
@write_required
def contact_company_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of a contact's company roles (the contact must be the user's to change)."""
    user = user_of(request)
    link = ContactCompany.objects.select_related("contact", "company").filter(pk=pk).first()
    if link is None or not Contact.objects.editable_by(user).filter(pk=link.contact_id).exists():
        raise Http404
    contact = link.contact
    try:
        services.contact_company_unlink(link=link, by=user)
    except CrmError as error:
        messages.error(request, str(error))
    return redirect_after_post(request, contact.get_absolute_url())
