"""The trial database's tables: one model per entity, each row one SDTM record.

A record's SDTM variables are typed fields named after what they hold; ``SDTM`` on each model maps
variable names to fields (``--`` stands for the domain prefix, so ``--SEQ`` is ``AESEQ`` in AE).
Variables a model does not name (a file's own extra columns, the AE relatedness per intervention)
are kept as text in ``extra`` so that an import exports back exactly. docs/sdtm.md says which
domain each entity goes to; docs/database.md describes the tables.

Every model keeps its full history with django-simple-history (who, when, what, why; append-only
by database triggers). Deleting a subject or trial that still has records is refused (PROTECT).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, cast

from django.db import models, transaction
from django.db.models import Q
from simple_history.models import HistoricalRecords

from oncotrial.catalogue import common as catalogue_common
from oncotrial.catalogue import subject as catalogue
from oncotrial.errors import IntegrityError

# The trial's conduct (roles, allocation, screening, queries, logins, report builds) and sign-off
# are in modules of the same app; importing them here registers their models with Django.
from oncotrial.store import signoff as _signoff  # noqa: F401
from oncotrial.store.conduct import (
    AllocationSlot,
    LoginAttempt,
    Membership,
    Query,
    QueryMessage,
    RandomizationScheme,
    ReportBuild,
    ScreeningRecord,
)

__all__ = [
    "RECORD_MODELS",
    "AdverseEvent",
    "AllocationSlot",
    "Disposition",
    "DomainLayout",
    "Exposure",
    "Finding",
    "LabResult",
    "Lesion",
    "LoginAttempt",
    "Measurement",
    "Medication",
    "Membership",
    "OtherRecord",
    "Procedure",
    "ProtocolVersion",
    "Query",
    "QueryMessage",
    "RandomizationScheme",
    "ReportBuild",
    "Response",
    "ScreeningRecord",
    "Site",
    "Subject",
    "Trial",
    "TumourAssessment",
]


class _AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise IntegrityError(
            "stored records change one at a time, each with its history and reason; "
            "QuerySet.update() would bypass the audit trail"
        )


class Audited(models.Model):
    """A model whose changes always keep their history: atomic saves, a reason after first entry.

    simple-history writes the history row after the record in one transaction (a refused one leaves
    the record unchanged); no savepoint in a caller's, as Django's save_base (issue 13: 8 queries).
    """

    objects = _AuditedQuerySet.as_manager()
    # Optimistic concurrency (issue 13; store.entry.update_record): 1 when entered, one more
    # with every saved change. ("version" is ProtocolVersion's protocol version number.)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def _require_reason(self, action: str) -> None:
        from oncotrial.store.audit import current_reason

        reason = getattr(self, "_change_reason", None) or current_reason()
        if not (reason or "").strip():
            raise IntegrityError(
                f"{action} of a stored {self._meta.verbose_name} needs a reason; nothing was "
                "written",
                hint="Give the reason (--reason TEXT on the command line).",
            )

    def save(self, *args: object, **kwargs: object) -> None:
        adding = self._state.adding
        if not adding:
            self._require_reason("a change")
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            if not adding and self.pk is not None:
                self._next_revision(kwargs)
            super().save(*args, **kwargs)

    def _next_revision(self, kwargs: dict[str, object]) -> None:
        """One more than the stored revision (locked; this instance's may be stale)."""
        stored = type(self)._base_manager.select_for_update().filter(pk=self.pk)
        self.revision = int(stored.values_list("revision", flat=True).first() or 0) + 1
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = [*cast("Iterable[str]", fields), "revision"]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        self._require_reason("a deletion")
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            return cast("tuple[int, dict[str, int]]", super().delete(*args, **kwargs))


def _history() -> HistoricalRecords:
    """History without indexes on the copied foreign keys: history is read per record (by id),
    and every index slows the bulk imports that write a history row per record."""
    return HistoricalRecords(no_db_index=["trial", "subject", "site", "assessment", "lesion"])


def _text() -> models.TextField:
    return models.TextField(null=True, blank=True)


def _number() -> models.FloatField:
    return models.FloatField(null=True, blank=True)


def _integer() -> models.IntegerField:
    return models.IntegerField(null=True, blank=True)


class Trial(Audited):
    """A trial: its id, the STUDYID its data carries, and its protocol versions."""

    trial_id = models.CharField(max_length=100, unique=True)
    studyid = models.TextField(help_text="STUDYID of the trial's SDTM records.")
    title = models.TextField(blank=True, default="")
    history = _history()

    def __str__(self) -> str:
        return str(self.trial_id)

    @property
    def protocol(self) -> ProtocolVersion | None:
        return cast("ProtocolVersion | None", self.protocol_versions.order_by("-version").first())


class ProtocolVersion(Audited):
    """The protocol (oncotrial YAML) as it stood from a version on; a change adds a version."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="protocol_versions")
    version = models.PositiveIntegerField()
    yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True, default="")
    history = _history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "version"], name="protocol_version_unique")
        ]


class Site(Audited):
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="sites")
    site_id = models.CharField(max_length=40)
    name = models.TextField(blank=True, default="")
    country = models.TextField(blank=True, default="")
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trial", "site_id"], name="site_unique")]


class DomainLayout(Audited):
    """The column order of a domain as imported, so that the export writes the same columns."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="layouts")
    domain = models.CharField(max_length=8)
    columns = models.JSONField()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trial", "domain"], name="layout_unique")]


class Subject(Audited):
    """DM: one screened person (screening number SUBJID, subject id USUBJID)."""

    DOMAIN: ClassVar[str] = "DM"
    SDTM: ClassVar[dict[str, str]] = {
        "SUBJID": "subjid",
        "RFSTDTC": "rfstdtc",
        "RFENDTC": "rfendtc",
        "RFXSTDTC": "rfxstdtc",
        "RFXENDTC": "rfxendtc",
        "RFICDTC": "rficdtc",
        "RFPENDTC": "rfpendtc",
        "DTHDTC": "dthdtc",
        "DTHFL": "dthfl",
        "SITEID": "siteid",
        "BRTHDTC": "brthdtc",
        "AGE": "age",
        "AGEU": "ageu",
        "SEX": "sex",
        "RACE": "race",
        "ETHNIC": "ethnic",
        "ARMCD": "armcd",
        "ARM": "arm",
        "ACTARMCD": "actarmcd",
        "ACTARM": "actarm",
        "ARMNRS": "armnrs",
        "ACTARMUD": "actarmud",
        "COUNTRY": "country",
        "DMDTC": "dmdtc",
        "DMDY": "dmdy",
    }

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="subjects")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True)
    usubjid = models.CharField(max_length=100)
    subjid = _text()
    rfstdtc = _text()
    rfendtc = _text()
    rfxstdtc = _text()
    rfxendtc = _text()
    rficdtc = _text()
    rfpendtc = _text()
    dthdtc = _text()
    dthfl = _text()
    siteid = _text()
    brthdtc = _text()
    age = _number()
    ageu = _text()
    sex = _text()
    race = _text()
    ethnic = _text()
    armcd = _text()
    arm = _text()
    actarmcd = _text()
    actarm = _text()
    armnrs = _text()
    actarmud = _text()
    country = _text()
    dmdtc = _text()
    dmdy = _integer()
    extra = models.JSONField(null=True, blank=True)
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trial", "usubjid"], name="subject_unique")]

    def __str__(self) -> str:
        return str(self.usubjid)


class SubjectRecord(Audited):
    """One SDTM record of a subject in a domain; ``seq`` is its --SEQ."""

    DOMAIN: ClassVar[str] = ""
    SDTM: ClassVar[dict[str, str]] = {}

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="+")
    # No index of its own: the unique (subject, seq) index serves lookups by subject.
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    seq = models.IntegerField()
    extra = models.JSONField(null=True, blank=True)
    # Where a record not entered on its own form came from (not SDTM; web.carry, issue 13).
    provenance = models.TextField(null=True, blank=True)

    class Meta:
        abstract = True


class Disposition(SubjectRecord):
    """DS: consent, screen failure, randomization/enrollment, end of treatment/study, death."""

    DOMAIN = "DS"
    SDTM = {
        "--TERM": "term",
        "--DECOD": "decod",
        "--CAT": "cat",
        "--SCAT": "scat",
        "EPOCH": "epoch",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--STDTC": "stdtc",
        "--STDY": "stdy",
        "STRATUM": "stratum",
    }
    ALLOCATION_TERMS: ClassVar[tuple[str, ...]] = catalogue.ALLOCATION_TERMS

    term = _text()
    decod = _text()
    cat = _text()
    scat = _text()
    epoch = _text()
    visit = _text()
    visitnum = _number()
    stdtc = _text()
    stdy = _integer()
    stratum = _text()
    history = _history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "seq"], name="ds_seq_unique"),
            # Data protection (issue 5): one randomization per subject, one death (the end of
            # treatment may also give DEATH as its reason; that is not the death record).
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(decod__in=list(catalogue.ALLOCATION_TERMS)),
                name="ds_one_randomization",
            ),
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(decod=catalogue.DEATH) & ~Q(scat=catalogue.END_OF_TREATMENT),
                name="ds_one_death",
            ),
        ]


class TumourAssessment(Audited):
    """A tumour assessment: one subject's scan read by one assessor on one date.

    Groups the TR measurements and RS responses that share visit, date and assessor.
    """

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="assessments")
    visit = _text()
    visitnum = _number()
    dtc = _text()
    evaluator = _text()
    evaluator_id = _text()
    # Entered with the assessment form, not imported: SDTM may repeat a VISIT on another date
    # (pharmaverse rs_onco_irecist), so the one-per-visit rule binds what is entered here.
    entered = models.BooleanField(default=False)
    history = _history()

    class Meta:
        constraints = [
            # One per subject, visit and assessor (issue 13); unscheduled scans may repeat.
            models.UniqueConstraint(
                fields=["subject", "visit", "evaluator"],
                condition=Q(entered=True) & ~Q(visit=catalogue_common.UNSCHEDULED),
                name="assessment_one_per_visit",
            )
        ]


class Lesion(SubjectRecord):
    """TU: a lesion as identified by one assessor (id, role, location; node = LYMPH NODE)."""

    DOMAIN = "TU"
    SDTM = {
        "--LNKID": "link_id",
        "--TESTCD": "testcd",
        "--TEST": "test",
        "--ORRES": "orres",
        "--STRESC": "role",
        "--LOC": "location",
        "--LOCDTL": "location_detail",
        "--LAT": "laterality",
        "--METHOD": "method",
        "--EVAL": "evaluator",
        "--EVALID": "evaluator_id",
        "--ACPTFL": "accepted",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--DTC": "dtc",
        "--DY": "dy",
    }

    link_id = _text()
    testcd = _text()
    test = _text()
    orres = _text()
    role = _text()
    location = _text()
    location_detail = _text()
    laterality = _text()
    method = _text()
    evaluator = _text()
    evaluator_id = _text()
    accepted = _text()
    visit = _text()
    visitnum = _number()
    dtc = _text()
    dy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="tu_seq_unique")]

    @property
    def is_node(self) -> bool:
        """RECIST 1.1 nodes are recorded with TULOC 'LYMPH NODE' (docs/sdtm.md)."""
        return (self.location or "").upper() == "LYMPH NODE"


class Measurement(SubjectRecord):
    """TR: one result for one lesion at one tumour assessment."""

    DOMAIN = "TR"
    SDTM = {
        "--GRPID": "grpid",
        "--LNKID": "link_id",
        "--TESTCD": "testcd",
        "--TEST": "test",
        "--ORRES": "orres",
        "--ORRESU": "orresu",
        "--STRESC": "stresc",
        "--STRESN": "stresn",
        "--STRESU": "stresu",
        "--STAT": "stat",
        "--REASND": "reasnd",
        "--METHOD": "method",
        "--ACPTFL": "accepted",
        "--DY": "dy",
        # From the assessment:
        "--EVAL": "assessment.evaluator",
        "--EVALID": "assessment.evaluator_id",
        "VISIT": "assessment.visit",
        "VISITNUM": "assessment.visitnum",
        "--DTC": "assessment.dtc",
    }

    assessment = models.ForeignKey(TumourAssessment, on_delete=models.PROTECT, db_index=False)
    lesion = models.ForeignKey(Lesion, on_delete=models.PROTECT, db_index=False)
    grpid = _text()
    link_id = _text()
    testcd = _text()
    test = _text()
    orres = _text()
    orresu = _text()
    stresc = _text()
    stresn = _number()
    stresu = _text()
    stat = _text()
    reasnd = _text()
    method = _text()
    accepted = _text()
    dy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="tr_seq_unique")]


class Response(SubjectRecord):
    """RS: a timepoint response (target, non-target, new lesions, overall) at an assessment."""

    DOMAIN = "RS"
    SDTM = {
        "--LNKGRP": "lnkgrp",
        "--TESTCD": "testcd",
        "--TEST": "test",
        "--CAT": "cat",
        "--ORRES": "orres",
        "--STRESC": "stresc",
        "--STAT": "stat",
        "--REASND": "reasnd",
        "--ACPTFL": "accepted",
        "--DY": "dy",
        "--EVAL": "assessment.evaluator",
        "--EVALID": "assessment.evaluator_id",
        "VISIT": "assessment.visit",
        "VISITNUM": "assessment.visitnum",
        "--DTC": "assessment.dtc",
    }

    assessment = models.ForeignKey(TumourAssessment, on_delete=models.PROTECT, db_index=False)
    lnkgrp = _text()
    testcd = _text()
    test = _text()
    cat = _text()
    orres = _text()
    stresc = _text()
    stat = _text()
    reasnd = _text()
    accepted = _text()
    dy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="rs_seq_unique")]


class AdverseEvent(SubjectRecord):
    """AE: an adverse event by CTCAE v5.0 term and grade."""

    DOMAIN = "AE"
    SDTM = {
        "--TERM": "term",
        "--LLT": "llt",
        "--LLTCD": "lltcd",
        "--DECOD": "decod",
        "--BODSYS": "bodsys",
        "--TOXGR": "grade",
        "--SER": "serious",
        "--REL": "rel",
        "--ACN": "acn",
        "--ACNOTH": "acnoth",
        "--OUT": "outcome",
        "EPOCH": "epoch",
        "--STDTC": "stdtc",
        "--ENDTC": "endtc",
        "--STDY": "stdy",
        "--ENDY": "endy",
    }

    term = _text()
    llt = _text()
    lltcd = _integer()
    decod = _text()
    bodsys = _text()
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    serious = _text()
    rel = _text()
    acn = _text()
    acnoth = _text()
    outcome = _text()
    epoch = _text()
    stdtc = _text()
    endtc = _text()
    stdy = _integer()
    endy = _integer()
    history = _history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "seq"], name="ae_seq_unique"),
            # CTCAE v5.0 grades are 1-5 ("Grades"); the database refuses anything else.
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=5),
                name="ae_grade_1_to_5",
            ),
        ]


class Exposure(SubjectRecord):
    """EX: one administration (or one oral cycle) of a study drug."""

    DOMAIN = "EX"
    SDTM = {
        "--TRT": "trt",
        "--CAT": "cat",
        "--DOSE": "dose",
        "--DOSU": "dosu",
        "--DOSFRM": "dosfrm",
        "--DOSFRQ": "dosfrq",
        "--ROUTE": "route",
        "--ADJ": "adj",
        "EPOCH": "epoch",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--STDTC": "stdtc",
        "--ENDTC": "endtc",
        "--STDY": "stdy",
        "--ENDY": "endy",
    }

    trt = _text()
    cat = _text()
    dose = _number()
    dosu = _text()
    dosfrm = _text()
    dosfrq = _text()
    route = _text()
    adj = _text()
    epoch = _text()
    visit = _text()
    visitnum = _number()
    stdtc = _text()
    endtc = _text()
    stdy = _integer()
    endy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="ex_seq_unique")]


class Procedure(SubjectRecord):
    """PR: a local therapy (cryoablation, RFA, radiotherapy) with date and target."""

    DOMAIN = "PR"
    SDTM = {
        "--TRT": "trt",
        "--CAT": "cat",
        "--DOSE": "dose",
        "--DOSU": "dosu",
        "--LOC": "location",
        "--LAT": "laterality",
        "--LNKID": "link_id",
        "EPOCH": "epoch",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--STDTC": "stdtc",
        "--ENDTC": "endtc",
        "--STDY": "stdy",
    }

    trt = _text()
    cat = _text()
    dose = _number()
    dosu = _text()
    location = _text()
    laterality = _text()
    link_id = _text()
    epoch = _text()
    visit = _text()
    visitnum = _number()
    stdtc = _text()
    endtc = _text()
    stdy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="pr_seq_unique")]


class Medication(SubjectRecord):
    """CM: prior, concomitant and subsequent anticancer therapy."""

    DOMAIN = "CM"
    SDTM = {
        "--TRT": "trt",
        "--CAT": "cat",
        "--INDC": "indication",
        "--STDTC": "stdtc",
        "--ENDTC": "endtc",
        "--STDY": "stdy",
    }

    trt = _text()
    cat = _text()
    indication = _text()
    stdtc = _text()
    endtc = _text()
    stdy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="cm_seq_unique")]


class LabResult(SubjectRecord):
    """LB: a laboratory result with LOINC code, units and reference range."""

    DOMAIN = "LB"
    SDTM = {
        "--TESTCD": "testcd",
        "--TEST": "test",
        "--CAT": "cat",
        "--LOINC": "loinc",
        "--ORRES": "orres",
        "--ORRESU": "orresu",
        "--ORNRLO": "ornrlo",
        "--ORNRHI": "ornrhi",
        "--STRESC": "stresc",
        "--STRESN": "stresn",
        "--STRESU": "stresu",
        "--STNRLO": "stnrlo",
        "--STNRHI": "stnrhi",
        "--NRIND": "nrind",
        "--SPEC": "spec",
        "--BLFL": "blfl",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--DTC": "dtc",
        "--DY": "dy",
    }

    testcd = _text()
    test = _text()
    cat = _text()
    loinc = _text()
    orres = _text()
    orresu = _text()
    ornrlo = _text()
    ornrhi = _text()
    stresc = _text()
    stresn = _number()
    stresu = _text()
    stnrlo = _number()
    stnrhi = _number()
    nrind = _text()
    spec = _text()
    blfl = _text()
    visit = _text()
    visitnum = _number()
    dtc = _text()
    dy = _integer()
    history = _history()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="lb_seq_unique")]


class Finding(SubjectRecord):
    """A findings record of IE, QS, VS, SC, GF or MI (eligibility, ECOG, QoL, height/weight,
    stage, histology, driver mutations, PD-L1 with its assay)."""

    DOMAINS: ClassVar[tuple[str, ...]] = ("IE", "QS", "VS", "SC", "GF", "MI")
    SDTM = {
        "--TESTCD": "testcd",
        "--TEST": "test",
        "--CAT": "cat",
        "--SCAT": "scat",
        "--ORRES": "orres",
        "--ORRESU": "orresu",
        "--STRESC": "stresc",
        "--STRESN": "stresn",
        "--STRESU": "stresu",
        "--STAT": "stat",
        "--REASND": "reasnd",
        "--METHOD": "method",
        "--SPEC": "spec",
        "--LOC": "location",
        "SPDEVID": "spdevid",
        "--BLFL": "blfl",
        "VISIT": "visit",
        "VISITNUM": "visitnum",
        "--DTC": "dtc",
        "--DY": "dy",
    }

    domain = models.CharField(max_length=8)
    testcd = _text()
    test = _text()
    cat = _text()
    scat = _text()
    orres = _text()
    orresu = _text()
    stresc = _text()
    stresn = _number()
    stresu = _text()
    stat = _text()
    reasnd = _text()
    method = _text()
    spec = _text()
    location = _text()
    spdevid = _text()
    blfl = _text()
    visit = _text()
    visitnum = _number()
    dtc = _text()
    dy = _integer()
    history = _history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "domain", "seq"], name="finding_seq_unique")
        ]
        indexes = [models.Index(fields=["trial", "domain"], name="finding_trial_domain")]


class OtherRecord(Audited):
    """A record of a domain oncotrial does not interpret (SV, MH, TS, SUPPxx, …), kept as is."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(max_length=16)
    position = models.IntegerField(help_text="Row order within the domain as imported.")
    usubjid = _text()
    seq = _integer()
    data = models.JSONField()
    history = _history()

    class Meta:
        indexes = [models.Index(fields=["trial", "domain"], name="other_trial_domain")]


# Domain -> model for the subject records; Finding serves several domains.
RECORD_MODELS: dict[str, type[SubjectRecord]] = {
    "DS": Disposition,
    "TU": Lesion,
    "TR": Measurement,
    "RS": Response,
    "AE": AdverseEvent,
    "EX": Exposure,
    "PR": Procedure,
    "CM": Medication,
    "LB": LabResult,
    **dict.fromkeys(Finding.DOMAINS, Finding),
}
