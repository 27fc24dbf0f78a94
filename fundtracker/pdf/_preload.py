"""Imported once by the fork server that starts the report's part printers
(fundtracker.pdf.parallel): WeasyPrint and the app's PDF code imported, and fontconfig and Pango
set up by printing a line in DejaVu, so that each forked printer starts with them ready."""

import gc

from weasyprint import HTML

from fundtracker.pdf import render  # noqa: F401 - imported for the printers

HTML(string='<p style="font-family: DejaVu Sans">Әсер <b>туралы</b> есеп 0123456789 ₸</p>').render()

# Kept out of the collector's way in every printer forked from here (and not copied on write).
gc.collect()
gc.freeze()
