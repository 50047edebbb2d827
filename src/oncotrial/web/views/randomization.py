"""Randomization: the list's status, making or importing it, the concealed list, randomizing."""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from oncotrial.enrollment import ALLOCATION_RULES, allocation_ratio, trial_arms
from oncotrial.errors import InputError, OncotrialError, ValueProblem
from oncotrial.formats.cells import neutralise_formula
from oncotrial.store import models as db
from oncotrial.store.allocation import (
    allocate,
    protocol_factors,
    scheme_factors,
    store_generated_list,
    store_imported_list,
)
from oncotrial.store.conduct import AllocationSlot, RandomizationScheme, ScreeningRecord
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.carry import carry_screening
from oncotrial.web.entry import parse_date
from oncotrial.web.render import respond, wants_json
from oncotrial.web.roles import Permission
from oncotrial.web.trials import today
from oncotrial.web.views.subjects import get_subject

__all__ = [
    "allocation_list",
    "allocation_list_csv",
    "generate_list",
    "import_list",
    "randomization_page",
    "randomize_subject",
]

MAX_LIST_BYTES = 2 * 1024 * 1024


def _status(access: TrialAccess) -> dict[str, Any]:
    scheme = RandomizationScheme.objects.filter(trial=access.trial).first()
    if scheme is None:
        return {"exists": False}
    used = Counter(
        AllocationSlot.objects.filter(scheme=scheme, subject__isnull=False).values_list(
            "stratum", flat=True
        )
    )
    total = Counter(AllocationSlot.objects.filter(scheme=scheme).values_list("stratum", flat=True))
    status: dict[str, Any] = {
        "exists": True,
        "method": scheme.method,
        "source": scheme.source,
        "created_at": scheme.created_at,
        "created_by": scheme.created_by.get_full_name() or scheme.created_by.username,
        "sha256": scheme.sha256,
        "locked": sum(used.values()) > 0,
        "factors": scheme.factors,
        "strata": [
            {"stratum": s or "(all subjects)", "used": used.get(s, 0), "slots": n}
            for s, n in sorted(total.items())
        ],
    }
    if access.can(Permission.VIEW_ALLOCATION_LIST):
        status.update(
            {
                "ratio": scheme.ratio,
                "block_sizes": scheme.block_sizes,
                "seed": scheme.seed,
                "slots_per_stratum": scheme.slots_per_stratum,
            }
        )
    return status


@trial_view(Permission.VIEW_TRIAL)
def randomization_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    if not (access.can(Permission.VIEW_SUBJECTS) or access.can(Permission.MANAGE_RANDOMIZATION)):
        access.require(Permission.VIEW_SUBJECTS)
    protocol = access.protocol
    factors = protocol_factors(protocol)
    arms = trial_arms(protocol)
    ratio = list(allocation_ratio(protocol)) if arms else []
    data = {
        "title": "Randomization",
        "randomized": protocol.is_randomized,
        "arms": [{"code": a.code, "label": a.label} for a in arms],
        "ratio": ratio,
        "factors": [{"name": f.name, "levels": list(f.levels)} for f in factors],
        "list": _status(access),
        "rules": [str(r) for r in ALLOCATION_RULES],
    }
    return respond(
        request,
        "web/randomization.html",
        data,
        context={
            "access": access,
            "nav_section": "randomization",
            "can_manage": access.can(Permission.MANAGE_RANDOMIZATION),
            "can_view_list": access.can(Permission.VIEW_ALLOCATION_LIST),
            "suggested_seed": secrets.randbelow(2**31),
            "block_unit": sum(ratio) if ratio else 1,
            "default_block_sizes": f"{2 * sum(ratio)}, {3 * sum(ratio)}" if ratio else "",
        },
    )


def _levels(request: HttpRequest) -> dict[str, list[str]]:
    out = {}
    for key, value in request.POST.items():
        if key.startswith("levels:"):
            out[key[len("levels:") :]] = value.split("|")
    return out


def _integers(text: str, field: str) -> list[int]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueProblem(f"{text!r} is not a list of whole numbers", field=field)
    return [int(p) for p in parts]


@require_POST
@trial_view(Permission.MANAGE_RANDOMIZATION)
def generate_list(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    try:
        seed_text = request.POST.get("seed", "").strip()
        slots_text = request.POST.get("slots", "").strip()
        if not seed_text.isdigit():
            raise ValueProblem(f"the seed {seed_text!r} is not a whole number", field="seed")
        if not slots_text.isdigit():
            raise ValueProblem("slots per stratum must be a whole number", field="slots")
        scheme = store_generated_list(
            access.trial,
            access.protocol,
            block_sizes=_integers(request.POST.get("block_sizes", ""), "block sizes"),
            seed=int(seed_text),
            slots_per_stratum=int(slots_text),
            levels=_levels(request),
            user=request.user,
        )
    except OncotrialError as exc:
        messages.error(request, exc.report(limit=10))
    else:
        messages.success(
            request,
            f"Allocation list generated: {scheme.slots.count()} slots (digest "
            f"{scheme.sha256[:12]}).",
        )
    return redirect("web:randomization", access.trial.trial_id)


def _group_codes(text: str) -> dict[str, str]:
    codes = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueProblem(f"{part.strip()!r} is not a mapping like '1=A'", field="group codes")
        codes[key.strip()] = value.strip()
    return codes


@require_POST
@trial_view(Permission.MANAGE_RANDOMIZATION)
def import_list(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    upload = request.FILES.get("list")
    try:
        if upload is None:
            raise InputError("choose the CSV file of the allocation list")
        if upload.size and upload.size > MAX_LIST_BYTES:
            raise InputError("the file is larger than 2 MB", file=upload.name)
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file is not UTF-8 text (byte {exc.start})",
                file=upload.name,
                hint="Save it as CSV UTF-8.",
            ) from exc
        rows = list(csv.DictReader(io.StringIO(text)))
        store_imported_list(
            access.trial,
            access.protocol,
            rows,
            source=upload.name or "allocation list",
            group_codes=_group_codes(request.POST.get("group_codes", "")),
            levels=_levels(request),
            user=request.user,
        )
    except OncotrialError as exc:
        messages.error(request, exc.report(limit=10))
    else:
        messages.success(request, f"Allocation list imported from {upload.name}.")
    return redirect("web:randomization", access.trial.trial_id)


def _slots(access: TrialAccess) -> list[dict[str, Any]]:
    scheme = RandomizationScheme.objects.filter(trial=access.trial).first()
    if scheme is None:
        return []
    return [
        {
            "stratum": s.stratum,
            "sequence": s.position,
            "block": s.block,
            "block_size": s.block_size,
            "arm": s.arm,
            "subject": s.subject.usubjid if s.subject_id else None,
            "allocated_at": s.allocated_at,
        }
        for s in AllocationSlot.objects.filter(scheme=scheme)
        .select_related("subject")
        .order_by("stratum", "position")
    ]


@trial_view(Permission.VIEW_ALLOCATION_LIST)
def allocation_list(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    data = {"title": "Allocation list", "list": _status(access), "slots": _slots(access)}
    return respond(
        request,
        "web/allocation_list.html",
        data,
        context={"access": access, "nav_section": "randomization"},
    )


class _SafeWriter:
    """A csv writer whose text cells cannot run in a spreadsheet (formats/cells.py, OWASP)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([neutralise_formula(v) for v in row])


@trial_view(Permission.VIEW_ALLOCATION_LIST)
def allocation_list_csv(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{access.trial.trial_id}-allocation-list.csv"'
    )
    writer = _SafeWriter(csv.writer(response))
    writer.writerow(
        ["stratum", "sequence", "block", "block_size", "arm", "subject", "allocated_at"]
    )
    for slot in _slots(access):
        writer.writerow(
            [
                slot["stratum"],
                slot["sequence"],
                slot["block"] or "",
                slot["block_size"] or "",
                slot["arm"],
                slot["subject"] or "",
                slot["allocated_at"].isoformat() if slot["allocated_at"] else "",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
@trial_view(Permission.RANDOMIZE)
def randomize_subject(request: HttpRequest, access: TrialAccess, usubjid: str) -> HttpResponse:
    subject = get_subject(access, usubjid)
    protocol = access.protocol
    scheme = RandomizationScheme.objects.filter(trial=access.trial).first()
    factors = scheme_factors(scheme) if scheme else protocol_factors(protocol)
    arms = trial_arms(protocol)
    screening = ScreeningRecord.objects.filter(subject=subject).first()
    existing = db.Disposition.objects.filter(
        subject=subject, decod__in=list(db.Disposition.ALLOCATION_TERMS)
    ).first()
    error = None
    if request.method == "POST" and existing is None:
        date = parse_date(request.POST.get("date", ""))
        values = {f.name: request.POST.get(f"factor:{f.name}", "") for f in factors}
        try:
            if date is None:
                raise ValueProblem("enter the date of randomization (YYYY-MM-DD)", field="date")
            if date > today():
                raise ValueProblem(f"{date} is in the future", field="date")
            with transaction.atomic():  # enrollment and its baseline records, or neither
                result = allocate(
                    access.trial,
                    protocol,
                    subject,
                    date=date,
                    factor_values=values,
                    user=request.user,
                    chosen_arm=request.POST.get("arm") or None,
                )
                carry_screening(access.trial, protocol, subject, user=request.user, on=date)
        except OncotrialError as exc:
            error = str(exc)
        else:
            shown = access.shows_arms
            payload = {
                "usubjid": result.usubjid,
                "randomized": result.randomized,
                "date": result.date,
                "stratum": result.stratum if shown else None,
                "arm_code": result.arm_code if shown else None,
                "arm": result.arm if shown else None,
            }
            if wants_json(request):
                return respond(request, "", payload, status=201)
            return respond(
                request,
                "web/randomized.html",
                {"title": "Randomized" if result.randomized else "Enrolled", **payload},
                context={"access": access, "nav_section": "subjects"},
                status=201,
            )
    data = {
        "title": "Randomize" if protocol.is_randomized else "Enroll",
        "usubjid": subject.usubjid,
        "randomized_trial": protocol.is_randomized,
        "eligible": bool(screening and screening.decision == "eligible"),
        "already": existing.stdtc if existing else None,
        "list_ready": scheme is not None or not protocol.is_randomized,
        "factors": [{"name": f.name, "levels": list(f.levels)} for f in factors],
        "arms": [{"code": a.code, "label": a.label} for a in arms]
        if not protocol.is_randomized and len(arms) > 1
        else [],
        "today": today(),
        "error": error,
    }
    return respond(
        request,
        "web/randomize.html",
        data,
        context={"access": access, "nav_section": "subjects"},
        status=400 if error else 200,
    )
