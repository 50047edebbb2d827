"""Eligibility criteria as text items and computable rules; patient screening (core, pure)."""
