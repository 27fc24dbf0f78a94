from flask import Blueprint

bp = Blueprint("admin", __name__)

from fundtracker.blueprints.admin import (  # noqa: E402, F401  - registers the views on bp
    audit,
    publicity,
    routes,
    sessions,
    two_factor,
)
