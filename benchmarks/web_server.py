"""gunicorn on 127.0.0.1 for the web benchmark, and logging in through the real login form.

The server runs exactly as docs/operations.md serves production (sync workers, 30 s timeout),
so the figures are those of the documented deployment, not of a tuned one.
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPResponse
from pathlib import Path
from typing import Self

REPO = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
# Every client of the benchmark sends this: the app's "strong" session protection ties a login
# session to the client's address and User-Agent, so the load must look like the browser that logged in.
USER_AGENT = "matchmaker-web-bench/1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Gunicorn:
    """``gunicorn APP`` as a child process; a context manager that stops it on the way out."""

    app: str
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 4
    threads: int = 1
    log_path: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def argv(self) -> list[str]:
        argv = ["gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "30"]
        if self.threads > 1:
            argv += ["--threads", str(self.threads)]
        return argv + [self.app]

    def start(self, wait: float = 60.0) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", *self.argv], cwd=REPO, env={**os.environ, **self.env},
            stdout=log, stderr=log,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited with {self.process.returncode}; see {self.log_path}")
            try:
                get(self.base_url + "/", timeout=2.0)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {self.app} did not answer within {wait:g} s; see {self.log_path}")

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its workers: divided by the
        requests of a run, what one page costs the server, however busy the machine is."""
        if self.process is None:
            return 0.0
        return process_tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: str

    def cookies(self) -> dict[str, str]:
        """name -> value of every Set-Cookie header."""
        jar = {}
        for line in self.headers.get("set-cookie", []):
            name, _, rest = line.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return jar


def _answer(response: HTTPResponse | urllib.error.HTTPError) -> Answer:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return Answer(response.status or 0, headers, response.read().decode("utf-8", "replace"))


def get(url: str, cookie: str = "", timeout: float = 30.0) -> Answer:
    """One GET, redirects not followed (a redirect to /login must show, not be hidden)."""
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _answer(response)
    except urllib.error.HTTPError as error:
        return _answer(error)


def post(url: str, data: dict[str, str], cookie: str = "", timeout: float = 30.0) -> Answer:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), method="POST",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _answer(response)
    except urllib.error.HTTPError as error:
        return _answer(error)


def csrf_token(page: str) -> str:
    """The hidden ``csrf_token`` field of a rendered form."""
    match = CSRF_RE.search(page)
    if not match:
        raise ValueError("no csrf_token field in the page")
    return html.unescape(match.group(1))


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def login(base_url: str, email: str, password: str) -> str:
    """Log in through the form (CSRF token taken from the login page); the Cookie header of the new session."""
    page = get(base_url + "/login")
    cookies = page.cookies()
    answer = post(
        base_url + "/login", {"email": email, "password": password, "csrf_token": csrf_token(page.body)},
        cookie=cookie_header(cookies),
    )
    location = answer.headers.get("location", [""])[0]
    if answer.status != 302 or "/login" in location:
        raise RuntimeError(f"login as {email} failed: HTTP {answer.status} -> {location!r}")
    cookies.update(answer.cookies())
    return cookie_header(cookies)


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its direct children, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        # after the command: state, ppid, ... utime is field 14 and stime 15 of /proc/PID/stat
        if int(entry) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks
