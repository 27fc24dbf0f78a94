from flask import Blueprint

bp = Blueprint("auth", __name__)

from fundtracker.blueprints.auth import (  # noqa: E402, F401  - registers the views on bp
    routes,
    two_factor,
)
