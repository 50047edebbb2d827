"""The boilerplate items of NCI (CTEP) and cooperative-group protocol templates, read whole
(eligibility.reading_boilerplate; issue 12).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent @387df17,
data/demo/results/<dir>/trials.json or data/demo/v2-results/<dir>/trials.json (eligibility
raw_text); the directory is given with each phrasing. The negative phrasings are the same
templates with a requirement added: they stay unread.
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.reading_boilerplate import BOILERPLATE
from oncotrial.eligibility.rules import describe_rule

P = "Pregnancy (current)"
B = "Breastfeeding (current)"
PB = f"({P}) or ({B})"

# NCT03586453 E13 (01_nsclc_kras_g12c_standard), the NCI CTEP template
CTEP = (
    "Pregnant women are excluded from this study because the effects of osimertinib on the "
    "development of the fetus are unknown, and there is potential for teratogenic or "
    "abortifacient effects. Because there is an unknown but potential risk for adverse events in "
    "nursing infants secondary to treatment of the mother with osimertinib, breastfeeding should "
    "be discontinued if the mother is treated with osimertinib."
)
# NCT04762199 E12 (01_nsclc_kras_g12c_standard): two drugs, "the study agents"
CTEP_AGENTS = (
    "Pregnant women are excluded from this study because osimertinib is an agent with the "
    "potential for teratogenic or abortifacient effects. Because there is an unknown but "
    "potential risk for adverse events in nursing infants secondary to treatment of the mother "
    "with osimertinib and MRX-2843, breastfeeding should be discontinued if the mother is "
    "treated with the study agents"
)
# NCT07012031 E17 (02_nsclc_kras_g12c_brain_mets): a long description of the drug, no comma
CTEP_LONG = (
    "Pregnant women are excluded from this study because trastuzumab deruxtecan (DS-8201a) is a "
    "HER2-directed antibody conjugated to a topoisomerase 1 inhibitor agent with the potential "
    "for teratogenic or abortifacient effects. Because there is an unknown but potential risk "
    "for adverse events in nursing infants secondary to treatment of the mother with "
    "trastuzumab deruxtecan (DS-8201a) breastfeeding should be discontinued if the mother is "
    "treated with trastuzumab deruxtecan (DS-8201a). These potential risks may also apply to "
    "other agents used in this study"
)
# NCT05121051 E8 (08_lung_squamous_pd_l1_high): the rules stated before the template
CTEP_RESTATED = (
    "Pregnant or lactating women. Pregnant women are excluded from this study because the "
    "effects of BSSE on the developing human fetus are unknown. Because there is an unknown but "
    "potential risk for adverse events (AEs) in nursing infants secondary to treatment of the "
    "mother with BSSE, Breastfeeding should be discontinued if the mother is treated with BSSE"
)
# NCT04545762 E7 (12_elderly_cll_poor_performance), less its NOTE on pregnancy tests
CTEP_CAR_T = (
    "Pregnant or breastfeeding women are excluded from this study because CAR-T cell therapy "
    "may be associated with the potential for teratogenic or abortifacient effects. Because "
    "there is an unknown, but potential risk for adverse events in nursing infants secondary to "
    "treatment of the mother with CAR-T cells, breastfeeding should be discontinued. These "
    "potential risks may also apply to other agents used in this study."
)
# NCT05896839 E12 (v2-results/05_melanoma_braf_v600e): "risk for AEs"
CTEP_AES = (
    "Pregnant women are excluded from this study because nivolumab and ipilimumab have the "
    "potential for teratogenic or abortifacient effects. Because there is an unknown but "
    "potential risk for AEs in nursing infants secondary to treatment of the mother, "
    "breastfeeding should be discontinued if the mother is treated with nivolumab or "
    "ipilimumab. These potential risks may also apply to other agents used in this study"
)
# NCT07049848 E30 (v2-results/11_young_sarcoma_treatment_naive): the first sentence alone
CTEP_PREGNANT_ONLY = (
    "Pregnant women are excluded from this study because doxorubicin a class D agent with the "
    "potential for teratogenic or abortifacient effects."
)
# NCT04181060 I11 (03_nsclc_egfr_exon19), the NCTN group template
HARM = (
    "Patient must not be pregnant or breast-feeding due to the potential harm to an unborn fetus "
    "and possible risk for adverse events in nursing infants with the treatment regimens being "
    "used"
)
# NCT04989959 E2 (07_pancreatic_kras_g12d)
CONGENITAL = (
    "Subjects must not be pregnant or nursing due to the potential for congenital abnormalities "
    "and the potential of this regimen to harm nursing infants."
)
# NCT07012031 I7.1 (02_nsclc_kras_g12c_brain_mets): the clause alone; read alone, "< 18 years"
# was an age *below* 18 asked of an inclusion
CHILDREN = (
    "Because no dosing or adverse event data are currently available on the use of sotorasib "
    "(AMG-510) in combination with trastuzumab deruxtecan (DS-8201a) in patients \\< 18 years of "
    "age, children are excluded from this study"
)
# NCT06439693 I4 (06_breast_her2_positive): after the item's own age, "&lt;", pediatric trials
CHILDREN_AFTER_AGE = (
    "Age ≥18 years. Because no dosing or adverse event data are currently available on the use "
    "of trastuzumab, pertuzumab, paclitaxel, trastuzumab deruxtecan, T-DM1 and tucatinib in "
    "Participants \\&lt;18 years of age, children are excluded from this study, but will be "
    "eligible for future pediatric trials."
)

# Negative: NCT05053971 E12 (07_pancreatic_kras_g12d) — breastfeeding stopped for 28 days after
# the last dose is a requirement of its own
CTEP_LONGER = (
    "Pregnant women are excluded from this study because entinostat is an HDACi and ZEN003694 is "
    "a BETi with the potential for teratogenic or abortifacient effects. Because there is an "
    "unknown but potential risk for adverse events in nursing infants secondary to treatment of "
    "the mother with entinostat or ZEN003694, breastfeeding should be discontinued throughout "
    "the treatment period and for at least 28 days following the last dose of study treatment "
    "if the mother is treated with entinostat or ZEN003694"
)


def _read(
    text: str, kind: CriterionKind = CriterionKind.EXCLUSION
) -> tuple[list[str], tuple[str, ...]]:
    item = "E1" if kind is CriterionKind.EXCLUSION else "I1"
    reading = read_criterion(Criterion(id=item, kind=kind, text=text))
    return [describe_rule(r) for r in reading.criterion.rules], reading.criterion.unread


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (CTEP, [P, B]),
        (CTEP_AGENTS, [P, B]),
        (CTEP_LONG, [P, B]),
        (CTEP_RESTATED, [PB]),
        (CTEP_CAR_T, [PB]),
        (CTEP_AES, [P, B]),
        (CTEP_PREGNANT_ONLY, [P]),
        (CONGENITAL, [PB]),
    ],
)
def test_pregnancy_templates_read_whole_with_one_rule_each(text: str, rules: list[str]) -> None:
    # the mention in "nursing infants" is no breastfeeding rule of its own, and a rule the item
    # states twice is one rule
    assert _read(text) == (rules, ())


def test_group_template_in_an_inclusion_is_its_negation() -> None:
    assert _read(HARM, CriterionKind.INCLUSION) == ([f"not ({PB})"], ())


def test_template_in_an_inclusion_is_not_read_as_an_exclusion() -> None:
    # "are excluded" under the inclusions: no rule is proposed (a checklist item, as before)
    assert _read(CTEP, CriterionKind.INCLUSION) == ([], ())


def test_a_requirement_added_to_the_template_stays_unread() -> None:
    # the first sentence is the template's whole (a rule and its reason); the second is not
    _, unread = _read(CTEP_LONGER)
    assert any("28 days" in u for u in unread)
    assert any("nursing" not in u and "infants" in u for u in unread)


@pytest.mark.parametrize(
    "text",
    [
        CTEP.replace("Pregnant women", "Pregnant women with hepatitis B"),
        CTEP.replace(
            "breastfeeding should be discontinued", "breastfeeding should be discontinued 3 months"
        ),
        CTEP.replace(
            "if the mother is treated with osimertinib",
            "if the mother is treated with osimertinib unless approved by the sponsor",
        ),
        HARM.replace("being used", "being used for at least 6 months"),
    ],
)
def test_variants_adding_a_condition_stay_partial(text: str) -> None:
    _, unread = _read(text)
    assert unread


def test_children_clause_is_the_age_of_an_adult() -> None:
    assert _read(CHILDREN, CriterionKind.INCLUSION) == (["age at consent ≥ 18 years"], ())
    # the item's own age is not repeated
    assert _read(CHILDREN_AFTER_AGE, CriterionKind.INCLUSION) == (
        ["age at consent ≥ 18 years"],
        (),
    )
    # the same clause among the exclusions excludes the children
    assert _read(CHILDREN) == (["age at consent < 18 years"], ())


def test_children_clause_with_more_words_stays_unread() -> None:
    # NCT06062745 I3 (v2 corpus; the prostate-cancer clause is a reason the template lacks)
    text = CHILDREN.replace(
        "years of age,", "years of age, and most prostate cancer occurs in adults,"
    )
    _, unread = _read(text, CriterionKind.INCLUSION)
    assert unread


def test_templates_are_declared_with_their_source() -> None:
    for template in BOILERPLATE:
        assert template.description and template.source


# NCI's HIV template (eligibility.reading_viral_templates) as its copies write it
HIV_RULE = (
    "if HIV infection: (Antiretroviral therapy for HIV received ongoing) and (HIV-1 RNA "
    "(qualitative) = negative within 6 months before {day})"
)
REGISTRATION_DAY = "registration (the screen's as-of date)"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # NCT05863195 I16 (04_colorectal_kras_g12c): the day named, and the note on testing
        (
            "Human immunodeficiency virus (HIV)-infected patients on effective anti-retroviral "
            "therapy with undetectable viral load within 6 months of randomization are eligible "
            "for this trial. Testing for HIV is not required for entry onto the study",
            REGISTRATION_DAY,
        ),
        # NCT05554328 I23 (v2-results/15_ovarian_brca1_platinum_sensitive)
        (
            "Human immunodeficiency virus (HIV)-infected patients on effective anti-retroviral "
            "therapy with undetectable viral load within 6 months of registration are eligible "
            "for this trial",
            REGISTRATION_DAY,
        ),
        # NCT05694715 I14 (09_prostate_brca2): "individuals"
        (
            "Human immunodeficiency virus (HIV)-infected individuals on effective anti-retroviral "
            "therapy with undetectable viral load within 6 months are eligible for this trial.",
            "the first dose",
        ),
    ],
)
def test_hiv_template_copies(text: str, day: str) -> None:
    assert _read(text, CriterionKind.INCLUSION) == ([HIV_RULE.format(day=day)], ())


def test_hiv_template_with_an_exception_stays_partial() -> None:
    # the template with "unless …" added (the tovorafenib wording of NCT-style copies)
    text = (
        "HIV-infected patients on effective anti-retroviral therapy with undetectable viral load "
        "within 6 months are eligible for this trial unless antiretroviral therapy interacts "
        "with the metabolism of the study drug"
    )
    _, unread = _read(text, CriterionKind.INCLUSION)
    assert unread


@pytest.mark.parametrize(
    ("text", "kind", "rules"),
    [
        # NCT01174121 E1 (v2-results/04_colorectal_kras_g12c)
        (
            "Participants who are pregnant or nursing because of the potentially dangerous "
            "effects of the treatment on the fetus or infant.",
            CriterionKind.EXCLUSION,
            [PB],
        ),
        # NCT05155033 E1 and I6 (v2-results/14_renal_cell_io_resistant)
        (
            "Participant is nursing because of the potentially dangerous effects of the "
            "treatment on the fetus or infant.",
            CriterionKind.EXCLUSION,
            [B],
        ),
        (
            "Must have a negative pregnancy test because of the potentially dangerous effects of "
            "the treatment on the fetus.",
            CriterionKind.INCLUSION,
            ["if sex is female: Pregnancy test (hCG) = negative"],
        ),
    ],
)
def test_reason_after_a_pregnancy_rule(text: str, kind: CriterionKind, rules: list[str]) -> None:
    assert _read(text, kind) == (rules, ())


def test_reason_after_another_rule_stays_unread() -> None:
    # the reason is read only after a pregnancy rule: here it follows a laboratory limit
    text = (
        "Platelets ≥ 100,000/mm3 because of the potentially dangerous effects of the treatment "
        "on the fetus."
    )
    _, unread = _read(text, CriterionKind.INCLUSION)
    assert unread
