"""The trial report: an immutable document rendered to HTML, PDF, CSV and XLSX, and its figures.

The report layer renders results; it never computes them. Engines (response, endpoints, stats)
produce numbers; the application layer words them into a :class:`Report` of sections and blocks;
:func:`write_report` writes every format. See ``docs/report.md``.

::

    from oncotrial.report import Figure, Paragraph, Report, Section, Table, TitlePage, write_report
    from oncotrial.report.figures import KMCurve, KMPlot, plot_km

    km = Figure.from_matplotlib(plot_km(KMPlot(curves, y_label="Overall survival")),
                                id="km-os", caption="Overall survival.", alt_text="…")
    report = Report(TitlePage(...), sections=(Section("os", "Overall survival", (km,)),))
    files = write_report(report, "out/002")   # files.html, files.pdf, files.xlsx, files.csv

Layer: may import the core and ``oncotrial.formats``; never store, app, cli or web.
"""

from oncotrial.report.document import (
    Align,
    Block,
    Column,
    Fact,
    Facts,
    Figure,
    Listing,
    Note,
    NoteKind,
    Paragraph,
    RegistryQuote,
    Report,
    Row,
    Section,
    Table,
    TitlePage,
)
from oncotrial.report.render import (
    ReportFiles,
    render_csv,
    render_html,
    render_pdf,
    render_xlsx,
    write_report,
)

__all__ = [
    "Align",
    "Block",
    "Column",
    "Fact",
    "Facts",
    "Figure",
    "Listing",
    "Note",
    "NoteKind",
    "Paragraph",
    "RegistryQuote",
    "Report",
    "ReportFiles",
    "Row",
    "Section",
    "Table",
    "TitlePage",
    "render_csv",
    "render_html",
    "render_pdf",
    "render_xlsx",
    "write_report",
]
