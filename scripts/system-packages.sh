#!/usr/bin/env bash
# Installs the Debian packages the app (run) or the test suite (test) needs, when they are missing.
# Without root or apt-get it stops and names the packages to install.
set -euo pipefail

purpose=${1:-run}
# WeasyPrint's libraries and fonts; python3-venv for the virtualenv on a stock Debian Python.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2)
# pg_dump and pg_restore, for `flask --app tracker backup` and `restore` on PostgreSQL.
packages+=(postgresql-client)
if [ "$purpose" = "test" ]; then
  # Chromium for the browser tests, poppler and qpdf for PDF checks, PostgreSQL for the second run.
  packages+=(chromium libatomic1 poppler-utils qpdf)
  if ! command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
    packages+=(postgresql)
  fi
  # Redis for the shared rate-limit test (tests/test_rate_limit_redis.py), unless one answers.
  if ! command -v redis-server >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    packages+=(redis-server)
  fi
fi
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "Installing Debian packages with sudo: ${missing[*]}"
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
