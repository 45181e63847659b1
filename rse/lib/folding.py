"""Case- and accent-insensitive matching in SQL: `field__folded__contains=normalize(term)`.

`folded` is rse.lib.text.normalize on the database side: on SQLite (the embedded default) a
function of ours, `rse_fold`, installed on every connection; on PostgreSQL lower(unaccent(…))
(the extension comes with communities migration 0007). Both sides must be folded: pass
normalize(term) as the value.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform

from rse.lib.text import normalize


class Folded(Transform):
    lookup_name = "folded"

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"rse_fold({lhs})", params

    def as_postgresql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"lower(unaccent({lhs}))", params


def _fold(value):
    return None if value is None else normalize(value)


def install_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("rse_fold", 1, _fold, deterministic=True)


def register():
    CharField.register_lookup(Folded)
    TextField.register_lookup(Folded)
    connection_created.connect(install_sqlite_function, dispatch_uid="rse.lib.folding")
