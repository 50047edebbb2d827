"""Statistics: Kaplan-Meier, log-rank, Cox, exact intervals, trial design (core, pure)."""
