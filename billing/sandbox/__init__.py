"""The offline payment provider: hosted checkout and portal pages, a billing clock, and
Stripe-shaped signed events posted to Rapport's own webhook endpoint."""
