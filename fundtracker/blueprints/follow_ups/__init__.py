from flask import Blueprint

bp = Blueprint("follow_ups", __name__)

from fundtracker.blueprints.follow_ups import routes  # noqa: E402, F401  - registers the views on bp
