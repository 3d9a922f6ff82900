from flask import Blueprint

bp = Blueprint("processes", __name__)

from app.processes import manage, routes  # noqa: E402, F401
