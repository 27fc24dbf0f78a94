"""Grant applications, in one blueprint whose views are split by stage: calls for proposals,
organisations' registration, the applications and their page, the applicant's drafts,
screening and reviews, decisions."""

from flask import Blueprint

bp = Blueprint("applications", __name__)

# Importing the modules registers their views on bp (common: the navigation links).
from fundtracker.blueprints.applications import (  # noqa: E402, F401
    applications,
    calls,
    common,
    decisions,
    drafts,
    registration,
    reviews,
)
