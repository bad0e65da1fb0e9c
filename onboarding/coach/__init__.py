"""The implementation coach: readiness rules, the calendar they reason with, and the plan."""
