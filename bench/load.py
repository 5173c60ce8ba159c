"""The load generator: one asyncio event loop speaking HTTP/1.1 over raw sockets, so that
the client costs well under a millisecond of CPU per request (`make bench` reports it,
measured from /proc, beside the server's). One connection per request: gunicorn's sync
workers close it after each response anyway. Bounded in count and time, loopback only."""

import asyncio
import contextlib
import re
import statistics
import time
from dataclasses import dataclass, field
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

    async def request(self, method: str, path: str, data: dict | None = None) -> Result:
        headers = [f"{method} {path} HTTP/1.1", f"Host: localhost:{self.port}"]
        if self.cookies:
            headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if data is not None:
            body = urlencode(data).encode()
            headers += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Origin: http://localhost:{self.port}",
                f"Referer: http://localhost:{self.port}{path}",
            ]
        headers.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(headers) + "\r\n\r\n").encode() + body
        start = time.perf_counter()
        try:
            status, response_headers, text = await asyncio.wait_for(self._exchange(raw), TIMEOUT)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            return Result(0, time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        for name, value in response_headers:
            if name == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, morsel = cookie.partition("=")
                self.cookies[key.strip()] = morsel.strip()
        if method == "GET" and status == 200:
            match = CSRF_FIELD.search(text)
            if match:
                self.csrf_token = match.group(1)
        return Result(status, elapsed, text)

    async def _exchange(self, raw: bytes) -> tuple[int, list[tuple[str, str]], str]:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        try:
            writer.write(raw.replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n", 1))
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = []
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers.append((name.strip().lower(), value.strip()))
            length = dict(headers).get("content-length")
            body = await (reader.readexactly(int(length)) if length else reader.read())
        finally:
            writer.close()
        return status, headers, body.decode(errors="replace")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.csrf_token})


def fetch(browser: Browser, path: str) -> Result:
    """One GET, outside any stage."""
    return asyncio.run(browser.get(path))


def run_jobs(jobs, concurrency: int, *, alongside: "Readers | None" = None):
    """Run the jobs (callables returning a request's coroutine), `concurrency` at a time,
    with `alongside` reading meanwhile; the results in job order and the wall-clock seconds
    from the first start to the last answer."""

    async def main():
        semaphore = asyncio.Semaphore(concurrency)

        async def one(job):
            async with semaphore:
                return await job()

        reading = asyncio.create_task(alongside.run()) if alongside else None
        start = time.perf_counter()
        results = await asyncio.gather(*(one(job) for job in jobs))
        seconds = time.perf_counter() - start
        if reading:
            alongside.stop.set()
            await reading
        return results, seconds

    return asyncio.run(main())


class Readers:
    """Members reading pages in a loop while a stage runs (bounded by `limit` requests
    each): each loads a page, reads it for `pause` seconds, loads the next."""

    def __init__(
        self, browsers: list[Browser], paths: list[str], *, pause: float = 0.25, limit: int = 2000
    ):
        self.browsers, self.paths, self.pause, self.limit = browsers, paths, pause, limit
        self.results: list[Result] = []
        self.stop: asyncio.Event | None = None

    async def run(self) -> None:
        self.stop = asyncio.Event()
        await asyncio.gather(*(self._loop(b) for b in self.browsers))

    async def _loop(self, browser: Browser) -> None:
        for n in range(self.limit):
            if self.stop.is_set():
                return
            result = await browser.get(self.paths[n % len(self.paths)])
            self.results.append(Result(result.status, result.seconds))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.pause)


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
