"""Application use cases that combine store, core engines, formats and report (e.g. the demo)."""
