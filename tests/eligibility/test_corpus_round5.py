"""Round 5 of issue 12's corpus: a tuning set, measured and pinned (issue 12 item 7 and targets).

``corpus/tuning_round5.json`` quotes every criteria item of 22 solid-tumour ClinicalTrials.gov
records (the HINT benchmark's validation files, futianfan/clinical-trial-outcome-prediction, cited
by commit and path) with the age, performance-status, laboratory, cardiac and vital-sign limits
read by hand, committed (5bae190) before the parser was run on them; the first run's figures are
in the file (``first_run``). Unlike round 4 this set is for tuning: the parser was then improved
on it (tests/eligibility/test_threshold_phrasings_round5.py holds each new phrasing). Measured by
the rule of ``corpus_measure``; the figures are stated in docs/eligibility.md ("Round 5: a tuning
corpus") and bench/RESULTS.md, and this test keeps them true: no wrong reading ever, and the exact
count a floor (a change that reads more must raise it here and there).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from oncotrial.eligibility.criteria import Criterion
from oncotrial.eligibility.logic import is_computable

from .corpus_measure import coverage_levels, is_wrong, measure, read_items, unreadable_limits

HERE = Path(__file__).parent / "corpus"
CORPUS = json.loads((HERE / "tuning_round5.json").read_text(encoding="utf-8"))
READ = read_items(CORPUS["items"])


def _criterion(item: dict[str, Any]) -> Criterion:
    return READ[(item["nct"], item["id"])]


def levels() -> Counter[str]:
    """Coverage level of every item, each record read as one protocol (items in order)."""
    return coverage_levels(CORPUS["items"])


def test_corpus_is_cited_and_new() -> None:
    for source in CORPUS["sources"].values():
        assert source["repository"] == "futianfan/clinical-trial-outcome-prediction"
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and source["path"].endswith(".csv")
        assert source["licence"]
    assert {i["source"] for i in CORPUS["items"]} == set(CORPUS["sources"])
    assert {i["nct"] for i in CORPUS["items"]} == set(CORPUS["records"])
    assert len(CORPUS["records"]) == 22 and {i["part"] for i in CORPUS["items"]} == {"tuning5"}
    assert len({(i["nct"], i["id"]) for i in CORPUS["items"]}) == len(CORPUS["items"])
    # no record of the earlier rounds or of the CTP comparison (the blind file's record list only)
    earlier = set(json.loads((HERE / "oncology_records.json").read_text("utf-8"))["records"])
    earlier |= set(re.findall(r"NCT\d{8}", (HERE / "ctp_comparison.json").read_text("utf-8")))
    earlier |= set(json.loads((HERE / "blind_round4.json").read_text("utf-8"))["records"])
    assert not earlier & set(CORPUS["records"])


def _wrong_items() -> set[tuple[str, str]]:
    return {
        (i["nct"], i["id"]) for i in CORPUS["items"] if i["expected"] and is_wrong(i, _criterion(i))
    }


def test_no_wrong_reading() -> None:
    assert not _wrong_items()


def decided_outside_scope() -> list[tuple[str, str]]:
    """Items without a hand-read threshold that the parser decides (pregnancy, measurable
    disease, HIV, prior lines …): not judged here, listed for a reviewer."""
    return [
        (i["nct"], i["id"])
        for i in CORPUS["items"]
        if not i["expected"] and is_computable(_criterion(i).rules, _criterion(i).unread)
    ]


def test_the_figures_stated_in_the_docs() -> None:
    # docs/eligibility.md and bench/RESULTS.md state these figures; change them together
    figures = measure(CORPUS["items"], READ)
    assert figures["wrong"] == 0
    assert figures["exact"] >= EXACT_FLOOR, "fewer limits read exactly than stated"
    assert figures == FIGURES
    assert dict(levels()) == LEVELS
    assert len(decided_outside_scope()) == DECIDED_OUTSIDE_SCOPE


def test_the_first_run_is_recorded() -> None:
    first = CORPUS["first_run"]
    assert first["figures"] == {
        "items": 734,
        "computable": 92,
        "thresholds": 196,
        "exact": 101,
        "not_read": 88,
        "wrong": 7,
    }
    # the two later corrections: 'Creatinine normal OR creatinine clearance ≥ 60 mL/min', read
    # since reading_normal (a test graded only upwards by CTCAE: ≤ 1 × ULN)
    assert [c["item"] for c in CORPUS["corrections"]] == [
        "NCT00549328 E5",
        "NCT00509587 I2.8",
        "NCT01851408 I5",
    ]


# First run (main d0997f6): 101 of 196 thresholds exact (52 %), 88 not read, 7 wrong; 89 of 734
# items computable by the coverage report (101 partial, 544 checklist). After wave/corpus5's parser work on this set and the
# one disclosed hand correction (an unnamed QTc is Fridericia by the stated convention):
EXACT_FLOOR = 136
FIGURES = {
    "items": 734,
    # 106; 113 with main's windowed events and prior therapies; 122 with wave/elig; 124 with the
    # first dose named as records name it (NCT00392665 E4 "of day 1", NCT00426829 I9 "prior to
    # the start of therapy"; reading.FIRST_DOSE); 127 with the diagnosis of any primary cancer
    # (concepts_cancers: NCT00602576 I1.1 melanoma, NCT00496756 I1.1 RCC, NCT01736878 I2 MTC);
    # 132 with limits written as "normal" (reading_normal: NCT00509587 I2.8 and
    # NCT01851408 I5 "Creatinine normal or creatinine clearance ≥ 60 mL/min", their hand
    # readings corrected; NCT00602576 I2.9 "PTT normal", NCT01851408 I4 "Bilirubin normal",
    # NCT01336543 I8.4 "total bilirubin within normal institutional limits", decided outside
    # the hand-read scope); 135 with measurable disease by RECIST of any version and "evidence
    # of" (NCT00602576 I1.2, NCT00549328 I7, NCT00496756 I1.5); 138 with 'with' and
    # 'sufficient' read as filler (NCT01736878 I10, NCT00105443 I3, NCT00619541 I1.7); 139 with
    # "history of <events>" (NCT00600210 E31); 142 with individual anticancer drugs
    # (concepts_drugs: NCT00509587 I1.1 "No prior bevacizumab", I2.9 "At least 3 months since
    # prior trastuzumab", NCT00556049 E1 "Prior treatment with sunitinib or gemcitabine",
    # decided outside the hand-read scope, each checked by hand); 145 with the NYHA class of
    # heart failure (reading_cardiac: NCT00079612 E4 "Congestive Heart Failure (NYHA Class 3 or
    # 4)", NCT00600210 E17 and NCT00392665 E13 "NYHA Grade II or greater congestive heart
    # failure"); 146 with hypertension defined by its blood-pressure limits (NCT00549328 E7);
    # 148 with items that introduce a list decided by it (eligibility.sublists): NCT00619541
    # E1.1 (NYHA III or IV) and E1.5 (HIV) are no longer quoted as a subgroup of their heading
    # "Patients who meet the following criteria … will be excluded;" (E1, now a heading); 149
    # with the pregnancy test asked of women of childbearing potential only (NCT01736878 I14);
    # 150 with "HIV negative" read as no HIV infection (reading_hiv: NCT00098540 I18, decided
    # outside the hand-read scope, checked by hand); 154 with concomitant-medication classes
    # (concepts_medications, reading_medications): NCT00496756 I3.9 St John's wort, NCT01005199
    # I3.13 ACE inhibitors, NCT01347788 E4 anticoagulants and E7 antiretroviral therapy, taken
    # at the first dose; 155 with hypersensitivity to named drugs (reading_allergy: NCT00600210
    # E34 "History of severe allergic reactions to cisplatin or other platinum-containing
    # compounds", decided outside the hand-read scope, checked by hand); 156 with
    # hypersensitivity to the study drugs (NCT01347788 E5 "Previously identified allergy or
    # hypersensitivity to components of the study treatment formulation": any recorded allergy
    # unknown, none not met; decided outside the hand-read scope, checked by hand)
    # 157 with the extent of the disease now (eligibility.extent: NCT00717990 I1 "Histologically
    # confirmed locally advanced or metastatic colorectal cancer", checked by hand)
    # 158 with an active infection a concept (reading_infection: NCT01005199 I2.19 "No active
    # infection requiring IV antibiotics", the words to confirm quoted)
    # 159 with CNS metastases narrowed by words to confirm (reading_active.CNS_NARROWED:
    # NCT01347788 E2 "Known untreated, symptomatic or uncontrolled brain metastases", checked by
    # hand: no current metastasis not met, a current one unknown, the words quoted)
    "computable": 159,
    "thresholds": 196,
    "exact": 136,  # 134 before reading_normal (the two corrected items' clearance limits)
    "not_read": 60,
    "wrong": 0,
}
# main's events within a window and prior therapies: 102 / 99 / 533 -> 109 / 117 / 508 (35
# decided outside scope). wave/elig's general phrasings ("At least 4 weeks since prior
# chemotherapy", "HIV positivity", "central nervous system or brain metastases", "lactating
# woman", "Histologically- or cytologically confirmed"): 9 more computable, each of the items
# added to those decided outside the hand-read scope checked by hand (NCT00098540 I17, I29;
# NCT00392665 E19; NCT00549328 I2; NCT00602576 I2.15, I3.5; NCT00717990 E6, E9; NCT01851408 I18)
# 118 / 116 / 500 before FIRST_DOSE; 120 / 114 / 500 before the diagnosis of any cancer and
# reading_normal ("normal" limits: the five items above computable; NCT00509587 I1.11 "Total
# bilirubin normal (exception made for patients with known Gilbert's disease)" and NCT01336543
# I8.6 "creatinine within normal institutional limits OR" (its alternative in the next item)
# partial)
# 128 / 121 / 485 before measurable disease by RECIST of any version
# 131 / 118 / 485 before "adequate … function:" followed by its limits was no judgement
# (NCT00600210 I3-I5, NCT00717990 I6) and 'with' and 'sufficient' were filler
# 138 / 111 / 485 before counts of prior therapies written before the therapy (five items
# checklist -> partial: "No more than 1 prior chemotherapy regimen for recurrent disease" …)
# 138 / 116 / 480 before "history of <events>" without a window (NCT00600210 E31 computable)
# 139 / 116 / 479 before individual drugs: the three drug items above computable; NCT01851408
# I16 "No prior sorafenib, temsirolimus, or any other agents targeting raf, …" and NCT00549328
# E15 (bevacizumab or EGFR TKIs, after an unread sentence) partial; 142 / 118 / 474 before the
# NYHA class (reading_cardiac): the three items above computable; NCT00509587 I1.24 (its class
# II exemption quoted) and NCT00619541 E1.1 (its parent E1 quoted as a subgroup) checklist ->
# partial
# 146 / 119 / 469 before items that introduce a list (eligibility.sublists): eleven headings
# ("PATIENT CHARACTERISTICS:", "Criteria:", "Other Exclusion Criteria:", NCT00619541 E1)
# checklist -> partial (decided by their sub-items, some of them computable); NCT00619541 E1.1 and
# E1.5 partial -> computable (no longer a "subgroup" of E1)
# 148 / 129 / 457 before the pregnancy test asked of women of childbearing potential only
# (analytes.childbearing_potential): NCT01736878 I14 partial -> computable
# 149 / 128 / 457 before "HIV negative" (NCT00098540 I18 checklist -> computable)
# 150 / 128 / 456 before concomitant-medication classes: the four items above computable; eight
# checklist -> partial, their dose, purpose or subgroup quoted ("full-dose", "therapeutic",
# "combination … for HIV-positive patients"): NCT00098540 I34, NCT00509587 I2.3, NCT01851408
# I27 and I29, NCT00496756 I3.8, NCT01005199 I3.5, NCT00426829 E4, NCT00170157 E12
# 154 / 136 / 444 before the blood pressure named by its phase and "mm Hg" with a space
# (test_blood_pressure_limits): three checklist -> partial, their other words quoted
# 154 / 139 / 441 before hypersensitivity to named drugs (reading_allergy), each checked by hand:
# NCT00600210 E34 checklist -> computable; NCT00634751 E3 "History of allergy to platinum
# compounds, capecitabine, sorafenib or to antiemetics …" checklist -> partial (the antiemetics
# quoted)
# 155 / 140 / 439 before the washout readings and hypersensitivity to the study drugs: one
# partial -> computable (NCT01347788 E5), four checklist -> partial
# 157 / 142 / 435 before time-limited history with the number in words (wave/anchors): NCT01336543
# E4 checklist -> partial ("unstable angina, congestive heart failure, myocardial infarction
# within last six months": unstable angina with its window read, the words between quoted);
# NCT00600210 E22, E24, E32, NCT01736878 E9 and NCT00634751 E4 now count their windows back
# from registration ("prior to enrollment / randomization / study entry"), their levels
# unchanged, each checked by hand
# 157 / 143 / 434 before an active infection was a concept (NCT01005199 I2.19, checklist ->
# computable, checked by hand)
# 158 / 143 / 433 before CNS metastases narrowed by words to confirm (NCT01347788 E2, partial ->
# computable, checked by hand)
LEVELS = {"computable": 159, "partial": 142, "checklist": 433}  # 145 / 120 before E7
# + NCT00392665 E4 "Radiotherapy within 28 days of day 1"; + the three diagnoses above; + 3
# "normal" limits read as ≤ 1 × ULN (NCT00602576 I2.9, NCT01851408 I4, NCT01336543 I8.4); each
# checked by hand; + the three measurable-disease / CNS items above
# + NCT00105443 I3 (HCC), NCT00619541 I1.7 (RECIST lesion), NCT00600210 E31 (stroke or TIA
# ever); + the three drug items above; + the three NYHA items above; + NCT00619541 E1.1 (NYHA
# III or IV) and E1.5 (known HIV), each checked by hand; + NCT01736878 I14 (the pregnancy test
# of women of childbearing potential); + NCT00098540 I18 "HIV negative"; + the four medication
# items above, each checked by hand; + NCT00600210 E34 (severe allergy to cisplatin or platinum
# compounds, reading_allergy), checked by hand; + NCT00717990 I1 (the extent of the disease
# now, eligibility.extent), checked by hand; + NCT01005199 I2.19 (no active infection
# requiring IV antibiotics, reading_infection), checked by hand; + NCT01347788 E2 (untreated,
# symptomatic or uncontrolled brain metastases, the words to confirm), checked by hand
DECIDED_OUTSIDE_SCOPE = 76  # 72 before NCT01347788 E5, 73 before NCT00717990 I1, 74 before I2.19


# Of the limits not read, those the hand reading marks '~' (no concept holds them, or reading
# them would be a guess: a lost comparator, 'or' between two tests, a limit qualified by
# medication): leaving them unread is right. docs/eligibility.md states "exact of the readable
# limits" as FIGURES["exact"] / (FIGURES["thresholds"] - UNREADABLE).
UNREADABLE = 58


def test_limits_rightly_left_unread() -> None:
    assert unreadable_limits(CORPUS["items"], READ) == UNREADABLE
    assert FIGURES["not_read"] >= UNREADABLE
