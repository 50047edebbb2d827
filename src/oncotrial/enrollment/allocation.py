"""Concealed allocation lists: stratified permuted blocks from a seed, or imported rows.

Generation (``generate_allocation_list``), per stratum, block after block:

1. draw the block size uniformly from the allowed sizes (each a multiple of the ratio's sum);
2. fill the block with every arm in the allocation ratio (ratio 2:1 and size 6: A A A A B B);
3. shuffle it (Fisher–Yates, Durstenfeld's form);

until the stratum has at least ``slots_per_stratum`` slots (the last block is kept whole, so the
list can be a little longer). The random numbers are fully specified, so anyone can reproduce a
list from its seed without oncotrial: the k-th 64-bit word of a stratum is the first 8 bytes
(big-endian) of SHA-256 of the UTF-8 text ``"<seed>:<stratum label>:<k>"`` (k from 0), and a
uniform integer below n takes the next word w below the largest multiple of n under 2^64 and
returns w mod n (rejection, so there is no modulo bias). A longer list from the same seed starts
with the shorter one, block for block: extending a list never changes a slot already generated.

Import (``allocation_list_from_rows``): rows of a CSV as REDCap and other systems export them —
one row per slot, the arm in column ``arm`` (or ``redcap_randomization_group``), the stratum as
one column per factor (or one ``stratum`` column) and, optionally, ``sequence`` giving the order
within the stratum (else the row order). Arm values are ARMCD codes or arm labels; REDCap's
numeric group codes need an explicit mapping (``group_codes``), never a guess.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from oncotrial.catalogue.rule import Rule
from oncotrial.enrollment.arms import TrialArm
from oncotrial.enrollment.strata import StratificationFactor, enumerate_strata
from oncotrial.errors import Problem, SchemaError, ValueProblem

__all__ = [
    "ALLOCATION_RULES",
    "MAX_SLOTS_PER_STRATUM",
    "AllocationList",
    "AllocationScheme",
    "AllocationSlot",
    "allocation_list_from_rows",
    "generate_allocation_list",
    "uniform_below",
]

MAX_SLOTS_PER_STRATUM = 10_000

ALLOCATION_RULES = (
    Rule(
        "ALLOC-1",
        "Permuted blocks within each stratum: every block holds each arm in the allocation "
        "ratio, in random order, so arms stay balanced within a stratum at each block's end.",
        "ICH E9 §2.3.2 (randomization in blocks, stratification)",
    ),
    Rule(
        "ALLOC-2",
        "Block sizes are drawn at random from a set of multiples of the ratio's sum, so that "
        "the end of a block (and the next arm) cannot be predicted.",
        "ICH E9 §2.3.2 ('two or more block lengths, randomly selected for each block')",
    ),
    Rule(
        "ALLOC-3",
        "Random numbers: word k of a stratum = first 8 bytes of SHA-256('<seed>:<stratum>:<k>'); "
        "integers below n by rejection above the largest multiple of n; Fisher–Yates shuffle.",
        "FIPS 180-4 (SHA-256); Knuth, TAOCP vol. 2 §3.4.2, Algorithm P",
    ),
    Rule(
        "ALLOC-4",
        "The list is made before the first subject is randomized and cannot be replaced once a "
        "slot has been used; only people with the allocation-list permission see it.",
        "ICH E9 §2.3.2; CONSORT 2010 items 8–10 (sequence generation, allocation concealment)",
    ),
    Rule(
        "ALLOC-5",
        "A subject takes the first unused slot of their stratum in list order; no slot is "
        "skipped or used twice, and randomizing reveals that subject's arm only.",
        "CONSORT 2010 item 9 (allocation concealment mechanism)",
    ),
)


@dataclass(frozen=True)
class AllocationScheme:
    """How a list is generated: arms, ratio, block sizes, strata, seed and length."""

    arms: tuple[str, ...]  # ARMCD codes, in the order of ``ratio``
    ratio: tuple[int, ...]
    block_sizes: tuple[int, ...]
    factors: tuple[StratificationFactor, ...]
    seed: int
    slots_per_stratum: int

    def __post_init__(self) -> None:
        problems = []
        if len(self.arms) < 2:
            problems.append("a randomization needs at least two arms")
        if len(set(self.arms)) != len(self.arms):
            problems.append(f"the arm codes {', '.join(self.arms)} repeat")
        if len(self.ratio) != len(self.arms):
            problems.append(
                f"the ratio {':'.join(map(str, self.ratio))} does not have one part per arm "
                f"({len(self.arms)})"
            )
        if any(r < 1 for r in self.ratio):
            problems.append("every part of the ratio must be at least 1")
        unit = sum(self.ratio)
        if not self.block_sizes:
            problems.append("give at least one block size")
        bad = [b for b in self.block_sizes if b < 1 or (unit > 0 and b % unit)]
        if bad:
            problems.append(
                f"block size(s) {', '.join(map(str, bad))} are not multiples of the ratio's sum "
                f"{unit} (ratio {':'.join(map(str, self.ratio))})"
            )
        if len(set(self.block_sizes)) != len(self.block_sizes):
            problems.append("a block size is listed twice")
        if not 0 <= self.seed < 2**63:
            problems.append("the seed must be a whole number from 0 to 2^63 − 1")
        if not 1 <= self.slots_per_stratum <= MAX_SLOTS_PER_STRATUM:
            problems.append(f"slots per stratum must be between 1 and {MAX_SLOTS_PER_STRATUM}")
        if problems:
            raise ValueProblem(
                "the randomization settings cannot be used: " + "; ".join(problems),
                field="randomization",
                problems=[Problem(p) for p in problems],
            )

    @property
    def strata(self) -> tuple[str, ...]:
        return enumerate_strata(self.factors)

    def describe(self) -> str:
        factors = ", ".join(f.name for f in self.factors) or "none"
        return (
            f"stratified permuted blocks; ratio {':'.join(map(str, self.ratio))}; block sizes "
            f"{', '.join(map(str, self.block_sizes))} (drawn at random); strata by {factors}; "
            f"seed {self.seed}; {self.slots_per_stratum} slots per stratum"
        )


@dataclass(frozen=True)
class AllocationSlot:
    stratum: str
    position: int  # 1, 2, … within the stratum: the order subjects take the slots
    arm: str  # ARMCD
    block: int | None = None  # 1, 2, … within the stratum; None for an imported list
    block_size: int | None = None


@dataclass(frozen=True)
class AllocationList:
    """An allocation list: slots in order within each stratum (immutable)."""

    slots: tuple[AllocationSlot, ...]
    strata: tuple[str, ...]
    scheme: AllocationScheme | None = None  # None for an imported list
    source: str = "generated"
    _index: dict[str, tuple[AllocationSlot, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[AllocationSlot]] = {s: [] for s in self.strata}
        for slot in self.slots:
            index.setdefault(slot.stratum, []).append(slot)
        self._index.update({k: tuple(v) for k, v in index.items()})

    def __len__(self) -> int:
        return len(self.slots)

    def __iter__(self) -> Iterator[AllocationSlot]:
        return iter(self.slots)

    def in_stratum(self, stratum: str) -> tuple[AllocationSlot, ...]:
        return self._index.get(stratum, ())

    def arm_counts(self, stratum: str | None = None) -> dict[str, int]:
        slots = self.slots if stratum is None else self.in_stratum(stratum)
        return dict(Counter(s.arm for s in slots))

    def to_rows(self) -> list[dict[str, str]]:
        """The list as CSV rows (stratum, sequence, block, block_size, arm)."""
        return [
            {
                "stratum": s.stratum,
                "sequence": str(s.position),
                "block": "" if s.block is None else str(s.block),
                "block_size": "" if s.block_size is None else str(s.block_size),
                "arm": s.arm,
            }
            for s in self.slots
        ]

    @property
    def sha256(self) -> str:
        """Digest of the list's content (stratum, sequence, block, block size, arm per slot)."""
        digest = hashlib.sha256()
        for row in self.to_rows():
            line = "\t".join(row[k] for k in ("stratum", "sequence", "block", "block_size", "arm"))
            digest.update(line.encode("utf-8") + b"\n")
        return digest.hexdigest()


class _Stream:
    """The specified random words of one stratum (module docstring, ALLOC-3)."""

    def __init__(self, seed: int, stratum: str) -> None:
        self.prefix = f"{seed}:{stratum}:"
        self.counter = 0

    def word(self) -> int:
        data = hashlib.sha256(f"{self.prefix}{self.counter}".encode()).digest()
        self.counter += 1
        return int.from_bytes(data[:8], "big")


def uniform_below(stream: _Stream, n: int) -> int:
    """A uniform integer in [0, n) by rejection (no modulo bias)."""
    if n < 1:
        raise ValueError("n must be positive")
    limit = (2**64 // n) * n
    while True:
        w = stream.word()
        if w < limit:
            return w % n


def _stratum_slots(scheme: AllocationScheme, stratum: str) -> list[AllocationSlot]:
    stream = _Stream(scheme.seed, stratum)
    unit = sum(scheme.ratio)
    slots: list[AllocationSlot] = []
    block = 0
    while len(slots) < scheme.slots_per_stratum:
        block += 1
        size = scheme.block_sizes[uniform_below(stream, len(scheme.block_sizes))]
        copies = size // unit
        arms = [arm for arm, r in zip(scheme.arms, scheme.ratio, strict=True) for _ in range(r)]
        content = arms * copies
        # Durstenfeld's Fisher–Yates: for i from n−1 down to 1, swap i with a uniform j ≤ i.
        for i in range(len(content) - 1, 0, -1):
            j = uniform_below(stream, i + 1)
            content[i], content[j] = content[j], content[i]
        for arm in content:
            slots.append(
                AllocationSlot(
                    stratum=stratum,
                    position=len(slots) + 1,
                    arm=arm,
                    block=block,
                    block_size=size,
                )
            )
    return slots


def generate_allocation_list(scheme: AllocationScheme) -> AllocationList:
    """The concealed list of ``scheme`` (see the module docstring for the exact algorithm)."""
    strata = scheme.strata
    slots: list[AllocationSlot] = []
    for stratum in strata:
        slots.extend(_stratum_slots(scheme, stratum))
    return AllocationList(slots=tuple(slots), strata=strata, scheme=scheme, source="generated")


_ARM_COLUMNS = ("arm", "armcd", "redcap_randomization_group", "randomization_group", "group")
_ORDER_COLUMNS = ("sequence", "position", "seq", "slot")


def _column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {c.strip().casefold(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def allocation_list_from_rows(
    rows: Sequence[Mapping[str, str | None]],
    *,
    arms: Sequence[TrialArm],
    factors: Sequence[StratificationFactor],
    source: str = "imported list",
    group_codes: Mapping[str, str] | None = None,
) -> AllocationList:
    """Check and read an external allocation list (module docstring); every problem is reported.

    ``group_codes`` maps a system's own arm codes (REDCap's ``1``, ``2``) to ARMCD codes.
    """
    if not rows:
        raise SchemaError("the allocation list has no rows", file=source)
    columns = list(rows[0].keys())
    arm_column = _column(columns, _ARM_COLUMNS)
    if arm_column is None:
        raise SchemaError(
            "the allocation list has no arm column",
            file=source,
            field="arm",
            hint="Name the column 'arm' (ARMCD or arm label) or 'redcap_randomization_group'.",
        )
    order_column = _column(columns, _ORDER_COLUMNS)
    stratum_column = _column(columns, ("stratum",))
    factor_columns = _factor_columns(columns, factors, source) if stratum_column is None else []
    strata = enumerate_strata(factors)
    known_strata = {s.casefold(): s for s in strata}

    codes, mapping = _arm_codes(arms, group_codes, source)

    problems: list[Problem] = []
    entries: list[tuple[str, int, int, str]] = []  # stratum, order key, row number, arm
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        record = f"row {number}"
        raw_arm = (row.get(arm_column) or "").strip()
        key = raw_arm.casefold()
        if key in mapping:
            key = mapping[key].casefold()
        arm = codes.get(key)
        if arm is None:
            hint = "a REDCap group code needs a mapping such as '1=A, 2=B'" if raw_arm else ""
            problems.append(
                Problem(
                    "unknown arm" + (f" ({hint})" if hint else ""),
                    file=source,
                    record=record,
                    field=arm_column,
                    value=raw_arm,
                )
            )
            continue
        label = _stratum_label(
            row, record, stratum_column, factors, factor_columns, source, problems
        )
        if label is None:
            continue
        stratum = known_strata.get(label.casefold())
        if stratum is None:
            problems.append(
                Problem(
                    "not a stratum of this trial",
                    file=source,
                    record=record,
                    field=stratum_column or "stratum",
                    value=label,
                )
            )
            continue
        order = number
        if order_column is not None:
            text = (row.get(order_column) or "").strip()
            if not text.isdigit() or int(text) < 1:
                problems.append(
                    Problem(
                        "the sequence must be a whole number from 1",
                        file=source,
                        record=record,
                        field=order_column,
                        value=text,
                    )
                )
                continue
            order = int(text)
        entries.append((stratum, order, number, arm))

    if order_column is not None:
        problems += _repeated_sequences(entries, order_column, source)
    present = {e[0] for e in entries}
    for stratum in strata:
        if stratum not in present and not problems:
            problems.append(
                Problem(
                    f"stratum {stratum or '(all subjects)'} has no slots",
                    file=source,
                    field="stratum",
                )
            )
    if problems:
        summary = (
            problems[0].message
            if len(problems) == 1 and problems[0].record is None
            else f"{len(problems)} problem{'s' if len(problems) != 1 else ''}, listed below"
        )
        raise ValueProblem(
            f"the allocation list cannot be used ({summary}); nothing was stored",
            file=source,
            problems=problems,
            hint="Correct the file and import it again.",
        )
    slots: list[AllocationSlot] = []
    for stratum in strata:
        ordered = sorted((e for e in entries if e[0] == stratum), key=lambda e: (e[1], e[2]))
        for position, (_, _, _, arm) in enumerate(ordered, start=1):
            slots.append(AllocationSlot(stratum=stratum, position=position, arm=arm))
    return AllocationList(slots=tuple(slots), strata=strata, scheme=None, source=source)


def _arm_codes(
    arms: Sequence[TrialArm], group_codes: Mapping[str, str] | None, source: str
) -> tuple[dict[str, str], dict[str, str]]:
    """ARMCD by lower-cased code or label, and a system's own group codes mapped to ARMCD."""
    codes = {a.code.casefold(): a.code for a in arms}
    codes.update({a.label.casefold(): a.code for a in arms})
    mapping = {k.strip().casefold(): v for k, v in (group_codes or {}).items()}
    for target in mapping.values():
        if target.casefold() not in codes:
            raise ValueProblem(
                f"the group code mapping names arm {target!r}, which the trial does not have",
                file=source,
                field="group codes",
                hint=f"Arms: {', '.join(a.code + ' = ' + a.label for a in arms)}.",
            )
    return codes, mapping


def _stratum_label(
    row: Mapping[str, str | None],
    record: str,
    stratum_column: str | None,
    factors: Sequence[StratificationFactor],
    factor_columns: Sequence[str],
    source: str,
    problems: list[Problem],
) -> str | None:
    """The row's stratum label, from its stratum column or one column per factor; None (and a
    problem) when a factor's level is not one of the factor's."""
    if stratum_column is not None:
        label = (row.get(stratum_column) or "").strip()
        parts = [p.strip() for p in label.split(";")] if label else []
        return "; ".join(parts)
    parts = []
    for factor, column in zip(factors, factor_columns, strict=True):
        value = (row.get(column) or "").strip()
        try:
            parts.append(factor.level(value))
        except ValueProblem:
            problems.append(
                Problem(
                    f"not a level of {factor.name} ({', '.join(factor.levels)})",
                    file=source,
                    record=record,
                    field=column,
                    value=value,
                )
            )
            return None
    return "; ".join(parts)


def _repeated_sequences(
    entries: Sequence[tuple[str, int, int, str]], order_column: str, source: str
) -> list[Problem]:
    """A sequence number given twice in one stratum."""
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    for stratum, order, number, _ in entries:
        if (stratum, order) in seen:
            problems.append(
                Problem(
                    f"sequence {order} of stratum {stratum or '(all)'} is also on row "
                    f"{seen[(stratum, order)]}",
                    file=source,
                    record=f"row {number}",
                    field=order_column,
                )
            )
        seen[(stratum, order)] = number
    return problems


def _factor_columns(
    columns: Sequence[str], factors: Sequence[StratificationFactor], source: str
) -> list[str]:
    """The column of each stratification factor (named after it)."""
    factor_columns: list[str] = []
    for factor in factors:
        found = _column(columns, (factor.name.strip().casefold(),))
        if found is None:
            raise SchemaError(
                f"the allocation list has no column for stratification factor {factor.name!r}",
                file=source,
                field=factor.name,
                hint="Add one column per factor, named after it, or one 'stratum' column.",
            )
        factor_columns.append(found)
    return factor_columns
