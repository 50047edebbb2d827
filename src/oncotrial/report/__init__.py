"""The trial report: HTML, PDF, CSV and XLSX renderings of computed results."""
