"""Registry record importers: text in, protocols out (pure; the file is read elsewhere)."""

from oncotrial.protocol.importers.detect import detect_format, import_protocols

__all__ = ["detect_format", "import_protocols"]
