"""oncotrial: the data side of phase II oncology trials, from registry record to results."""

from __future__ import annotations

from functools import cache

__all__ = ["__version__"]


@cache
def _version() -> str:
    # importlib.metadata costs ~60 ms to import: read on first use only (a fast CLI start).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oncotrial")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
