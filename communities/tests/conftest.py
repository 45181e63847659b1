import pytest
from rest_framework.test import APIClient

from communities import notify


class NotificationRecorder:
    def __init__(self):
        self.calls = []

    def __call__(self, kind, recipients, **kwargs):
        self.calls.append({"kind": kind, "recipients": list(recipients), **kwargs})

    def recipients(self, kind):
        return {r for call in self.calls if call["kind"] == kind for r in call["recipients"]}


@pytest.fixture
def notifications(monkeypatch):
    """Stands in for communities.notifications.services.enqueue_notifications."""
    recorder = NotificationRecorder()
    monkeypatch.setattr(notify, "enqueue_notifications", recorder)
    return recorder


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client
