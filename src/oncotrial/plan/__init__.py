"""The statistical analysis plan (core, pure): model, provenance, review and checks.

See docs/analysis-plan.md.
"""
