from flask import Blueprint

bp = Blueprint("inkind", __name__)

# In-kind support (issue #21): the catalogue and a project's deliveries.
from fundtracker.blueprints.inkind import routes  # noqa: E402, F401
