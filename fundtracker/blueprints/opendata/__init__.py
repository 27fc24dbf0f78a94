from flask import Blueprint

bp = Blueprint("opendata", __name__)

from fundtracker.blueprints.opendata import routes  # noqa: E402, F401  - registers the views on bp
