from flask import Blueprint

bp = Blueprint("account", __name__)

from fundtracker.blueprints.account import routes, tokens  # noqa: E402, F401  - registers the views on bp
