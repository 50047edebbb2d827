"""Prescreening where the hospital data lives: OMOP CDM warehouses queried with Ibis."""
