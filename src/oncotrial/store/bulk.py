"""Fast inserts of many records, each with its django-simple-history row.

The ORM saves one row at a time (and simple-history one history row after it); a simulated trial of
10,000 patients has about a million records. ``BulkWriter`` writes the same rows the ORM would —
the model's table and its historical table, history type ``+``, the user, the time and the
reason — inside the caller's transaction: the records with one ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) per table, their history rows with one ``INSERT … SELECT`` from the records
just written. Primary keys are reserved first so that records can refer to each other and history
rows carry their record's id: on PostgreSQL a block of the table's sequence, taken under a table
lock that makes other inserts into the table wait until the import commits; on SQLite (whose
IMMEDIATE transactions let one writer in at a time) above both the highest id and the
AUTOINCREMENT counter, so an id is never reused after a deletion.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from django.db import connection
from django.db import models as dj

__all__ = ["BulkWriter"]


def _python_list(values: Any, field: dj.Field, n: int) -> list[Any]:
    """Column values as Python objects the database driver binds (None for missing)."""
    if values is None:
        return [None] * n
    if isinstance(values, pd.Series):
        # pandas-stubs' overloads of to_numpy leave out na_value=None, which this needs
        values = cast("Any", values).to_numpy(dtype=object, na_value=None)
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            missing = np.isnan(values)
            integral = isinstance(field, dj.IntegerField | dj.ForeignKey)
            out = (values.astype(np.int64) if integral and not missing.any() else values).astype(
                object
            )
            if integral and missing.any():
                out[~missing] = values[~missing].astype(np.int64).astype(object)
            out[missing] = None
            python: list[Any] = out.tolist()
            return python
        values = values.tolist()
    elif not isinstance(values, list):
        values = list(values)
    if len(values) != n:
        raise ValueError(f"{field.attname}: {len(values)} values for {n} rows")
    if isinstance(field, dj.JSONField):
        return [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    if isinstance(field, dj.FloatField):
        return [None if v is None or v != v else float(v) for v in values]
    if isinstance(field, dj.IntegerField | dj.ForeignKey):
        return [None if v is None or v != v else int(v) for v in values]
    as_is: list[Any] = values  # a list by now (the checks above)
    return as_is


class BulkWriter:
    """Insert rows with history inside the current transaction (see the module docstring)."""

    def __init__(self, *, user_id: int, reason: str, when: datetime) -> None:
        self.user_id = user_id
        self.reason = reason
        self.when = connection.ops.adapt_datetimefield_value(when)
        self.vendor = connection.vendor
        self.counts: dict[str, int] = {}

    def reserve_ids(self, model: type[dj.Model], n: int) -> np.ndarray:
        return self._reserve(model._meta.db_table, model._meta.pk.column, n)

    def _reserve(self, table: str, column: str, n: int) -> np.ndarray:
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # Other writers of the table wait until this transaction ends (an INSERT takes
                # ROW EXCLUSIVE, which conflicts), so the block of ids cannot be shared.
                cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                sequence = cursor.fetchone()[0]
                cursor.execute("SELECT nextval(%s)", [sequence])
                start = int(cursor.fetchone()[0])
                cursor.execute("SELECT setval(%s, %s)", [sequence, start + n - 1])
                return np.arange(start, start + n, dtype=np.int64)
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
        return np.arange(start, start + n, dtype=np.int64)

    def insert(
        self,
        model: type[dj.Model],
        columns: Mapping[str, Any],
        *,
        ids: np.ndarray | None = None,
    ) -> np.ndarray:
        """Insert len(ids or first column) rows of ``model``; returns their ids."""
        n = len(ids) if ids is not None else len(next(iter(columns.values())))
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if ids is None:
            ids = self.reserve_ids(model, n)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        unknown = set(columns) - {f.attname for f in fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
        from oncotrial.store.casebook import before_bulk_insert  # locks and sign-offs (SIGN-2)

        before_bulk_insert(model, columns)
        pk = model._meta.pk
        names = [pk.column] + [f.column for f in fields]
        values = [ids.tolist()] + [
            _python_list(
                columns[f.attname]
                if f.attname in columns
                else ([f.get_default()] * n if f.has_default() else None),
                f,
                n,
            )
            for f in fields
        ]
        self._write(model._meta.db_table, names, values, n)

        self._copy_to_history(model, names, ids)
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + n
        return ids

    def _copy_to_history(
        self, model: type[dj.Model], names: Sequence[str], ids: np.ndarray
    ) -> None:
        """The history rows (type ``+``) as a copy made by the database from the new records.

        Copying inside the database is what makes a bulk import with a full audit trail cost
        little more than the import itself.
        """
        history = model.history.model
        extra = {
            "history_date": "%s",
            "history_change_reason": "%s",
            "history_type": "'+'",
            "history_user_id": "%s",
        }
        targets: list[str] = []
        sources: list[str] = []
        for field in history._meta.concrete_fields:
            if field.primary_key:
                continue  # history_id: assigned by the database
            targets.append(f'"{field.column}"')
            sources.append(extra.get(field.attname, f'"{field.column}"'))
        params: list[object] = [self.when, self.reason, self.user_id]
        contiguous = int(ids.max()) - int(ids.min()) + 1 == len(ids)
        if contiguous:  # always on SQLite; on PostgreSQL unless another writer took ids between
            where = '"id" BETWEEN %s AND %s'
            params += [int(ids.min()), int(ids.max())]
        elif self.vendor == "postgresql":
            where = '"id" = ANY(%s)'
            params.append(ids.tolist())
        else:
            raise ValueError("SQLite ids of one insert must be contiguous")
        sql = (
            f'INSERT INTO "{history._meta.db_table}" ({", ".join(targets)}) '
            f'SELECT {", ".join(sources)} FROM "{model._meta.db_table}" WHERE {where}'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _write(self, table: str, names: Sequence[str], values: Sequence[list[Any]], n: int) -> None:
        rows = list(zip(*values, strict=True))
        quoted = ", ".join(f'"{name}"' for name in names)
        connection.ensure_connection()
        raw = connection.connection
        if self.vendor == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" for _ in names)
            raw.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})', rows)
