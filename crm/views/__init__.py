"""CRM pages. Views do HTTP only: a form parses, a selector or service works, a template renders."""
