from flask import Blueprint

bp = Blueprint("organisations", __name__)

from fundtracker.blueprints.organisations import members, routes  # noqa: E402, F401  - registers the views on bp
