from datetime import timedelta

import pytest
from django.utils import timezone

from rse.accounts.models import User
from rse.accounts.tests.factories import UserFactory
from rse.lib.cursor import InvalidCursor, paginate

pytestmark = pytest.mark.django_db


def test_keyset_pages_cover_every_row_once_even_with_equal_timestamps():
    same_time = timezone.now()
    for i in range(7):
        UserFactory(date_joined=same_time if i % 2 else same_time - timedelta(minutes=i))
    seen, cursor = [], None
    while True:
        page = paginate(User.objects.all(), ordering=("-date_joined",), cursor=cursor, size=3)
        seen.extend(u.pk for u in page)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = list(User.objects.order_by("-date_joined", "-id").values_list("pk", flat=True))
    assert seen == expected


def test_garbage_cursor_is_refused():
    with pytest.raises(InvalidCursor):
        paginate(User.objects.all(), ordering=("-date_joined",), cursor="not-a-cursor!!", size=3)
