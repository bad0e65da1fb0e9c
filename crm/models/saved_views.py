"""Saved views: a list's filters and sort under a name, for one user or the whole workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.users.models import Role

if TYPE_CHECKING:
    from tenants.users.models import User


class ListType(models.TextChoices):
    """The list pages a view can be saved on."""

    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")
    LEAD = "lead", _("Leads")
    DEAL = "deal", _("Deals")
    ACTIVITY = "activity", _("Activities")
    CASE = "case", _("Cases")
    CAMPAIGN = "campaign", _("Campaigns")


class SavedViewQuerySet(models.QuerySet["SavedView"]):
    def visible_to(self, user: User | Any) -> SavedViewQuerySet:
        """The user's own views and every shared one."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(Q(owner=user) | Q(shared=True))

    def deletable_by(self, user: User | Any) -> SavedViewQuerySet:
        """Views the user may delete: their own; admins also remove shared views of others."""
        visible = self.visible_to(user)
        if getattr(user, "role", None) == Role.ADMIN:
            return visible
        return visible.filter(owner=user)

    def for_list(self, list_type: str) -> SavedViewQuerySet:
        return self.filter(list_type=list_type).order_by("name", "id")


class SavedView(models.Model):
    """Filters and sort of a list page saved under a name.

    ``query`` is the list's query string without its page cursor, e.g.
    ``owner=3&tag=1&sort=-updated``; applying the view opens the list with it.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    list_type = models.CharField(_("list"), max_length=20, choices=ListType.choices)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(
        _("shared with the workspace"),
        default=False,
        help_text=_("Everyone in the workspace sees shared views."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["list_type", "name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [
            models.Index(fields=["list_type", "owner"], name="crm_savedview_list_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.name
