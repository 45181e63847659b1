"""Raw SQL around querysets, for the analytics statements Django's ORM cannot say (a UNION ALL
grouped again, INSERT … SELECT): each part is a queryset compiled by Django, its parameters bound."""

from django.db import connections, transaction


def compiled(qs, alias):
    """(sql, params) of a queryset, for the database `alias`."""
    return qs.query.get_compiler(using=alias).as_sql()


def run(alias, sql, params):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def read(alias, sql, params):
    """A dashboard's statement, on PostgreSQL without parallel workers: for the hundred thousand rows
    of a year, starting them costs more than they save (bench, 10,000 people: 124 ms against 241)."""
    if connections[alias].vendor != "postgresql":
        return run(alias, sql, params)
    with transaction.atomic(using=alias):
        run(alias, "SET LOCAL max_parallel_workers_per_gather = 0", [])
        return run(alias, sql, params)
