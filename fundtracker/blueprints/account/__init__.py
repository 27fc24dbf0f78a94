from flask import Blueprint

bp = Blueprint("account", __name__)

from fundtracker.blueprints.account import routes  # noqa: E402, F401  - registers the views on bp
