from flask import Blueprint

bp = Blueprint("board", __name__)

# The board of trustees' register (issue #21): meetings, agenda, decisions, thresholds.
from fundtracker.blueprints.board import routes  # noqa: E402, F401
