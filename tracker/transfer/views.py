"""Spreadsheet import (upload, preview, confirm) and export of every record."""

from flask import Blueprint

bp = Blueprint("transfer", __name__)
