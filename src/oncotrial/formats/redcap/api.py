"""The REDCap API, as far as an import needs it: the project's data dictionary and records.

Two POST requests of REDCap's documented API (``content=metadata`` and ``content=record``,
``format=csv``, ``type=flat``, raw values), made with the standard library: PyCap is not needed
for two calls. The token travels in the request body, never in the URL.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from oncotrial.errors import InputError

__all__ = ["download_project", "request"]


def request(url: str, token: str, content: str, timeout: float = 60.0) -> str:
    """The CSV text REDCap answers for ``content`` (metadata or record)."""
    fields = {"token": token, "content": content, "format": "csv", "returnFormat": "json"}
    if content == "record":
        fields |= {"type": "flat", "rawOrLabel": "raw", "exportCheckboxLabel": "false"}
    body = urllib.parse.urlencode(fields).encode()
    try:
        with (
            urllib.request.urlopen(  # the user's REDCap server; http(s) checked by download_project
                urllib.request.Request(url, data=body, method="POST"), timeout=timeout
            ) as answer
        ):
            return str(answer.read().decode("utf-8-sig"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise InputError(
            f"the REDCap API at {url} refused the {content} export ({exc.code}): {detail}",
            hint="Check the URL (ending in /api/) and that the token has API export rights.",
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(f"cannot reach the REDCap API at {url}: {exc}") from exc


def download_project(url: str, token: str, folder: Path) -> tuple[Path, Path]:
    """Write the project's records and data dictionary into ``folder``: (records, dictionary)."""
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise InputError(f"{url} is not an http(s) URL of a REDCap API")
    dictionary = folder / "redcap-dictionary.csv"
    records = folder / "redcap-records.csv"
    dictionary.write_text(request(url, token, "metadata"), encoding="utf-8")
    records.write_text(request(url, token, "record"), encoding="utf-8")
    return records, dictionary
