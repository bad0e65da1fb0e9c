"""Background work recorded in PostgreSQL: jobs, their handlers, the dispatcher and the sweeper.

``models`` (the record), ``registry`` (``@job_handler``), ``services`` (enqueue, run, retry),
``dispatch`` (publishing, bulk fairness), ``sweeper`` (what was left behind), ``selectors``
(figures for the ops console), ``periodic`` (per-workspace periodic work). Import the
submodules; this package imports nothing so that ``core.models`` stays loadable early.
"""
