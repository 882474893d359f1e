"""Fast bulk inserts for hot write paths (library scans write hundreds of rows per batch).

`QuerySet.bulk_create` builds a model instance per row and compiles every value through
its field on each call; on a scan that is most of the write time. `insert_rows` takes plain
tuples in a fixed column order and runs one prepared `executemany`, converting only the
columns whose field needs it (datetimes, decimals). It fires no signals and runs no
`save()`: use it only where the caller already bypasses both (bulk writers that reindex
search themselves)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

_NEEDS_PREP = (models.DateTimeField, models.DateField, models.DecimalField, models.JSONField)


def _conflict_clause(on_conflict: str, conflict_fields: Sequence[str], update: Sequence[str], qn) -> str:
    if on_conflict == "error":
        return ""
    target = f" ({', '.join(qn(c) for c in conflict_fields)})" if conflict_fields else ""
    if on_conflict == "ignore":
        return f" ON CONFLICT{target} DO NOTHING"
    if on_conflict == "update":
        assignments = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
        return f" ON CONFLICT{target} DO UPDATE SET {assignments}"
    raise ValueError(f"unknown on_conflict {on_conflict!r}")


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    on_conflict: str = "error",  # "error", "ignore" (DO NOTHING) or "update" (DO UPDATE)
    conflict_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> int:
    """Insert plain value tuples (in `field_names` order, foreign keys as ids: "item_id").
    Returns how many rows were sent. The caller holds the transaction."""
    rows = list(rows)
    if not rows:
        return 0
    meta, qn = model._meta, connection.ops.quote_name
    fields = [
        meta.get_field(name.removesuffix("_id")) if name.endswith("_id") else meta.get_field(name)
        for name in field_names
    ]
    prep = [(i, f) for i, f in enumerate(fields) if isinstance(f, _NEEDS_PREP)]
    if prep:
        convert = _Converter()
        rows = [_prepared(row, prep, convert) for row in rows]
    column = {f.name: f.column for f in fields}
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})" + _conflict_clause(
        on_conflict,
        [meta.get_field(n).column for n in conflict_fields],
        [column.get(n) or meta.get_field(n).column for n in update_fields],
        qn,
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


class _Converter:
    """Field-by-field `get_db_prep_save`, remembered per (field, value): a batch stamps the
    same datetime on every row, and converting it is most of the cost of a datetime column."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, object], object] = {}

    def __call__(self, field: models.Field, value: object) -> object:
        try:
            key = (id(field), value)
            hit = self._seen.get(key, _MISSING)
        except TypeError:  # unhashable (JSON): convert every time
            return field.get_db_prep_save(value, connection)
        if hit is _MISSING:
            hit = self._seen[key] = field.get_db_prep_save(value, connection)
        return hit


_MISSING = object()


def _prepared(row: Sequence[object], prep: list[tuple[int, models.Field]], convert: _Converter) -> list[object]:
    values = list(row)
    for index, field in prep:
        values[index] = convert(field, values[index])
    return values


def insert_instances(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """`bulk_create` for unsaved instances without its per-value compilation: one multi-row
    INSERT ... RETURNING per chunk, setting each instance's primary key (SQLite >= 3.35 and
    PostgreSQL return the rows in VALUES order, which Django's bulk_create relies on too).
    auto_now/auto_now_add fields are stamped; no signals, no save()."""
    if not objs:
        return
    meta, qn = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    prep = {f.attname: f for f in fields if isinstance(f, _NEEDS_PREP)}
    columns = ", ".join(qn(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    chunk = max(1, 30_000 // len(fields))  # SQLite allows 32,766 parameters per statement
    convert = _Converter()
    for start in range(0, len(objs), chunk):
        part = objs[start : start + chunk]
        params: list[object] = []
        for obj in part:
            for f in fields:
                value = now if f.attname in stamped else getattr(obj, f.attname)
                if f.attname in stamped:
                    setattr(obj, f.attname, now)
                params.append(convert(prep[f.attname], value) if f.attname in prep else value)
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {', '.join([row_marks] * len(part))} "
            f"RETURNING {qn(meta.pk.column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(part, ids, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias


def insert_returning(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[object]],
    returning: Sequence[str],
    *,
    conflict_fields: Sequence[str],
) -> list[tuple]:
    """Insert plain value tuples, skipping rows that conflict on `conflict_fields`, and return
    `returning` columns of the rows actually inserted (multi-row INSERT ... ON CONFLICT DO
    NOTHING RETURNING, chunked under SQLite's parameter limit). No lookup of existing rows is
    needed first, which matters on PostgreSQL, where such IN-list lookups can be planned badly."""
    if not rows:
        return []
    meta, qn = model._meta, connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(n.removesuffix("_id") if n.endswith("_id") else n).column)
                        for n in field_names)
    row_marks = "(" + ", ".join(["%s"] * len(field_names)) + ")"
    target = ", ".join(qn(meta.get_field(n).column) for n in conflict_fields)
    back = ", ".join(qn(meta.get_field(n).column) for n in returning)
    chunk = max(1, 30_000 // len(field_names))
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {', '.join([row_marks] * len(part))} "
                f"ON CONFLICT ({target}) DO NOTHING RETURNING {back}",
                [value for row in part for value in row],
            )
            inserted += [tuple(r) for r in cursor.fetchall()]
    return inserted
