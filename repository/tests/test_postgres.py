"""PostgreSQL-only machinery: pg_trgm, the GIN indexes and the stored search vector."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from repository import services
from repository.models import Item
from repository.selectors import find_similar_items, search_items

pytestmark = pytest.mark.postgres


def test_migration_installed_trigram_and_gin_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'repository_item' AND indexdef ILIKE '%gin%'"
        )
        assert {row[0] for row in cursor.fetchall()} == {"repository_item_search_gin", "repository_item_name_trgm"}


def test_search_vector_covers_documents_and_ranks_names_first(user, customer_type):
    make = lambda **data: services.do_create_item(  # noqa: E731
        user, customer_type, services.check_item_data(user, customer_type, {"fields": {}, **data})
    )
    by_name = make(name="Hydrogen storage")
    by_text = make(name="Acme", description_md="Interested in hydrogen buses")
    by_doc = make(name="Globex")
    services.do_add_document(user, by_doc, name="Hydrogen tender", uploaded=SimpleUploadedFile("t.txt", b"x"))
    assert Item.objects.filter(pk=by_doc.pk, search_vector__isnull=False).exists()
    results = search_items(user, "hydrogen")
    assert results[0] == by_name
    assert {r.pk for r in results} == {by_name.pk, by_text.pk, by_doc.pk}


def test_trigram_similarity_finds_near_duplicates(user, customer_type):
    existing = services.do_create_item(
        user,
        customer_type,
        services.check_item_data(user, customer_type, {"name": "Dauphiné Énergie SA", "fields": {}}),
    )
    assert find_similar_items(user, customer_type, "Dauphiné Energie") == [existing]
    assert find_similar_items(user, customer_type, "Bretagne Composites") == []
