"""The security suite reuses the billing fixtures (public host client, ops console)."""

from tests.billing.conftest import (  # noqa: F401 -- fixtures are found by name
    ops_client,
    public_client,
    run_on_commit,
    staff,
)
from tests.crm.conftest import (  # noqa: F401 -- fixtures are found by name
    admin,
    client_as,
    crm,
)
