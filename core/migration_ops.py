"""Migration operations shared by the apps."""

from __future__ import annotations

from django.db import migrations


class DropFieldIndex(migrations.SeparateDatabaseAndState):
    """`AlterField` for a field that loses `db_index` (or a foreign key that loses its own
    index), done by dropping just that index. Django's own AlterField rebuilds the whole
    table on SQLite, which would also drop indexes made by hand (RunSQL) on that table.
    The index is found by introspection (its name differs between databases; PostgreSQL
    also has a `_like` twin for text columns); a composite or unique index is never touched."""

    def __init__(self, model_name: str, name: str, field) -> None:
        self.model_name, self.field_name = model_name, name
        super().__init__(
            state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.field_name).column
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
        for name, info in constraints.items():
            if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]:
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.field_name)
        for statement in schema_editor._field_indexes_sql(model, field):  # PostgreSQL adds `_like`
            schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Drop the index of {self.model_name}.{self.field_name}"
