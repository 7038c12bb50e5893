"""Report pages: archive, generation, preview, finalisation and download."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
