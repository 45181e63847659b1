"""Querysets compiled to SQL once per process and connection; each call binds its own values.

Compiling a queryset (Django's SQLCompiler.as_sql: the select list with its joins and only(), the
WHERE tree, the ordering) costs more CPU than PostgreSQL takes to run most of our page queries:
~0.4 ms for a feed query that joins the author, the poll and the event, ~2 ms of a feed page's
~10 over its eight queries. Yet a page runs the same few statements on every request, with other ids.

    @precompiled(shape=("ordering", "size"))
    def first_posts(*, community_id, ordering, size):
        return Post.objects.filter(community_id=community_id).order_by(*ordering)[:size]

    rows = first_posts(community_id=3, ordering=("-created_at", "-id"), size=21)  # a list

The first call of each *shape* builds the queryset with stand-in values, compiles it and notes
where each stand-in lands among the SQL parameters; later calls copy those parameters, put their
own values in those places, and let Django's own iterable turn the rows into instances (joins,
deferred fields, converters, values_list all as usual). The result is a list, never a queryset: a
queryset chained further would keep the old SQL.

Arguments named in `shape` are passed to the builder as they are and select the statement (None,
booleans, an ordering, a slice size); every other argument is a value, bound as an SQL parameter:
an int, a str, or a list/tuple of ints (its length is part of the shape: IN of 3 and IN of 4 are
two statements). A builder must use values only as query values (filter, exclude, a subquery's
filter), never in Python logic, a slice or a transform (icontains): the first compile of a shape
checks that each stand-in reached the parameters unchanged and never the SQL text, and raises
otherwise. The statements are kept on the connection object (per thread and database, as Django's
connections are), at most MAX_SHAPES per builder.

On PostgreSQL they also run prepared (preparing(), settings.RSE_PREPARED_STATEMENTS): the server
plans each of them once per connection instead of on every request.
"""

import copy
import functools

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections

# Within a 32-bit integer column's range: Django 5 turns an out-of-range value of an IntegerField
# lookup into an always-empty condition, which would hide the stand-in from the parameters.
_STAND_IN_INT = 2_117_000_000
_STAND_IN_STR = "\x1eprecompiled-{}\x1e"
MAX_SHAPES = 64


class PrecompileError(TypeError):
    pass


class _Statement:
    __slots__ = ("compiler", "converters", "empty", "params", "queryset", "slots", "sql")


def _stand_ins(values):
    """A unique stand-in per value (a list per list) and, per stand-in, where its value comes from."""
    stand_ins, sources, n = {}, {}, 0
    for name, value in values.items():
        if isinstance(value, bool) or value is None:
            raise PrecompileError(f"{name}={value!r}: None and booleans change the SQL, name them in shape")
        if isinstance(value, int):
            stand_ins[name] = _STAND_IN_INT + n
            sources[_STAND_IN_INT + n] = (name, None)
            n += 1
        elif isinstance(value, str):
            stand_ins[name] = _STAND_IN_STR.format(n)
            sources[stand_ins[name]] = (name, None)
            n += 1
        elif isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            stand_ins[name] = []
            for i in range(len(value)):
                stand_ins[name].append(_STAND_IN_INT + n)
                sources[_STAND_IN_INT + n] = (name, i)
                n += 1
        else:
            raise PrecompileError(f"{name}: bind an int, a str or a list of ints; name other arguments in shape")
    return stand_ins, sources


def _compile(build, using, shape_args, values):
    stand_ins, sources = _stand_ins(values)
    queryset = build(**shape_args, **stand_ins)
    statement = _Statement()
    statement.queryset = queryset
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        statement.empty = True
        return statement
    statement.empty = False
    slots, seen = [], set()
    for position, param in enumerate(params):
        if isinstance(param, int | str) and not isinstance(param, bool) and param in sources:
            slots.append((position, *sources[param]))
            seen.add(param)
    missing = [sources[s][0] for s in sources if s not in seen]
    if missing:
        raise PrecompileError(f"{build.__qualname__}: {sorted(set(missing))} did not reach the SQL parameters as is")
    if any(str(s) in sql for s in sources):
        raise PrecompileError(f"{build.__qualname__}: a value went into the SQL text (a slice?): name it in shape")
    statement.compiler, statement.sql, statement.params, statement.slots = compiler, sql, tuple(params), slots
    # What turns each column into a Python value depends only on the columns: found once too.
    statement.converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return statement


def preparing(connection):
    """`connection` (a DatabaseWrapper), whose cursor() binds parameters on the server when
    settings.RSE_PREPARED_STATEMENTS (PostgreSQL, our own pool): psycopg then prepares a statement
    from its fifth run on a connection, and PostgreSQL plans it once instead of on every request
    (planning took more of its CPU than running our page queries). Only for statements known to
    bind cleanly (the precompiled ones, the feed's flags): Django's ORM does not promise that
    every query it writes does (#20516). Anything else: the connection itself."""
    if connection.vendor != "postgresql" or not settings.RSE_PREPARED_STATEMENTS:
        return connection
    return _Preparing(connection)


class _Preparing:
    def __init__(self, wrapper):
        self._wrapper = wrapper

    def __getattr__(self, name):
        return getattr(self._wrapper, name)

    def cursor(self):
        from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
        from django.db.backends.postgresql.psycopg_any import register_tzloader
        from psycopg.pq import Format

        wrapper = self._wrapper
        wrapper.close_if_health_check_failed()
        wrapper.ensure_connection()
        with wrapper.wrap_database_errors:
            cursor = _preparing_cursor_class(ServerBindingCursor)(wrapper.connection)
            # As DatabaseWrapper.create_cursor does: the connection's time zone on the cursor.
            tzloader = wrapper.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
            if wrapper.timezone != tzloader.timezone:
                register_tzloader(wrapper.timezone, cursor)
            wrapper.validate_thread_sharing()
            if wrapper.queries_logged:
                return _debug_wrapper_class()(cursor, wrapper)
            return wrapper.make_cursor(cursor)


@functools.cache
def _debug_wrapper_class():
    from contextlib import contextmanager

    from django.db.backends.postgresql.base import CursorDebugWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        """Django's debug cursor (the tests' query counts, DEBUG's query log): a prepared statement
        leaves psycopg no query text, so the logged SQL is composed from the statement and its values."""

        @contextmanager
        def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
            if use_last_executed_query and not many:
                try:
                    sql = self.db.ops.compose_sql(sql, params)
                except Exception:  # noqa: BLE001, S110 - the log shows the statement as it is
                    pass
            with super().debug_sql(sql, params, use_last_executed_query=False, many=many):
                yield

    return PreparedDebugWrapper


@functools.cache
def _preparing_cursor_class(base):
    class PreparingCursor(base):
        """Prepares every statement it runs (Django turns psycopg's automatic preparation off, for
        the poolers that cannot keep prepared statements: settings.RSE_PREPARED_STATEMENTS)."""

        def execute(self, query, params=None, *, prepare=None, **kwargs):
            return super().execute(query, params, prepare=True if prepare is None else prepare, **kwargs)

    return PreparingCursor


def _run(statement, values):
    if statement.empty:
        return []
    params = list(statement.params)
    for position, name, index in statement.slots:
        value = values[name] if index is None else values[name][index]
        params[position] = str(value) if isinstance(value, str) else int(value)
    compiler = copy.copy(statement.compiler)
    compiler.connection = preparing(compiler.connection)
    sql, params = statement.sql, tuple(params)
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    converters = statement.converters
    compiler.get_converters = lambda expressions: converters
    queryset = statement.queryset._chain()
    # This clone is never handed out: only its rows are (a chained queryset would keep this SQL).
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return list(queryset)


def precompiled(shape=(), using=DEFAULT_DB_ALIAS):
    shape = tuple(shape)

    def decorate(build):
        @functools.wraps(build)
        def run(**kwargs):
            shape_args = {name: kwargs.pop(name) for name in shape}
            values = {}
            for name, value in kwargs.items():
                if isinstance(value, list | tuple):
                    value = list(dict.fromkeys(value))  # an IN list, deduplicated as Django does
                values[name] = value
            key = (
                build,
                tuple(shape_args.items()),
                tuple((name, len(v) if isinstance(v, list) else type(v)) for name, v in values.items()),
            )
            connection = connections[using]
            statements = connection.__dict__.setdefault("_rse_precompiled", {})
            statement = statements.get(key)
            if statement is None:
                if sum(1 for k in statements if k[0] is build) >= MAX_SHAPES:
                    return list(build(**shape_args, **values))  # an unusual shape: compiled as usual
                statement = statements[key] = _compile(build, using, shape_args, values)
            return _run(statement, values)

        run.build = build
        return run

    return decorate
