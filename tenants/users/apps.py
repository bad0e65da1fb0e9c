from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    """People who sign in.

    Installed in both schemas: in the public schema its rows are provider-operations staff; in
    a workspace schema they are that workspace's users. A user, a session or a token of one
    workspace therefore does not exist in any other.
    """

    name = "tenants.users"
    label = "users"
    verbose_name = _("Users")

    def ready(self) -> None:
        from tenants.users import signals  # noqa: F401 -- connects the sign-in receivers
