"""Pages of the marketing app: admin pages (signed in) and the public web form endpoints."""
