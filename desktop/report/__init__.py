"""Report writers: the PDF case report (:func:`desktop.report.pdf.render_pdf`), its charts, tables and
figures. No Qt here: the GUI calls render_pdf on a worker thread."""
