"""Criteria layouts real records use, and registry ages against the text (issue 12)."""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Eligibility, parse_age, split_criteria
from oncotrial.eligibility.parser import read_eligibility
from oncotrial.eligibility.reconcile import age_conflicts, text_age_limits
from oncotrial.eligibility.scopes import item_scopes

# The older ClinicalTrials.gov layout: every bullet indented "  -  ", sub-bullets further.
OLD_LAYOUT = """Inclusion Criteria:

  -  Histologically confirmed non-small cell lung cancer

  -  Age ≥ 18 years

  -  Adequate organ function:

       -  ANC ≥ 1500/mm3

       -  Platelets ≥ 100,000/mm3

  -  ECOG performance status 0-1

Exclusion Criteria:

  -  Pregnant or breastfeeding
"""

NUMBERED = """INCLUSION CRITERIA:
1. Age ≥ 18 years
2) Adequate laboratory values:
   a. ANC ≥ 1.5 × 10^9/L
   b. Platelets ≥ 100 × 10^9/L
3. ECOG 0-1
EXCLUSION CRITERIA:
1) Pregnant
2) Known HIV infection
"""


def _shape(text: str) -> list[tuple[str, int]]:
    inclusion, exclusion = split_criteria(text)
    return [(c.id, c.depth) for c in inclusion + exclusion]


def test_indented_siblings_stay_siblings() -> None:
    assert _shape(OLD_LAYOUT) == [
        ("I1", 0),
        ("I2", 0),
        ("I3", 0),
        ("I3.1", 1),
        ("I3.2", 1),
        ("I4", 0),
        ("E1", 0),
    ]


def test_numbered_lettered_and_capital_headings() -> None:
    assert _shape(NUMBERED) == [
        ("I1", 0),
        ("I2", 0),
        ("I2.1", 1),
        ("I2.2", 1),
        ("I3", 0),
        ("E1", 0),
        ("E2", 0),
    ]


def test_lettered_items_at_the_margin_sit_under_the_numbered_one() -> None:
    text = "1. Adequate labs:\na. ANC ≥ 1.5\nb. Platelets ≥ 100\n2. ECOG 0-1"
    assert _shape(text) == [("I1", 0), ("I1.1", 1), ("I1.2", 1), ("I2", 0)]


def test_markdown_sub_bullets() -> None:
    text = "* Age ≥ 18\n* Labs:\n  * ANC ≥ 1.5\n  * Platelets ≥ 100\n* ECOG 0-1"
    assert _shape(text) == [("I1", 0), ("I2", 0), ("I2.1", 1), ("I2.2", 1), ("I3", 0)]


def _eligibility(text: str, minimum: str | None, maximum: str | None = None) -> Eligibility:
    inclusion, exclusion = split_criteria(text)
    return Eligibility(
        inclusion=inclusion,
        exclusion=exclusion,
        minimum_age=parse_age(minimum),
        maximum_age=parse_age(maximum),
    )


def test_text_ages_in_inclusion_and_exclusion_form() -> None:
    text = "Inclusion Criteria:\n* Age between 18 and 75 years\nExclusion Criteria:\n* x"
    assert text_age_limits(_eligibility(text, None)) == (18, 75)
    text = "Inclusion Criteria:\n* x\nExclusion Criteria:\n* Age < 18 years"
    assert text_age_limits(_eligibility(text, None)) == (18, None)


def test_registry_age_against_the_text() -> None:
    agree = _eligibility("* At least 18 years of age", "18 Years")
    assert age_conflicts(agree) == ()
    differ = _eligibility("* At least 20 years of age", "18 Years", "75 Years")
    (warning,) = age_conflicts(differ)
    assert "minimum age is 18 years" in warning and "says 20 years" in warning


# Headings with a qualifier (60 of the 1,329 development records, jwlieb/clinical-trial-agent
# data/demo/results/*/trials.json @387df17): NCT06062498's "Exclusion Criteria All Arms:" was not
# read as a heading, so its exclusion items were inclusion items and "Patients who have received
# major surgery within 28 days before starting trial therapy" became a requirement.
QUALIFIED = """Inclusion Criteria All Arms:

* Patients must be age ≥ 18 years.

Exclusion Criteria All Arms:

* Patients who have received major surgery within 28 days before starting trial therapy.

Key Exclusion Criteria PHASE 1 and PHASE 2

* Pregnant

Inclusion Criteria for Cohort 5:

* ECOG 0-1

Exclusion criteria for participating in the bronchoscopy portion of the study are:

* Known HIV infection

Inclusion Criteria - Patients

* Age ≥ 18 years

Exclusion Criteria: Heel pain caused by stress fractures
"""


def test_headings_with_a_qualifier_switch_the_kind() -> None:
    inclusion, exclusion = split_criteria(QUALIFIED)
    assert [c.text for c in inclusion] == [
        "Patients must be age ≥ 18 years.",
        # a heading naming a cohort stays as the label over the cohort's items
        # (eligibility.scopes): "ECOG 0-1" is for cohort 5 only
        "Inclusion Criteria for Cohort 5:",
        "ECOG 0-1",
        "Age ≥ 18 years",
    ]
    assert [c.text for c in exclusion] == [
        "Patients who have received major surgery within 28 days before starting trial therapy.",
        "Pregnant",
        "Known HIV infection",
        # the heading and its first item on one line
        "Heel pain caused by stress fractures",
    ]


# Headings opened by words of their own (91 of the 1,329 development records): Merck's registry
# summaries (NCT07049926, 18 records) and "General Exclusion Criteria:" (NCT04657068) did not
# switch the kind, so "Has received a live or live attenuated vaccine within 30 days before the
# first dose" was an inclusion item: a requirement every patient failed.
OPENED = """The main inclusion criteria include but are not limited to the following:

* Has an ECOG performance status of 0 or 1

The main exclusion criteria include but are not limited to the following:

* Has received a live or live attenuated vaccine within 30 days before the first dose

General Inclusion Criteria:

* Age ≥ 18 years

General Exclusion Criteria:

* Pregnant

CNS Exclusion Criteria

* Leptomeningeal disease

Subject Inclusion Criteria:

* ECOG 0-1
"""


def test_headings_opened_by_words_of_their_own_switch_the_kind() -> None:
    inclusion, exclusion = split_criteria(OPENED)
    assert [c.text for c in inclusion] == [
        "Has an ECOG performance status of 0 or 1",
        "Age ≥ 18 years",
        "ECOG 0-1",
    ]
    assert [c.text for c in exclusion] == [
        "Has received a live or live attenuated vaccine within 30 days before the first dose",
        "Pregnant",
        # a heading naming a part of the trial (or a group: "Parent inclusion criteria:") stays
        # as the label over its items, which the screen does not decide for everyone
        "CNS Exclusion Criteria",
        "Leptomeningeal disease",
    ]
    scopes = item_scopes(exclusion)
    assert scopes["E4"] == "applies to: CNS Exclusion Criteria (item E3)"
    assert not {"E1", "E2"} & set(scopes)  # "General …" names every patient


def test_a_sentence_about_criteria_is_no_heading() -> None:
    text = (
        "Exclusion Criteria:\n\n* Pregnant\n\n"
        "Exclusion criteria 6 and 7 are removed with Protocol Amendment 7.\n\n"
        "Inclusion criteria for the extension are the same as above\n\n"
        # nor one that speaks of criteria (development records)
        "Other inclusion and exclusion criteria as defined in the study protocol\n\n"
        "More exclusion criteria may apply.\n\n"
        "* Incomplete inclusion criteria\n\n"
        "Meets all inclusion criteria\n"
    )
    inclusion, exclusion = split_criteria(text)
    assert inclusion == ()
    assert len(exclusion) == 7


def test_a_bullet_glyph_on_the_heading_line_is_no_item() -> None:
    # "Inclusion Criteria: ∙" over the items (one development record of jwlieb/clinical-trial-
    # agent data/demo @387df17): the glyph alone made a wordless item
    inclusion, exclusion = split_criteria(
        "Inclusion Criteria: ∙\n∙ Age ≥ 18 years\n\nExclusion Criteria: -\n- Pregnant\n"
    )
    assert [c.text for c in inclusion] == ["Age ≥ 18 years"]
    assert [c.text for c in exclusion] == ["Pregnant"]


@pytest.mark.parametrize("joint", ["OR", "-OR-", "— or —", "*OR*", "(or)"])
def test_or_alone_between_two_items_joins_them(joint: str) -> None:
    # NCT06663072 I12-I13 (a development record of jwlieb/clinical-trial-agent data/demo
    # @387df17): "-OR-" between the creatinine and the clearance, each of whose lists follows;
    # read apart, a patient with creatinine 1.2 mg/dL and a clearance of 45 mL/min failed
    text = (
        "Inclusion Criteria:\n\n* Patients must have adequate organ function as defined below:\n\n"
        "  1. Absolute Neutrophil Count ≥1,500/µL\n  2. Creatinine <1.5 mg/dL\n"
        f"* {joint}\n\n  1. Creatinine Clearance ≥ 50 mL/min\n"
        "  2. Total bilirubin ≤ 1.5 × institutional upper limit of normal\n"
    )
    inclusion, _ = split_criteria(text)
    read = {r.criterion.id: r.criterion for r in read_eligibility(Eligibility(inclusion=inclusion))}
    assert [c.text for c in inclusion][3] == joint
    for joined in ("I1.2", "I2.1"):
        assert any(u.startswith("or (item I2)") for u in read[joined].unread), read[joined]
    assert not read["I1.1"].unread and not read["I2.2"].unread
