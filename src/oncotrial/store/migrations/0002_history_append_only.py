"""History tables are append-only: the database itself refuses UPDATE and DELETE on them.

This is what makes the audit trail uneditable through the application (issue 5): whatever path
writes (ORM, raw SQL, admin), a change to a history row raises an error in the database.
"""

from django.db import migrations

SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'audit history is append-only: {table} rows cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} BEGIN "
    "SELECT RAISE(ABORT, 'audit history is append-only: {table} rows cannot be deleted'); END",
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION oncotrial_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit history is append-only: % rows cannot be changed or deleted',
        TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

POSTGRES = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION oncotrial_history_append_only();
"""


def _history_tables(apps):
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("store").get_models()
        if model.__name__.startswith("Historical")
    )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
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
    dependencies = [("store", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
