from flask import Blueprint

bp = Blueprint("transparency", __name__)

from fundtracker.blueprints.transparency import routes  # noqa: E402, F401  - registers the views on bp
