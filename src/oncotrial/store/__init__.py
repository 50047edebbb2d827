"""The trial database (Django ORM; SQLite by default, PostgreSQL with DATABASE_URL)."""
