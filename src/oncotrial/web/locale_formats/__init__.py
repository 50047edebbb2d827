"""Date formats of the web application: ISO 8601 everywhere (clinical records use it)."""
