from flask import Blueprint

bp = Blueprint("milestones", __name__)

from fundtracker.blueprints.milestones import routes  # noqa: E402, F401  - registers the views on bp
