"""Subjects: the list, one subject's page (status, schedule, records), the trial's visits."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from oncotrial.catalogue.tumour import OVERALL_RESPONSE
from oncotrial.store import models as db
from oncotrial.store.conduct import AllocationSlot, Query
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.entry import ENTITIES, SECTIONS, lower_first
from oncotrial.web.query_status import open_by_subject
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import Permission
from oncotrial.web.templatetags.oncotrial_web import number, tone
from oncotrial.web.trials import SubjectSummary, subject_summaries, today
from oncotrial.web.visits import (
    SUBJECT_SLOT,
    shown_rows,
    subject_href,
    subject_visits,
    trial_visit_rows,
    visit_record,
)

__all__ = ["get_subject", "subject_assessments", "subject_detail", "subject_list", "trial_visits"]

STATUSES = (
    "in screening",
    "eligible",
    "screen failure",
    "on study",
    "off treatment",
    "off study",
    "died",
)
SORTS = {"subject": "usubjid", "status": "status", "consent": "consent", "site": "site"}
# The page shows 50 subjects at a time with page links (as REDCap's record status dashboard
# pages its records): rendering 500 rows was most of the page's CPU time (issue 13). The JSON
# twin lists every subject that matches the filters.
PER_PAGE = 50


class Pages:
    """Which page of ``count`` rows the request asks for (``?page=N``, clamped to the pages
    there are), and the links to the others with the request's other parameters kept."""

    def __init__(
        self, request: HttpRequest, count: int, per_page: int, param: str = "page"
    ) -> None:
        self.count = count
        self.param = param
        self.total = max(1, -(-count // per_page))
        try:
            number = int(request.GET.get(param, "1"))
        except ValueError:
            number = 1
        self.number = min(max(number, 1), self.total)
        self.first = (self.number - 1) * per_page
        self.last = min(count, self.first + per_page)
        self._params = request.GET.copy()

    def href(self, number: int) -> str:
        params = self._params.copy()
        params[self.param] = str(number)
        query: str = params.urlencode()
        return "?" + query

    @property
    def previous(self) -> str | None:
        return self.href(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.href(self.number + 1) if self.number < self.total else None

    @property
    def links(self) -> list[tuple[int, str]]:
        return [(n, self.href(n)) for n in range(1, self.total + 1)]


def get_subject(access: TrialAccess, usubjid: str) -> db.Subject:
    subject: db.Subject | None = db.Subject.objects.filter(
        trial=access.trial, usubjid=usubjid
    ).first()
    if subject is None:
        raise Http404("No such subject in this trial.")
    return subject


@trial_view(Permission.VIEW_SUBJECTS)
def subject_list(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "subject")
    rows = subject_summaries(access.trial, show_arms=access.shows_arms)
    if status in STATUSES:
        rows = [r for r in rows if r.status == status]
    else:
        status = ""
    if search:
        key = search.casefold()
        rows = [r for r in rows if key in r.usubjid.casefold() or key in r.subjid.casefold()]
    attribute = SORTS.get(sort, "usubjid")
    rows.sort(key=lambda r: (str(getattr(r, attribute) or ""), r.usubjid))
    pages = Pages(request, len(rows), PER_PAGE)
    shown = rows[pages.first : pages.first + PER_PAGE]
    data = {
        "title": "Subjects",
        "trial_id": access.trial.trial_id,
        "filters": {"status": status, "q": search, "sort": sort if sort in SORTS else "subject"},
        "statuses": list(STATUSES),
        "sorts": list(SORTS),
        "show_arms": access.shows_arms,
        "subjects": rows,
        "open_queries": open_by_subject(access.trial),
    }
    if wants_json(request):
        return respond(request, "", data)
    return respond(
        request,
        "web/subjects.html",
        data,
        context={
            "access": access,
            "nav_section": "subjects",
            "subject_rows": _subject_rows(access, shown, data["open_queries"]),
            "pages": pages,
        },
    )


# A row of the subject list. Written here, not in the template: Django's template engine spent
# ~6 ms per page on the 50 rows' lookups and filters (issue 13, bench/web_cpu.py), about the
# cost of the rest of the page. Every value is escaped by format_html.
_ROW = (
    '<tr class="rowlink" data-href="{href}">\n'
    '        <td class="nowrap"><a href="{href}">{usubjid}</a></td>\n'
    '        <td class="mono">{subjid}</td><td>{site}</td><td>{sex}</td><td class="num">{age}</td>'
    '<td class="nowrap">{consent}</td>\n'
    '        <td><span class="pill {tone}">{status}</span></td>\n'
    "        {arm}\n"
    '        <td class="nowrap">{allocated}</td>\n'
    '        <td class="num open-queries">{queries}</td>\n'
    "      </tr>"
)


def _subject_rows(
    access: TrialAccess, shown: list[SubjectSummary], open_queries: dict[str, int]
) -> list[SafeString]:
    trial_id = access.trial.trial_id
    # One URL reversed per page, not two per row (1,000 reversals with 500 subjects).
    link = reverse("web:subject", args=[trial_id, SUBJECT_SLOT])
    queries_link = reverse("web:queries", args=[trial_id]) + "?status=open"
    rows = []
    for s in shown:
        arm: SafeString | str = ""
        if access.shows_arms:
            arm = (
                format_html('<td><span class="tag">{}</span> {}</td>', s.arm_code, str(s.arm))
                if s.arm_code
                else mark_safe("<td>—</td>")
            )
        n = open_queries.get(s.usubjid)
        queries = (
            format_html('<a class="pill warn" href="{}">{}</a>', queries_link, n) if n else "0"
        )
        rows.append(
            format_html(
                _ROW,
                href=subject_href(link, s.usubjid),
                usubjid=s.usubjid,
                subjid=s.subjid,
                site=s.site,
                sex=s.sex or "—",
                age=number(s.age),
                consent=s.consent or "—",
                tone=tone(s.status),
                status=s.status,
                arm=arm,
                allocated=s.allocated_on or "—",
                queries=queries,
            )
        )
    return rows


def _record_sections(access: TrialAccess, subject: db.Subject) -> list[dict[str, Any]]:
    querysets = {
        spec.key: spec.queryset(subject)
        for spec in ENTITIES.values()
        if spec.creatable and spec.section in dict(SECTIONS)
    }
    present = _kinds_with_records(subject, {qs.model for qs in querysets.values()})
    sections = []
    for key, title in SECTIONS:
        blocks = []
        for spec in ENTITIES.values():
            if spec.section != key or not spec.creatable:
                continue
            queryset = querysets[spec.key]
            records = list(queryset) if present.get(queryset.model, True) else []
            blocks.append(
                {
                    "entity": spec.key,
                    "title": spec.plural,
                    "add_title": lower_first(spec.title),
                    "single": spec.single,
                    "columns": list(spec.columns),
                    "records": [
                        {
                            "id": r.pk,
                            "cells": list(spec.row(r)),
                            "provenance": getattr(r, "provenance", None),
                        }
                        for r in records
                    ],
                }
            )
        sections.append({"key": key, "title": title, "blocks": blocks})
    return sections


def _kinds_with_records(subject: db.Subject, models: set[type[Any]]) -> dict[type[Any], bool]:
    """Which of these record kinds the subject has any of, in one query: the page then reads
    only those (issue 13: a query per form of the subject page, most of them empty, was a third
    of its CPU time). A kind without a ``subject`` link is not asked about (read as before)."""
    linked = [m for m in models if any(f.name == "subject" for f in m._meta.get_fields())]
    if not linked:
        return {}
    flags = {
        f"has_{n}": Exists(m._base_manager.filter(subject_id=OuterRef("pk")))
        for n, m in enumerate(linked)
    }
    row = (
        db.Subject._base_manager.filter(pk=subject.pk).annotate(**flags).values_list(*flags).first()
    )
    return dict(zip(linked, row or [False] * len(linked), strict=True))


def subject_assessments(subject: db.Subject) -> list[dict[str, Any]]:
    """The subject's assessments with the sum of target diameters and its change from the same
    assessor's baseline; both are None (shown NE) when a target lesion was not measured, as
    RECIST 1.1 Table 1 makes the target response not evaluable (issue 13 item 9).

    Four queries whatever the number of assessments (issue 13: three per assessment made the
    subject page of a subject followed for months the slowest page)."""
    assessments = list(db.TumourAssessment.objects.filter(subject=subject).order_by("dtc", "pk"))
    ids = [a.pk for a in assessments]
    target_lesions: dict[str | None, int] = {
        row["evaluator"]: row["n"]
        for row in db.Lesion.objects.filter(subject=subject, role="TARGET")
        .values("evaluator")
        .annotate(n=Count("pk"))
    }
    diameters: dict[int, list[float]] = {pk: [] for pk in ids}
    new_lesions: dict[int, int] = dict.fromkeys(ids, 0)
    for assessment_id, group, value in db.Measurement.objects.filter(
        assessment_id__in=ids, grpid__in=("TARGET", "NEW")
    ).values_list("assessment_id", "grpid", "stresn"):
        if group == "NEW":
            new_lesions[assessment_id] += 1
        elif value is not None:
            diameters[assessment_id].append(value)
    overall_of: dict[int, str | None] = {}
    for assessment_id, stresc in (
        db.Response.objects.filter(assessment_id__in=ids, testcd=OVERALL_RESPONSE.testcd)
        .order_by("pk")
        .values_list("assessment_id", "stresc")
    ):
        overall_of.setdefault(assessment_id, stresc)  # the first recorded, as before
    out = []
    targets_of: dict[str, int] = {}
    baselines: dict[str, float | None] = {}
    for assessment in assessments:
        evaluator = assessment.evaluator or ""
        if evaluator not in targets_of:
            targets_of[evaluator] = target_lesions.get(assessment.evaluator, 0)
        targets = diameters[assessment.pk]
        evaluable = targets_of[evaluator] > 0 and len(targets) >= targets_of[evaluator]
        total = sum(targets) if evaluable else None
        baselines.setdefault(evaluator, total)
        base = baselines[evaluator]
        out.append(
            {
                "id": assessment.pk,
                "visit": assessment.visit,
                "date": assessment.dtc,
                "evaluator": assessment.evaluator,
                "target_sum": total,
                "target_evaluable": evaluable or targets_of[evaluator] == 0,
                "change": (
                    round(100.0 * (total - base) / base, 1) if base and total is not None else None
                ),
                "new_lesions": new_lesions[assessment.pk],
                "overall": overall_of.get(assessment.pk),
            }
        )
    return out


@trial_view(Permission.VIEW_SUBJECTS)
def subject_detail(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    subject = get_subject(access, usubjid)
    summary = subject_summaries(access.trial, show_arms=access.shows_arms, usubjid=usubjid)[0]
    visits = subject_visits(access.protocol, subject, as_of=today())
    schedule = None
    if visits is not None:
        schedule = {
            "reference": visits.schedule.reference,
            "reference_name": visits.schedule.reference_name,
            "notes": list(visits.schedule.notes),
            "visits": [
                {
                    "visit": s.visit.visit,
                    "kind": s.visit.kind.value,
                    "target": s.visit.target,
                    "window": [s.visit.earliest, s.visit.latest],
                    "activities": list(s.visit.activities),
                    "state": s.state.value,
                    "performed": s.performed,
                    "days_overdue": s.days_overdue,
                }
                for s in visits.statuses
            ],
        }
    slot = AllocationSlot.objects.filter(subject=subject).first()
    queries = Query.objects.filter(subject=subject).order_by("-raised_at")
    data = {
        "title": subject.usubjid,
        "subject": summary,
        "stratum": (slot.stratum if slot else None) if access.shows_arms else None,
        "schedule": schedule,
        "assessments": subject_assessments(subject),
        "sections": _record_sections(access, subject),
        "queries": [
            {
                "id": q.pk,
                "entity": q.entity,
                "record_id": q.record_id,
                "text": q.text,
                "status": q.status,
                "raised_at": q.raised_at,
            }
            for q in queries
        ],
    }
    return respond(
        request,
        "web/subject.html",
        data,
        context={
            "access": access,
            "nav_section": "subjects",
            "can_enter": access.can(Permission.ENTER_DATA),
            "can_randomize": access.can(Permission.RANDOMIZE),
            "can_query": access.can(Permission.RAISE_QUERIES),
            "subject_pk": subject.pk,
        },
    )


@trial_view(Permission.VIEW_SUBJECTS)
def trial_visits(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    as_of = today()
    tables = dict(
        zip(
            ("overdue", "due", "upcoming"),
            trial_visit_rows(access.protocol, access.trial, as_of=as_of),
            strict=True,
        )
    )
    as_json = wants_json(request)
    data = {
        "title": "Visits",
        "as_of": as_of,
        **{k: [visit_record(r) for r in v] if as_json else v for k, v in tables.items()},
    }
    # Each table shows PER_PAGE rows a page (the most overdue, the soonest due first), with
    # page links of its own (``?overdue_page=N``, …) that keep the other tables' pages, as the
    # subject list pages its subjects: with hundreds of enrolled subjects a table of thousands
    # of rows is unreadable and its rendering was most of the page's time
    # (bench/visits_bench.py). The JSON twin lists every row.
    link = reverse("web:subject", args=[access.trial.trial_id, SUBJECT_SLOT])
    context: dict[str, Any] = {"access": access, "nav_section": "visits"}
    if not as_json:
        for name, table in tables.items():
            pages = Pages(request, len(table), PER_PAGE, param=f"{name}_page")
            context[f"{name}_pages"] = pages
            context[f"{name}_rows"] = shown_rows(table[pages.first : pages.last], link, None)
    return respond(request, "web/visits.html", data, context=context)
