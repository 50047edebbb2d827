"""Open-query counts and query ageing, as data managers follow them in REDCap or OpenClinica.

A query is open from the moment a monitor raises it until the site answers it (status "open");
an answered query waits on the monitor and is counted apart. Ageing is the number of whole days
since the query was raised, for every query not yet closed (the usual EDC ageing report).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db.models import Count

from oncotrial.store import models as db
from oncotrial.store.conduct import Query

__all__ = ["days_open", "field_query_counts", "open_by_subject", "open_by_trial"]


def days_open(raised_at: dt.datetime, status: str, now: dt.datetime) -> int | None:
    """Whole days a query not yet closed has been waiting (None once closed)."""
    if status == Query.CLOSED:
        return None
    return max((now - raised_at).days, 0)


def open_by_trial(trials: Iterable[db.Trial]) -> dict[str, int]:
    """Trial id → number of open queries."""
    rows = (
        Query.objects.filter(trial__in=list(trials), status=Query.OPEN)
        .values("trial__trial_id")
        .annotate(n=Count("pk"))
    )
    return {row["trial__trial_id"]: row["n"] for row in rows}


def open_by_subject(trial: db.Trial) -> dict[str, int]:
    """USUBJID → number of open queries on the subject or one of their records."""
    rows = (
        Query.objects.filter(trial=trial, status=Query.OPEN, subject__isnull=False)
        .values("subject__usubjid")
        .annotate(n=Count("pk"))
    )
    return {row["subject__usubjid"]: row["n"] for row in rows}


def field_query_counts(subject: db.Subject, entity: str, record_id: int) -> dict[str, int]:
    """Field name → open queries on that field of one record ("" for the whole record)."""
    fields = Query.objects.filter(
        subject=subject, entity=entity, record_id=record_id, status=Query.OPEN
    ).values_list("field", flat=True)
    return dict(Counter(fields))
