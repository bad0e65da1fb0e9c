"""Which of two duplicates a merge keeps by default, and why.

The survivor keeps its own values where both records have one, and its id (the address
people bookmarked and other records link to), so the default is the record that holds more:
more filled fields plus more history (activities and deals). On a tie the older record
stays. The page says which and why; the user can still choose the other one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.models import Company, Contact

#: The standard fields that count as data a person typed in, per mergeable type.
DATA_FIELDS: dict[type[Any], tuple[str, ...]] = {
    Contact: (
        *("first_name", "last_name", "title", "email", "extra_emails", "phone", "mobile"),
        *("extra_phones", "address", "city", "country", "birthday"),
    ),
    Company: ("name", "domain", "industry", "size", "address", "city", "country", "phone"),
}


@dataclass(frozen=True)
class RecordWeight:
    """How much a record holds: filled fields, activities and deals."""

    record: Any
    filled_fields: int
    activities: int
    deals: int

    @property
    def score(self) -> int:
        return self.filled_fields + self.activities + self.deals

    def describe(self) -> str:
        """ "12 filled fields, 5 activities and 2 deals", in the user's language."""
        return _("%(fields)s, %(activities)s and %(deals)s") % {
            "fields": ngettext(
                "%(count)d filled field", "%(count)d filled fields", self.filled_fields
            )
            % {"count": self.filled_fields},
            "activities": ngettext("%(count)d activity", "%(count)d activities", self.activities)
            % {"count": self.activities},
            "deals": ngettext("%(count)d deal", "%(count)d deals", self.deals)
            % {"count": self.deals},
        }


@dataclass(frozen=True)
class MergeSuggestion:
    """The record to keep, the one folded into it, and the sentence that says why."""

    survivor: RecordWeight
    other: RecordWeight
    reason: str


def _is_filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def record_weight(record: Contact | Company) -> RecordWeight:
    """Count what ``record`` holds: its filled standard and custom fields, tags counted as
    one field, its activities, and its deals (a contact's: the deals it takes part in)."""
    fields = DATA_FIELDS[type(record)]
    filled = sum(_is_filled(getattr(record, name)) for name in fields)
    filled += sum(_is_filled(value) for value in (record.custom or {}).values())
    filled += int(record.tags.exists())
    deals = record.deal_links.count() if isinstance(record, Contact) else record.deals.count()
    return RecordWeight(record, filled, record.activities.count(), deals)


def merge_suggestion(first: Contact | Company, second: Contact | Company) -> MergeSuggestion:
    """The record with more data and history survives; the older one when both hold as much."""
    weights = [record_weight(first), record_weight(second)]
    weights.sort(key=lambda w: (-w.score, w.record.created_at, w.record.pk))
    survivor, other = weights
    if survivor.score > other.score:
        reason = _("Kept because it has %(survivor)s; the other has %(other)s.") % {
            "survivor": survivor.describe(),
            "other": other.describe(),
        }
    else:
        reason = _(
            "Both hold as much data and history; kept because it is the older record "
            "(created %(date)s)."
        ) % {"date": date_format(localtime(survivor.record.created_at), "SHORT_DATE_FORMAT")}
    return MergeSuggestion(survivor, other, reason)
