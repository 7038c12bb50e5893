"""Companies and their contact persons."""

from flask import Blueprint

bp = Blueprint("companies", __name__)
