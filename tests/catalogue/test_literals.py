"""Each literal SDTM code of an entity lives in one module: the catalogue (issue 11).

The test reads every module of ``src/oncotrial`` outside ``oncotrial.catalogue`` and fails on a
string constant equal to one of the codes the catalogue owns (``sdtm_literals()``: the TESTCD and
TEST of every declared test, the categories, methods and reasons only they use, and the
disposition and therapy-category terms). A module that needs a code takes it from the catalogue.
The few allowed exceptions are listed with the reason the text is not the SDTM code.
"""

from __future__ import annotations

import ast
from pathlib import Path

from oncotrial.catalogue.registry import sdtm_literals

SRC = Path(__file__).resolve().parents[2] / "src" / "oncotrial"

#: (module, text) → why that constant is not the catalogue's SDTM code.
_PARSER = "a word criteria text uses for the analyte (eligibility parser)"
_CONCEPT = "the biomarker concept's name in eligibility criteria (an HGNC gene symbol)"
ALLOWED: dict[tuple[str, str], str] = {
    **{("eligibility/concepts.py", g): _CONCEPT for g in ("EGFR", "ALK", "ROS1", "KRAS", "BRAF")},
    # the gene a declared variant belongs to (the variants' catalogue, beside the concepts)
    **{("eligibility/concepts_variants.py", g): _CONCEPT for g in ("EGFR", "KRAS", "BRAF")},
    (
        "eligibility/evaluate_tumour.py",
        "STAGE",
    ): "the word before a stage group in text ('Stage IIIA')",
    ("endpoints/rates.py", "PROGRESSIVE DISEASE"): "a word inputs use for the response PD",
    ("results/common.py", "COMPLETED"): "the PRS's participant-flow milestone type, not DSDECOD",
    ("endpoints/adsl.py", "COMPLETED"): "the ADaM EOTSTT/EOSSTT value, not DSDECOD",
    ("formats/dataset_specs.py", "ADVERSE EVENT"): "an ADaM dataset subclass (define.xml)",
    ("protocol/vocabulary.py", "COMPLETED"): "a ClinicalTrials.gov overall status",
    ("protocol/vocabulary.py", "RANDOMIZED"): "a ClinicalTrials.gov allocation (design)",
    **{("eligibility/analytes.py", a): _PARSER for a in ("ALT", "AST", "HGB", "WBC", "TSH", "INR")},
    ("eligibility/analytes.py", "Hemoglobin"): "the analyte's display name in eligibility",
    ("eligibility/analytes.py", "Albumin"): "the analyte's display name in eligibility",
}


def _constants(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, except the names its ``__all__`` exports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    exported = {
        id(element)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        and isinstance(node.value, ast.List | ast.Tuple)
        for element in node.value.elts
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in exported
    ]


def test_sdtm_codes_of_entities_live_only_in_the_catalogue() -> None:
    codes = sdtm_literals()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("catalogue/") or "/migrations/" in relative:
            continue
        for line, text in _constants(path):
            if text in codes and (relative, text) not in ALLOWED:
                found.append(f"src/oncotrial/{relative}:{line}: {text!r} ({codes[text]})")
    assert found == [], "use the catalogue's constant instead:\n" + "\n".join(found)


def test_the_scan_finds_a_literal(tmp_path: Path) -> None:
    """The scan is not vacuous: a module writing a TESTCD literally is caught, an export is not."""
    codes = sdtm_literals()
    module = tmp_path / "writer.py"
    module.write_text('__all__ = ["LDIAM"]\nrecord = {"TRTESTCD": "ECOG101"}\n', encoding="utf-8")
    assert [text for _, text in _constants(module) if text in codes] == ["ECOG101"]
