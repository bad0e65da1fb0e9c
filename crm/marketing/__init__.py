"""Marketing: web-to-lead forms, segments and the telesales call queues (workspace schema)."""
