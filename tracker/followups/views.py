"""Followups pages."""

from flask import Blueprint

bp = Blueprint("followups", __name__)
