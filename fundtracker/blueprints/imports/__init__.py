from flask import Blueprint

bp = Blueprint("imports", __name__)

# routes: the portfolio workbook (template, upload, preview, confirm, progress, history);
# bank: bank and 1C statements matched to approved tranches.
from fundtracker.blueprints.imports import bank, routes  # noqa: E402, F401
