"""factory_boy factories for the announcement channel."""

from __future__ import annotations

import factory

from chihuy.announcements.models import Message, MessageRead
from chihuy.core.testing.factories import CentreFactory, UserFactory


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    centre = factory.SubFactory(CentreFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Tin nhắn số {n}")


class MessageReadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageRead

    message = factory.SubFactory(MessageFactory)
    user = factory.SubFactory(UserFactory)
