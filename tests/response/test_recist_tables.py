"""Every row of RECIST 1.1 Tables 1, 2 and 3 (Eisenhauer et al., Eur J Cancer 2009;45:228-47).

The expected values are written here from the guideline's tables, independently of the rule
declarations in ``oncotrial.response.rules``; each row is checked on the declared table and end
to end, from lesion measurements (Tables 1-2) or recorded timepoint responses (Table 3).
"""

from __future__ import annotations

import itertools

import pytest
from response_builders import L, lesions, offset_of, param, subjects, timepoints

from oncotrial.response import AfterCompleteResponse, ResponseSettings, derive_response
from oncotrial.response.timepoints import overall_response

TARGET = ("CR", "PR", "SD", "PD", "NE")
NONTARGET = ("CR", "NON-CR/NON-PD", "NE", "PD")
NEW = ("N", "Y")

# Table 1 - Time point response: patients with target (+/- non-target) disease.
TABLE_1 = [
    ("CR", "CR", "N", "CR"),  # CR | CR | No -> CR
    ("CR", "NON-CR/NON-PD", "N", "PR"),  # CR | Non-CR/non-PD | No -> PR
    ("CR", "NE", "N", "PR"),  # CR | Not evaluated | No -> PR
    *[("PR", nt, "N", "PR") for nt in ("CR", "NON-CR/NON-PD", "NE")],  # PR | Non-PD or NAE
    *[("SD", nt, "N", "SD") for nt in ("CR", "NON-CR/NON-PD", "NE")],  # SD | Non-PD or NAE
    *[("NE", nt, "N", "NE") for nt in ("CR", "NON-CR/NON-PD", "NE")],  # NAE | Non-PD | No
    *[("PD", nt, new, "PD") for nt in NONTARGET for new in NEW],  # PD | Any | Yes or No
    *[(t, "PD", new, "PD") for t in TARGET for new in NEW],  # Any | PD | Yes or No
    *[(t, nt, "Y", "PD") for t in TARGET for nt in NONTARGET],  # Any | Any | Yes
]
# Without non-target lesions at baseline the target response decides (eCRF 'not applicable').
TABLE_1_NO_NONTARGET = [("CR", "CR"), ("PR", "PR"), ("SD", "SD"), ("PD", "PD"), ("NE", "NE")]
# Table 2 - Time point response: patients with non-target disease only.
TABLE_2 = [
    ("CR", "N", "CR"),  # CR | No -> CR
    ("NON-CR/NON-PD", "N", "NON-CR/NON-PD"),  # Non-CR/non-PD | No -> Non-CR/non-PD
    ("NE", "N", "NE"),  # Not all evaluated | No -> NE
    ("PD", "N", "PD"),  # Unequivocal PD | Yes or No -> PD
    ("PD", "Y", "PD"),
    *[(nt, "Y", "PD") for nt in NONTARGET],  # Any | Yes -> PD
]

# Baseline T1 30 mm, T2 20 mm (sum 50); follow-up measurements giving each target category.
TARGET_FOLLOW_UP = {
    "CR": [L(56, "T1", diameter=0), L(56, "T2", diameter=0)],
    "PR": [L(56, "T1", diameter=20), L(56, "T2", diameter=10)],  # 30 = -40%
    "SD": [L(56, "T1", diameter=28), L(56, "T2", diameter=20)],  # 48 = -4%
    "PD": [L(56, "T1", diameter=45), L(56, "T2", diameter=20)],  # 65 = +30%, +15 mm
    "NE": [L(56, "T1", status="NOT EVALUABLE"), L(56, "T2", diameter=20)],
}
NONTARGET_STATE = {
    "CR": "ABSENT",
    "NON-CR/NON-PD": "PRESENT",
    "NE": "NOT EVALUABLE",
    "PD": "UNEQUIVOCAL PROGRESSION",
}


def _scenario(target: str | None, nontarget: str | None, new: str) -> list[L]:
    records: list[L] = []
    if target is not None:
        records += [L(-3, "T1", diameter=30), L(-3, "T2", diameter=20)]
        records += TARGET_FOLLOW_UP[target]
    if nontarget is not None:
        records += [L(-3, "NT1", "NON-TARGET", status="PRESENT")]
        records += [L(56, "NT1", "NON-TARGET", status=NONTARGET_STATE[nontarget])]
    if new == "Y":
        records.append(L(56, "N1", "NEW", diameter=12))
    return records


def _timepoint(records: list[L]) -> dict[str, object]:
    result = derive_response(subjects("S1"), lesions=lesions(*records))
    assert result.excluded.empty, result.excluded
    assert len(result.timepoints) == 1
    return result.timepoints.iloc[0].to_dict()


@pytest.mark.parametrize(("target", "nontarget", "new", "expected"), TABLE_1)
def test_table_1(target: str, nontarget: str, new: str, expected: str) -> None:
    assert overall_response(target, nontarget, new).result == expected
    row = _timepoint(_scenario(target, nontarget, new))
    assert (row["TRGRESP"], row["NTRGRESP"], row["NEWLIND"]) == (target, nontarget, new)
    assert row["OVRLRESP"] == expected


@pytest.mark.parametrize(("target", "expected"), TABLE_1_NO_NONTARGET)
@pytest.mark.parametrize("new", ["N", "EQUIVOCAL"])
def test_table_1_without_non_target_lesions(target: str, new: str, expected: str) -> None:
    assert overall_response(target, "NA", new).result == expected
    records = _scenario(target, None, "N")
    if new == "EQUIVOCAL":  # an equivocal new lesion is not progression (RECIST 1.1 §4.3.5)
        records.append(L(56, "N1", "NEW", status="EQUIVOCAL"))
    row = _timepoint(records)
    assert (row["NTRGRESP"], row["NEWLIND"], row["OVRLRESP"]) == ("NA", new, expected)


@pytest.mark.parametrize(("nontarget", "new", "expected"), TABLE_2)
def test_table_2(nontarget: str, new: str, expected: str) -> None:
    assert overall_response("NA", nontarget, new).result == expected
    row = _timepoint(_scenario(None, nontarget, new))
    assert (row["TRGRESP"], row["NTRGRESP"], row["OVRLRESP"]) == ("NA", nontarget, expected)


def test_every_combination_has_exactly_one_deciding_row() -> None:
    for t, nt, new in itertools.product(
        (*TARGET, "NA"), (*NONTARGET, "NA"), ("N", "Y", "EQUIVOCAL")
    ):
        if t == "NA" and nt == "NA":
            continue  # no disease at baseline: such subjects are excluded before
        assert overall_response(t, nt, new).result in {
            "CR",
            "PR",
            "SD",
            "NON-CR/NON-PD",
            "PD",
            "NE",
        }


# Table 3 - Best overall response when confirmation of CR and PR is required.
# (first, subsequent, SD window met, expected RECIST, expected admiralonco); "met": the first
# assessment on day 42 (the 6-week SD window), the next on day 84; "not met": days 14 and 35.
TABLE_3 = [
    ("CR", "CR", True, "CR", "CR"),  # CR | CR -> CR
    ("CR", "PR", True, "SD", "SD"),  # CR | PR -> SD, PD or PR (footnote a: PD at the PR)
    ("CR", "PR", False, "PD", "NE"),
    ("CR", "SD", True, "SD", "SD"),  # CR | SD -> SD if minimum SD duration met, otherwise PD
    ("CR", "SD", False, "PD", "NE"),
    ("CR", "PD", True, "SD", "SD"),  # CR | PD -> SD if minimum SD duration met, otherwise PD
    ("CR", "PD", False, "PD", "PD"),
    ("CR", "NE", True, "SD", "SD"),  # CR | NE -> SD if minimum SD duration met, otherwise NE
    ("CR", "NE", False, "NE", "NE"),
    ("PR", "CR", True, "PR", "PR"),  # PR | CR -> PR
    ("PR", "PR", True, "PR", "PR"),  # PR | PR -> PR
    ("PR", "SD", True, "SD", "SD"),  # PR | SD -> SD
    ("PR", "SD", False, "NE", "NE"),  # ... and before the SD window (RECIST 1.1 §4.6.3): NE
    ("PR", "PD", True, "SD", "SD"),  # PR | PD -> SD if minimum SD duration met, otherwise PD
    ("PR", "PD", False, "PD", "PD"),
    ("PR", "NE", True, "SD", "SD"),  # PR | NE -> SD if minimum SD duration met, otherwise NE
    ("PR", "NE", False, "NE", "NE"),
    ("NE", "NE", True, "NE", "NE"),  # NE | NE -> NE
]


@pytest.mark.parametrize(("first", "then", "window", "recist", "admiral"), TABLE_3)
@pytest.mark.parametrize("handling", list(AfterCompleteResponse))
def test_table_3(first, then, window, recist, admiral, handling) -> None:
    days = (42, 84) if window else (14, 35)
    result = derive_response(
        subjects("S1"),
        timepoints=timepoints([(days[0], first), (days[1], then)]),
        settings=ResponseSettings(after_cr=handling),
    )
    expected = recist if handling is AfterCompleteResponse.RECIST else admiral
    assert param(result.adrs, "CBOR")["AVALC"] == expected


def test_table_3_cr_then_pr_confirmed_later() -> None:
    # CR, PR, PR: admiralonco confirms the PR by the later PR; RECIST 1.1 Table 3 footnote a
    # reads the PR after a CR as PD (disease reappeared), leaving SD, and flags the CR for review.
    sequence = [(42, "CR"), (84, "PR"), (126, "PR")]
    recist = derive_response(subjects("S1"), timepoints=timepoints(sequence))
    admiral = derive_response(
        subjects("S1"),
        timepoints=timepoints(sequence),
        settings=ResponseSettings(after_cr=AfterCompleteResponse.ADMIRALONCO),
    )
    assert param(admiral.adrs, "CBOR")[["AVALC", "RULE"]].tolist() == ["PR", "CBOR-PR"]
    cbor = param(recist.adrs, "CBOR")
    assert (cbor["AVALC"], offset_of(cbor["ADT"])) == ("SD", 42)
    assert recist.flags["RULE"].tolist() == ["CBOR-AFTER-CR"]
    assert param(recist.adrs, "BOR")["AVALC"] == param(admiral.adrs, "BOR")["AVALC"] == "CR"


def test_table_3_cr_then_sd_after_the_window() -> None:
    # CR on day 21 (before the 42-day window) then SD on day 49: RECIST 1.1 counts the SD as
    # reappearance after CR -> PD (decided by that row); admiralonco counts SD (day 49).
    sequence = [(21, "CR"), (49, "SD")]
    recist = derive_response(subjects("S1"), timepoints=timepoints(sequence))
    cbor = param(recist.adrs, "CBOR")
    assert (cbor["AVALC"], cbor["RULE"], offset_of(cbor["ADT"])) == ("PD", "CBOR-AFTER-CR", 49)
    admiral = derive_response(
        subjects("S1"),
        timepoints=timepoints(sequence),
        settings=ResponseSettings(after_cr=AfterCompleteResponse.ADMIRALONCO),
    )
    assert param(admiral.adrs, "CBOR")[["AVALC", "RULE"]].tolist() == ["SD", "CBOR-SD"]


@pytest.mark.parametrize("days", [0, 1, 28])
@pytest.mark.parametrize("response", ["CR", "PR"])
def test_a_response_is_never_its_own_confirmation(days: int, response: str) -> None:
    # admiralonco joins a response with the assessments *after* it only (derive_param_confirmed_bor
    # and its cbor_cr/cbor_pr events: join_type = "after"; admiral filter_joined keeps
    # tmp_obs_nr.join > tmp_obs_nr), so even with a 0-day interval a lone CR/PR is unconfirmed.
    settings = ResponseSettings(confirmation_days=days)
    alone = derive_response(
        subjects("S1"), timepoints=timepoints([(56, response)]), settings=settings
    )
    assert param(alone.adrs, "CBOR")[["AVALC", "RULE"]].tolist() == ["SD", "CBOR-SD"]
    assert param(alone.adrs, "CRSP")["AVALC"] == "N"
    # A later assessment confirms it as soon as it is `days` or more later (the next day for 0).
    later = derive_response(
        subjects("S1"),
        timepoints=timepoints([(56, response), (56 + max(days, 1), response)]),
        settings=settings,
    )
    cbor = param(later.adrs, "CBOR")
    assert (cbor["AVALC"], offset_of(cbor["ADT"])) == (response, 56)
