"""The answer endpoint's one read: the attempt entry with its attempt, item and clips.

Answering is the hot path of a campaign (hundreds of answers a second on one machine), and
building this five-table query with the ORM cost more CPU than running it: about 0.9 ms of
the ~4.5 ms an answer takes. So its SQL is written out once per database from the models'
own metadata, and the rows become model instances the way the ORM makes them
(`Model.from_db`, with each field's database converters), the clips with only the fields
judging reads and every other field deferred (loaded on access, never wrong).
"""

from __future__ import annotations

from functools import cache
from uuid import UUID

from django.db import connections
from django.db.models import Model

from media_library.models import Clip
from quiz.models import Attempt, AttemptItem, Item

# What answering reads of a clip: judging needs the truth, the form the duration, and the
# refusal of a withdrawn entry whether the clip is still quizzable (`Clip.is_quizzable`).
ANSWER_CLIP_FIELDS = (
    "verdict",
    "technique",
    "kind",
    "duration_seconds",
    "publication_state",
    "processing_status",
    "quiz_media",
)


def clip_columns() -> list:
    # In the model's own field order: Model.from_db matches values to fields in that order.
    wanted = {Clip._meta.pk.name, *ANSWER_CLIP_FIELDS}
    return [field for field in Clip._meta.concrete_fields if field.name in wanted]


# (model, alias, the fields read) in the order the SELECT lists them.
def parts() -> list[tuple[type[Model], str, list]]:
    return [
        (AttemptItem, "entry", list(AttemptItem._meta.concrete_fields)),
        (Attempt, "attempt", list(Attempt._meta.concrete_fields)),
        (Item, "item", list(Item._meta.concrete_fields)),
        (Clip, "clip", clip_columns()),
        (Clip, "other", clip_columns()),
    ]


@cache
def select_sql(alias: str) -> str:
    """The SELECT and FROM, quoted for that database; the WHERE is added per request."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{quote(table_alias)}.{quote(field.column)}"
        for _model, table_alias, fields in parts()
        for field in fields
    )

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        return quote(model._meta.get_field(name).column)

    # Only quoted identifiers from the models' metadata are formatted in; values are parameters.
    return (
        f"SELECT {columns} FROM {table(AttemptItem)} AS {quote('entry')} "  # noqa: S608
        f"JOIN {table(Attempt)} AS {quote('attempt')} ON {quote('attempt')}.{quote('id')} = "
        f"{quote('entry')}.{column(AttemptItem, 'attempt')} "
        f"JOIN {table(Item)} AS {quote('item')} ON {quote('item')}.{quote('id')} = "
        f"{quote('entry')}.{column(AttemptItem, 'item')} "
        f"JOIN {table(Clip)} AS {quote('clip')} ON {quote('clip')}.{quote('id')} = "
        f"{quote('item')}.{column(Item, 'clip')} "
        f"LEFT JOIN {table(Clip)} AS {quote('other')} ON {quote('other')}.{quote('id')} = "
        f"{quote('item')}.{column(Item, 'other_clip')} "
        f"WHERE {quote('attempt')}.{column(Attempt, 'uid')} = %s "
        f"AND {quote('entry')}.{column(AttemptItem, 'position')} = %s"
    )


@cache
def converters(alias: str) -> list[list]:
    """Per selected column, the converters the ORM would apply to its value."""
    connection = connections[alias]
    result = []
    for model, _table_alias, fields in parts():
        for field in fields:
            col = field.get_col(model._meta.db_table)
            result.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
    return result


def entry_for_answer(
    uid: UUID, position: int, *, user_id: int | None, in_session: bool, using: str = "default"
) -> AttemptItem | None:
    """The entry at `position` of attempt `uid`, if the requester owns the attempt: through
    their account (`user_id`) or, for an attempt without an account, their session."""
    owners, params = [], [uid, position]
    quote = connections[using].ops.quote_name
    owner = f"{quote('attempt')}.{quote(Attempt._meta.get_field('user').column)}"
    if in_session:
        owners.append(f"{owner} IS NULL")
    if user_id is not None:
        owners.append(f"{owner} = %s")
        params.append(user_id)
    if not owners:
        return None
    connection = connections[using]
    sql = f"{select_sql(using)} AND ({' OR '.join(owners)})"  # identifiers only, as above
    # The uid column is a native uuid on PostgreSQL and 32 hex characters on SQLite.
    params[0] = Attempt._meta.get_field("uid").get_db_prep_value(uid, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        _convert(value, col, functions, connection)
        for value, (col, functions) in zip(row, converters(using), strict=True)
    ]
    instances, start = [], 0
    for model, _alias, fields in parts():
        chunk = values[start : start + len(fields)]
        start += len(fields)
        if chunk[0] is None:  # the primary key: no other clip (a LEFT JOIN found nothing)
            instances.append(None)
            continue
        instances.append(model.from_db(using, [f.attname for f in fields], chunk))
    entry, attempt, item, clip, other = instances
    AttemptItem._meta.get_field("attempt").set_cached_value(entry, attempt)
    AttemptItem._meta.get_field("item").set_cached_value(entry, item)
    Item._meta.get_field("clip").set_cached_value(item, clip)
    Item._meta.get_field("other_clip").set_cached_value(item, other)
    return entry


def _convert(value, col, functions, connection):
    for function in functions:
        value = function(value, col, connection)
    return value
