from flask import Blueprint

bp = Blueprint("projects", __name__)

from fundtracker.blueprints.projects import routes  # noqa: E402, F401  - registers the views on bp
