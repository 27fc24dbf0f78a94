from flask import Blueprint

bp = Blueprint("finance", __name__)

from fundtracker.blueprints.finance import routes  # noqa: E402, F401  - registers the views on bp
