"""Workflow rules without code and customer-care touches (tenant schema, label ``automation``).

``rules`` (evaluation: triggers, conditions, actions), ``webhooks`` (signed outgoing calls),
``care`` (birthdays, anniversaries, holidays, keep in touch, after a won deal), ``hooks``
(what the CRM services call when a record changes), ``services`` (writes), ``selectors``
(reads), ``tasks`` (jobs), ``views``/``forms``/``urls`` (the admin settings pages).
"""
