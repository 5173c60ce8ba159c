"""A small load generator: threads with http.client, one connection per request (gunicorn's
sync workers close the connection after each response anyway), bounded in count and time,
loopback only."""

import http.client
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
TIMEOUT = 60
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The receipt code as the receipt page shows it (tests/bench/test_receipt_pattern.py keeps
# this in step with templates/governance/motion_receipt.html).
RECEIPT = re.compile(
    r'<p class="receipt".*?<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>', re.S
)


@dataclass
class Result:
    status: int  # 0: the connection failed
    seconds: float
    body: str = ""


@dataclass
class Browser:
    """One member's cookies (session, CSRF) and the form token of their last page."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def request(self, method: str, path: str, data: dict | None = None) -> Result:
        headers = {"Host": f"localhost:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://localhost:{self.port}"
            headers["Referer"] = f"http://localhost:{self.port}{path}"
        start = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode(errors="replace")
            status = raw.status
            set_cookies = raw.headers.get_all("Set-Cookie") or []
        except OSError:
            return Result(0, time.perf_counter() - start)
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if method == "GET" and status == 200:
            match = CSRF_FIELD.search(text)
            if match:
                self.csrf_token = match.group(1)
        return Result(status, elapsed, text)

    def get(self, path: str) -> Result:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Result:
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.csrf_token})


def run_jobs(jobs, concurrency: int) -> tuple[list[Result], float]:
    """Run callables returning a Result, `concurrency` at a time; the results in job order
    and the wall-clock seconds from the first start to the last answer."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: job(), jobs))
    return results, time.perf_counter() - start


class Readers:
    """Members reading pages in a loop while something else runs (bounded by `limit`
    requests each and by the time the caller lets them run)."""

    def __init__(
        self, browsers: list[Browser], paths: list[str], *, pause: float = 0.25, limit: int = 2000
    ):
        """Each reader loads a page, reads it for `pause` seconds, loads the next."""
        self.browsers, self.paths, self.pause, self.limit = browsers, paths, pause, limit
        self.results: list[Result] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, args=(b,)) for b in browsers]

    def _loop(self, browser: Browser) -> None:
        for n in range(self.limit):
            if self._stop.is_set():
                return
            result = browser.get(self.paths[n % len(self.paths)])
            with self._lock:
                self.results.append(Result(result.status, result.seconds))
            self._stop.wait(self.pause)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(results: list[Result]) -> dict:
    seconds = [r.seconds for r in results]
    return {
        "n": len(results),
        "p50_ms": round(1000 * percentile(seconds, 50), 2),
        "p95_ms": round(1000 * percentile(seconds, 95), 2),
        "p99_ms": round(1000 * percentile(seconds, 99), 2),
        "mean_ms": round(1000 * statistics.fmean(seconds), 2) if seconds else None,
        "errors_5xx": sum(1 for r in results if r.status >= 500),
        "failed_connections": sum(1 for r in results if r.status == 0),
    }
