"""factory_boy factories. User factories write into whichever schema is active."""

from __future__ import annotations

import factory
from django.utils import timezone

from tenants.users.models import Role, User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.REP
    is_active = True
    #: Accounts made by factories stand for people whose address is known to work.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805 -- factory_boy hook signature
        if create:
            obj.save()


class AdminFactory(UserFactory):
    role = Role.ADMIN
