import factory
from django.contrib.auth import get_user_model

from centre.models import Centre, Membership, Role

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password(DEFAULT_PASSWORD)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    number = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Training Centre {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    centre = factory.SubFactory(CentreFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ASSESSOR
