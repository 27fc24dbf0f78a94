from flask import Blueprint

bp = Blueprint("files", __name__)

from fundtracker.blueprints.files import routes  # noqa: E402, F401  - registers the views on bp
