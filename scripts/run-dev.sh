#!/usr/bin/env bash
# Starts the app on the embedded SQLite database (instance/tracker.sqlite) with the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=tracker
flask=.venv/bin/flask
host=${HOST:-127.0.0.1}
port=${PORT:-5000}

mkdir -p instance
"$flask" db upgrade
"$flask" seed-demo --if-empty
echo
echo "Open http://$host:$port/ and sign in with one of the accounts above."
exec "$flask" run --host "$host" --port "$port"
