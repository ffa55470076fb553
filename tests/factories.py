"""factory_boy factories shared by the suite. Apps add theirs beside them."""

from __future__ import annotations

import factory

from collab.accounts.models import Department, Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    department = Department.MARKETING
    role = Role.MEMBER
    time_zone = "Europe/Berlin"
    password = factory.django.Password("correct horse battery staple")
