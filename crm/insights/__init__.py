"""Insights: dashboards, rep activity and customer value, read from SQL aggregates."""
