"""Endpoint derivations: time-to-event (ADTTE), response rates, safety incidence (core, pure)."""
