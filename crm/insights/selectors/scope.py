"""What an insights page looks at: a period, a pipeline, an owner, within what the viewer sees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from crm.models import Deal, Pipeline
from crm.models.visibility import sees_everything


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the current (user's or workspace's) time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass(frozen=True)
class Scope:
    """The filters of a page: the period is ``[start, end]`` in whole local days."""

    user: Any
    start: datetime.date
    end: datetime.date
    pipeline: Pipeline | None = None
    owner_id: int | None = None

    @property
    def since(self) -> datetime.datetime:
        return start_of_day(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first moment after the period (exclusive bound)."""
        return start_of_day(self.end + datetime.timedelta(days=1))

    def deals(self) -> Any:
        """The deals the viewer may see, in the pipeline and of the owner chosen."""
        deals = Deal.objects.visible_to(self.user)
        if self.pipeline is not None:
            deals = deals.filter(pipeline=self.pipeline)
        if self.owner_id:
            deals = deals.filter(owner_id=self.owner_id)
        return deals

    def cache_key(self) -> str:
        """What the figures depend on: what the viewer sees, the filters, the period."""
        viewer = "all" if sees_everything(self.user) else f"user{getattr(self.user, 'pk', 0)}"
        pipeline = self.pipeline.pk if self.pipeline is not None else 0
        return f"{viewer}:{pipeline}:{self.owner_id or 0}:{self.start}:{self.end}"

    def deal_list_url(self, **params: Any) -> str:
        """The deal list filtered like this page and by ``params``: the records behind a figure."""
        query: dict[str, Any] = {}
        if self.pipeline is not None:
            query["pipeline"] = self.pipeline.pk
        if self.owner_id:
            query["owner"] = self.owner_id
        query.update({key: value for key, value in params.items() if value not in (None, "")})
        return f"{reverse('deal_list')}?{urlencode(query)}"
