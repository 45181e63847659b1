import pytest
from django.db import connection

from directory import selectors
from directory.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_trigram_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'directory_profile_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition


def test_trigram_search_forgives_a_typo():
    helene = person("Hélène", "Dupré")
    person("Marc", "Dubois")
    assert list(selectors.search_people(q="hlene")) == [helene]
    assert list(selectors.search_people(q="HELENE")) == [helene]
