"""CTCAE v5.0 term lookup for the adverse event form: suggestions and grade definitions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from oncotrial.endpoints.ctcae import CtcaeDictionary, normalise_term
from oncotrial.errors import OncotrialError
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.web.render import respond

__all__ = ["grade_context", "grade_definitions", "search_terms", "term_suggestions"]

LIMIT = 15


def search_terms(dictionary: CtcaeDictionary, text: str, limit: int = LIMIT) -> list[str]:
    """Terms starting with the text, then with a word starting with it, then containing it,
    then the dictionary's closest terms (abbreviations such as ALT expanded)."""
    key = normalise_term(text)
    if len(key) < 2:
        return []
    starts, words, contains = [], [], []
    for term_key, entry in dictionary.terms.items():
        if term_key.startswith(key):
            starts.append(entry.term)
        elif any(w.startswith(key) for w in term_key.replace("-", " ").split()):
            words.append(entry.term)
        elif key in term_key:
            contains.append(entry.term)
    found = sorted(starts) + sorted(words) + sorted(contains)
    if len(found) < 3:  # nothing spelled like it: suggest by meaning (ALT → Alanine …)
        for term in dictionary.closest(text, n=limit):
            if term not in found:
                found.append(term)
    return found[:limit]


@require_GET
def term_suggestions(request: HttpRequest) -> HttpResponse:
    text = (request.GET.get("term") or request.GET.get("ae_term") or request.GET.get("q") or "")[
        :100
    ]
    try:
        dictionary = load_ctcae()
    except OncotrialError as exc:
        return respond(request, "web/_ctcae_options.html", {"terms": [], "error": str(exc)})
    terms = search_terms(dictionary, text)
    data: dict[str, Any] = {
        "query": text,
        "terms": [{"term": t, "soc": dictionary.terms[normalise_term(t)].soc} for t in terms],
    }
    return respond(request, "web/_ctcae_options.html", data)


def grade_context(text: str, chosen: str) -> dict[str, Any]:
    """The CTCAE entry of ``text`` with its five grade definitions (None where undefined)."""
    data: dict[str, Any] = {"term": text, "found": None, "grades": [], "chosen": chosen}
    try:
        dictionary = load_ctcae()
        entry = dictionary.lookup(text) if text.strip() else None
    except OncotrialError as exc:
        data["error"] = str(exc)
        entry = None
    if entry is not None:
        data["found"] = {
            "term": entry.term,
            "soc": entry.soc,
            "meddra_code": entry.meddra_code,
            "definition": entry.definition,
        }
        data["grades"] = [
            {"grade": str(g), "definition": entry.grade_definition(g)} for g in range(1, 6)
        ]
    return data


@require_GET
def grade_definitions(request: HttpRequest) -> HttpResponse:
    text = (request.GET.get("term") or "")[:200]
    chosen = (request.GET.get("grade") or "")[:2]
    return respond(request, "web/_grades.html", grade_context(text, chosen))
