"""Reads of the insights pages (each module one page)."""
