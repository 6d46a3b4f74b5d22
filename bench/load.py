"""A small HTTP/1.1 load generator for the benches: asyncio streams, one event loop.

Each client is one keep-alive connection with its own cookies (like one browser tab), sending
its next request as soon as the previous answer arrived (a closed loop, as `wrk -c N` does).
Pure Python on purpose: nothing to install, and at a few thousand requests a second it costs
the server well under half a core (bench/README.md shows how much). Only loopback addresses
are ever targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

# A request that waits longer than this counts as an error (and its connection is dropped).
TIMEOUT_SECONDS = 10.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    """One connection and one cookie jar. Not safe to share between tasks."""

    def __init__(self, host: str, port: int) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"load tests target loopback addresses only, not {host}")
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        # Which page the request under way is, when a step names it: run_phase then keeps
        # figures per page besides the phase's.
        self.page = ""
        # Whether the request under way is a new person's first: see run_phase.
        self.arrives = False
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        try:
            return await asyncio.wait_for(
                self._request(method, path, form, headers), TIMEOUT_SECONDS
            )
        except BaseException:
            # Whatever happened, the connection is in an unknown state.
            await self.close()
            raise

    async def _request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None,
        headers: dict[str, str] | None,
    ) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: telltale-bench",
            "Accept: text/html",
        ]
        if self.page:
            # Named to the server too: its access log then times each page without the wait
            # in the listen queue (bench/campaign.py reads it).
            lines.append(f"X-Bench-Page: {self.page}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                cookies[cookie_name] = rest.split(";", 1)[0]
            else:
                response_headers[name] = value
        if "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._read_chunked()
        else:
            payload = await self.reader.read()
            await self.close()
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        self.cookies.update(cookies)
        return Response(status, response_headers, payload, cookies)

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(part[:-2] for part in parts)


@dataclass
class PhaseResult:
    """What one phase measured. Latencies are in seconds, one per completed request."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    # Responses the phase's check accepted; the others by status; failures without a response.
    accepted: int = 0
    rejected: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    # The same figures per page, for steps that name their pages (Client.page).
    pages: dict[str, PhaseResult] = field(default_factory=dict)

    def page(self, name: str) -> PhaseResult:
        if name not in self.pages:
            self.pages[name] = PhaseResult(name, self.clients)
        return self.pages[name]

    def count(self, latency: float | None, status: int | None, accepted: bool, error: str) -> None:
        """One request: its latency and whether the check accepted it, or the status it got
        instead, or the exception that left it without a response."""
        if error:
            self.errors[error] = self.errors.get(error, 0) + 1
            return
        self.latencies.append(latency)
        if accepted:
            self.accepted += 1
        else:
            self.rejected[status] = self.rejected.get(status, 0) + 1

    @property
    def failed(self) -> int:
        return sum(self.rejected.values()) + sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    def summary(self) -> dict:
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 3),
            "accepted": self.accepted,
            "failed": self.failed,
            "requests_per_second": round(self.rate, 1),
            "latency_ms": {
                "p50": round(self.percentile(50), 2),
                "p95": round(self.percentile(95), 2),
                "p99": round(self.percentile(99), 2),
                "max": round(max(self.latencies, default=math.nan) * 1000, 2),
            },
            "rejected_statuses": {str(status): n for status, n in self.rejected.items()},
            "errors": self.errors,
        }


# One client's next request: returns the response and whether it was the expected one.
Step = Callable[[Client], Awaitable[tuple[Response, bool]]]
# Untimed work before each step (e.g. starting a new attempt when one is used up).
Prepare = Callable[[Client], Awaitable[None]]


async def run_phase(
    name: str,
    clients: list[Client],
    step: Step,
    seconds: float,
    prepare: Prepare | None = None,
    rate: float | None = None,
    poisson: bool = False,
) -> PhaseResult:
    """Every client runs `step` until `seconds` have passed; requests under way at the
    deadline finish and count. Rate is accepted responses over the wall-clock time from the
    first send to the last answer.

    Without `rate` each client sends its next request as soon as the previous one is answered
    (a closed loop: the server's capacity). With `rate` (requests per second, all clients
    together) each client sends on a fixed schedule, staggered across clients, and a
    request's latency runs from when it was due, not from when it went out: a server that
    falls behind is charged for the wait (no "coordinated omission", as wrk2 measures).

    `poisson` (with `rate`): each client's gaps are drawn at random around the same mean
    (exponentially, so the clients together send as independent people arrive) instead of
    fixed. Clients that go through the same sequence of pages at one fixed pace stay in step
    and reach its dearest page together, in bursts no crowd of strangers makes.

    A client that plays one person after another marks each one's first request
    (`Client.arrives`): in a paced phase its latency runs from when it was due or from the end
    of the client's previous request, whichever is later. A newcomer is not kept waiting by the
    last person's slow page; only the simulation, one connection for both, would make them."""
    result = PhaseResult(name, len(clients))
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + seconds
    interval = len(clients) / rate if rate else 0.0

    async def drive(client: Client, offset: float) -> None:
        due = start + offset
        free = start  # when the client's previous request ended
        while loop.time() < deadline:
            client.page, client.arrives = "", False
            if prepare is not None:
                await prepare(client)
            if rate:
                if due >= deadline:
                    # Due after the end: sent, it would stretch the phase past `seconds`
                    # (by up to a gap) and lower the rate it reports.
                    break
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                sent = due
                due += random.expovariate(1 / interval) if poisson else interval
            else:
                sent = loop.time()
            try:
                response, accepted = await step(client)
                if client.arrives:
                    sent = max(sent, free)
                outcome = (loop.time() - sent, response.status, accepted, "")
            except Exception as error:
                outcome = (None, None, False, type(error).__name__)
            free = loop.time()
            result.count(*outcome)
            if client.page:
                result.page(client.page).count(*outcome)
            if outcome[3]:
                # A refused connection fails at once: do not spin on it.
                await asyncio.sleep(0.01)

    await asyncio.gather(
        *(drive(client, interval * n / len(clients)) for n, client in enumerate(clients))
    )
    result.seconds = loop.time() - start
    for page in result.pages.values():
        page.seconds = result.seconds
    return result
