"""The `flask import ...` commands."""

from flask.cli import AppGroup

import_cli = AppGroup("import", help="Import companies or contact history from CSV or XLSX files.")
