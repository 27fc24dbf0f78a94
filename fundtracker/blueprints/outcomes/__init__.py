from flask import Blueprint

bp = Blueprint("outcomes", __name__)

from fundtracker.blueprints.outcomes import routes  # noqa: E402, F401  - registers the views on bp
