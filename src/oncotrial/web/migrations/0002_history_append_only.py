"""The web application's history tables are append-only too (as the store's, migration 0002).

The database refuses UPDATE and DELETE on them; the PostgreSQL trigger function is the store's
(``oncotrial_history_append_only``, created by store migration 0002).
"""

from django.db import migrations

SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'audit history is append-only: {table} rows cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'audit history is append-only: {table} rows cannot be deleted'); END",
)

POSTGRES = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION oncotrial_history_append_only();
"""


def _history_tables(apps):
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("web").get_models()
        if model.__name__.startswith("Historical")
    )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _history_tables(apps):
        if vendor == "sqlite":
            for statement in SQLITE:
                schema_editor.execute(statement.format(table=table))
        elif vendor == "postgresql":
            schema_editor.execute(POSTGRES.format(table=table), params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _history_tables(apps):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial"), ("store", "0002_history_append_only")]
    operations = [migrations.RunPython(install, remove)]
