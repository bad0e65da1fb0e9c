"""The customer-value refresh: RFM scores, segments, lifetime value, flags, in one statement.

Runs in the workspace's schema (a periodic job, ``crm.insights.tasks``); the previous rows are
replaced inside one transaction, so pages read either the old table or the new one.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from crm.insights.models import CustomerValue
from crm.insights.selectors.money import Conversion
from crm.models import Company, Contact, Deal, DealContact, Stage, StageKind

#: No order for more than this many times the usual gap between orders: "at risk".
AT_RISK_GAP_FACTOR = 2
#: ... and for at least this many days (a weekly buyer is not at risk after 15 days).
AT_RISK_MIN_DAYS = 60

_SEGMENT_SQL = """
    CASE
        WHEN r >= 4 AND (f + m) >= 8 THEN 'champions'
        WHEN r >= 3 AND (f + m) >= 6 THEN 'loyal'
        WHEN r >= 3 THEN 'potential'
        WHEN (f + m) >= 6 THEN 'at_risk'
        WHEN r = 2 THEN 'hibernating'
        ELSE 'lost'
    END
"""


def _amount_sql(conversion: Conversion) -> tuple[str, list[Any]]:
    """SQL for a won deal's amount in the base currency (NULL without a rate) and its params."""
    parts = ["WHEN upper(d.currency) = %s THEN d.amount"]
    params: list[Any] = [conversion.base]
    for code, used in sorted(conversion.rates.items()):
        parts.append("WHEN upper(d.currency) = %s THEN d.amount * %s")
        params += [code, used.rate]
    return "CASE " + " ".join(parts) + " END", params


@transaction.atomic
def customer_values_refresh() -> int:
    """Recompute every customer's value from the won deals; returns the number of rows."""
    conversion = Conversion.current()
    amount, amount_params = _amount_sql(conversion)
    table = CustomerValue._meta.db_table
    sql = f"""
        WITH won AS (
            SELECT d.id, d.company_id, d.won_at, {amount} AS value
            FROM {Deal._meta.db_table} d
            JOIN {Stage._meta.db_table} s ON s.id = d.stage_id
            WHERE s.kind = %s AND d.won_at IS NOT NULL
        ),
        per AS (
            SELECT 'company' AS kind, w.company_id AS record_id, COUNT(*) AS orders,
                   COALESCE(SUM(w.value), 0) AS monetary,
                   MIN(w.won_at) AS first_at, MAX(w.won_at) AS last_at
            FROM won w WHERE w.company_id IS NOT NULL GROUP BY w.company_id
            UNION ALL
            SELECT 'contact', dc.contact_id, COUNT(*), COALESCE(SUM(w.value), 0),
                   MIN(w.won_at), MAX(w.won_at)
            FROM won w JOIN {DealContact._meta.db_table} dc ON dc.deal_id = w.id
            GROUP BY dc.contact_id
        ),
        scored AS (
            SELECT per.*,
                NTILE(5) OVER (PARTITION BY kind ORDER BY last_at, record_id) AS r,
                NTILE(5) OVER (PARTITION BY kind ORDER BY orders, record_id) AS f,
                NTILE(5) OVER (PARTITION BY kind ORDER BY monetary, record_id) AS m,
                ROW_NUMBER() OVER (PARTITION BY kind ORDER BY monetary DESC, record_id) AS rank,
                COUNT(*) OVER (PARTITION BY kind) AS customers,
                GREATEST(0, EXTRACT(EPOCH FROM (now() - last_at)) / 86400)::int AS recency,
                CASE WHEN orders > 1
                     THEN EXTRACT(EPOCH FROM (last_at - first_at)) / 86400 / (orders - 1)
                END AS gap,
                EXTRACT(EPOCH FROM (now() - first_at)) / 86400 AS tenure
            FROM per
        )
        INSERT INTO {table} (
            kind, record_id, owner_id, name, orders, monetary, first_order_at, last_order_at,
            recency_days, mean_gap_days, r_score, f_score, m_score, segment, top_customer,
            projected_year, at_risk, currency, computed_at
        )
        SELECT sc.kind, sc.record_id, COALESCE(co.owner_id, ct.owner_id),
               LEFT(COALESCE(co.name, ct.full_name, ''), 200),
               sc.orders, ROUND(sc.monetary, 2), sc.first_at, sc.last_at, sc.recency,
               ROUND(sc.gap::numeric, 1), sc.r, sc.f, sc.m, {_SEGMENT_SQL},
               sc.rank <= CEIL(sc.customers * 0.2),
               CASE WHEN {_SEGMENT_SQL} = 'lost' THEN 0
                    ELSE ROUND(sc.monetary * 365 / GREATEST(sc.tenure, 365)::numeric, 2) END,
               sc.orders >= 2 AND sc.recency >= %s AND sc.recency > %s * sc.gap,
               %s, now()
        FROM scored sc
        LEFT JOIN {Company._meta.db_table} co ON sc.kind = 'company' AND co.id = sc.record_id
        LEFT JOIN {Contact._meta.db_table} ct ON sc.kind = 'contact' AND ct.id = sc.record_id
    """  # noqa: S608 -- table names are the models'; values are parameters
    params: list[Any] = [
        *amount_params,
        StageKind.WON.value,
        AT_RISK_MIN_DAYS,
        AT_RISK_GAP_FACTOR,
        conversion.base,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(sql, params)
        return int(cursor.rowcount)
