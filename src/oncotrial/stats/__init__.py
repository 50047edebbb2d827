"""Statistics: Kaplan-Meier, log-rank, Cox, exact intervals, trial design (core, pure).

Defaults follow R (survival 3.5-3, stats, clinfun, pROC); SAS conventions are options
(``conf_type="log-log"``, ``ties="breslow"``). See docs/statistics.md for every formula, source
and deliberate difference.
"""

from oncotrial.stats.analysis import SurvivalAnalysis, survival_analysis
from oncotrial.stats.batch import BatchTwoArm, batch_km_median, batch_two_arm
from oncotrial.stats.competing import (
    CumulativeIncidence,
    GrayTest,
    IncidenceEstimate,
    cumulative_incidence,
    gray_test,
)
from oncotrial.stats.cox import CoxResult, CoxTerm, Ties, cox_ph, cox_two_groups
from oncotrial.stats.cox_model import CoxModel, ModelCoefficient, fit_cox_model, lr_test
from oncotrial.stats.fisher import FisherResult, fisher_exact, fisher_exact_table
from oncotrial.stats.followup import FollowUp, median_follow_up
from oncotrial.stats.km import (
    ConfType,
    KaplanMeier,
    LandmarkEstimate,
    QuantileEstimate,
    kaplan_meier,
    kaplan_meier_by_group,
)
from oncotrial.stats.logistic import LogisticResult, logistic_regression
from oncotrial.stats.logrank import LogRankResult, logrank_test
from oncotrial.stats.poisson import PoissonRate, poisson_rate
from oncotrial.stats.proportions import (
    BinomialTest,
    CiMethod,
    DiffMethod,
    Proportion,
    ProportionDifference,
    binomial_ci,
    binomial_test,
    exact_binomial_test,
    proportion_difference,
)
from oncotrial.stats.roc import RocAuc, roc_auc
from oncotrial.stats.sample_size import EventsRequirement, parse_ratio, schoenfeld_events
from oncotrial.stats.simon import (
    SimonDecision,
    SimonDesign,
    SimonDesigns,
    simon_characteristics,
    simon_decision,
    simon_designs,
    simon_stages,
)
from oncotrial.stats.subgroups import SubgroupAnalysis, SubgroupLevel, subgroup_analysis
from oncotrial.stats.terms import Term, make_term
from oncotrial.stats.trend import TrendResult, cochran_armitage
from oncotrial.stats.zph import PhTest, PhTestRow, TimeTransform, cox_zph

__all__ = [
    "BatchTwoArm",
    "BinomialTest",
    "CiMethod",
    "ConfType",
    "CoxModel",
    "CoxResult",
    "CoxTerm",
    "CumulativeIncidence",
    "DiffMethod",
    "EventsRequirement",
    "FisherResult",
    "FollowUp",
    "GrayTest",
    "IncidenceEstimate",
    "KaplanMeier",
    "LandmarkEstimate",
    "LogRankResult",
    "LogisticResult",
    "ModelCoefficient",
    "PhTest",
    "PhTestRow",
    "PoissonRate",
    "Proportion",
    "ProportionDifference",
    "QuantileEstimate",
    "RocAuc",
    "SimonDecision",
    "SimonDesign",
    "SimonDesigns",
    "SubgroupAnalysis",
    "SubgroupLevel",
    "SurvivalAnalysis",
    "Term",
    "Ties",
    "TimeTransform",
    "TrendResult",
    "batch_km_median",
    "batch_two_arm",
    "binomial_ci",
    "binomial_test",
    "cochran_armitage",
    "cox_ph",
    "cox_two_groups",
    "cox_zph",
    "cumulative_incidence",
    "exact_binomial_test",
    "fisher_exact",
    "fisher_exact_table",
    "fit_cox_model",
    "gray_test",
    "kaplan_meier",
    "kaplan_meier_by_group",
    "logistic_regression",
    "logrank_test",
    "lr_test",
    "make_term",
    "median_follow_up",
    "parse_ratio",
    "poisson_rate",
    "proportion_difference",
    "roc_auc",
    "schoenfeld_events",
    "simon_characteristics",
    "simon_decision",
    "simon_designs",
    "simon_stages",
    "subgroup_analysis",
    "survival_analysis",
]
