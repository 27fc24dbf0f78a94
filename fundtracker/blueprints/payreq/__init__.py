from flask import Blueprint

bp = Blueprint("payreq", __name__)

# Payment requests from grantees (issue #21).
from fundtracker.blueprints.payreq import routes  # noqa: E402, F401
