"""The `flask report ...` commands."""

from flask.cli import AppGroup

report_cli = AppGroup("report", help="Monthly sector-health reports.")
