from flask import Blueprint

bp = Blueprint("outcomes", __name__)

# Importing the modules registers their views (and the menu's context processor) on bp.
from fundtracker.blueprints.outcomes import (  # noqa: E402, F401
    common,
    domains,
    library,
    portfolio,
    projects,
    publications,
    results,
    stories,
    verify,
)
