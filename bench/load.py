"""Throughput under gunicorn: several concurrent signed-in clients for a fixed time.

`wrk` (Debian package `wrk`) is used when it is installed; otherwise a bounded Python load
generator (one thread per client, keep-alive connections) does the same job, more slowly.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = max(2, (os.cpu_count() or 1) + 1)
CLIENTS = 8


@dataclass
class LoadResult:
    tool: str
    workers: int
    clients: int
    seconds: float
    urls: list[str] = field(default_factory=list)
    requests: int = 0
    errors: int = 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up; see its output above.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz in time.")


def session_cookie(port: int, email: str, password: str) -> str:
    """Sign in through the real form and return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("No CSRF token on the sign-in page.")
    body = urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": token.group(1)}
    ).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=body).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookies:
        raise RuntimeError("Signing in gave no session cookie.")
    return cookies


def _python_load(
    port: int, cookie: str, urls: list[str], seconds: float, clients: int
) -> tuple[int, int]:
    counts = [0, 0]  # requests, errors
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = errors = 0
        n = offset
        while time.monotonic() < stop:
            url = urls[n % len(urls)]
            n += 1
            try:
                connection.request("GET", url, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            done += 1
        connection.close()
        with lock:
            counts[0] += done
            counts[1] += errors

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0], counts[1]


WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
response = function(status, headers, body)
  if status ~= 200 then errors_seen = (errors_seen or 0) + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("REQUESTS %%d\\n", summary.requests))
  io.write(string.format("NON200 %%d\\n", summary.errors.status))
  io.write(string.format("SOCKET %%d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _wrk_load(
    port: int, cookie: str, urls: list[str], seconds: float, clients: int
) -> tuple[int, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(f'"{u}"' for u in urls))
    try:
        output = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                f"-t{min(clients, 2)}",
                f"-c{clients}",
                f"-d{max(1, int(seconds))}s",
                "--timeout",
                "30s",
                "-H",
                f"Cookie: {cookie}",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    figures = dict(re.findall(r"^(REQUESTS|NON200|SOCKET) (\d+)$", output, re.MULTILINE))
    return int(figures["REQUESTS"]), int(figures["NON200"]) + int(figures["SOCKET"])


def measure(
    database_url: str,
    email: str,
    password: str,
    urls: list[str],
    seconds: float,
    clients: int = CLIENTS,
    workers: int = WORKERS,
) -> LoadResult:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-secret",
        "TRACKER_ENV": "production",
        "SESSION_COOKIE_SECURE": "false",
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tracker:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port, process)
        cookie = session_cookie(port, email, password)
        tool = "wrk" if shutil.which("wrk") else "a Python load generator"
        run = _wrk_load if tool == "wrk" else _python_load
        started = time.monotonic()
        requests, errors = run(port, cookie, urls, seconds, clients)
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return LoadResult(tool, workers, clients, elapsed, urls, requests, errors)
