"""oncotrial: the data side of phase II oncology trials, from registry record to results."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("oncotrial")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
