"""The benches' load generator (bench/load.py) against a real HTTP server on loopback: the
figures it keeps per page add up to the phase's, each request names its page to the server,
and a refusal or a dropped connection is charged to the page it hit."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from django.test import SimpleTestCase

from bench.load import Client, run_phase

# What the little server answers on each path: a status, or None to hang up without one.
ANSWERS = {"/fine/": 200, "/refused/": 429, "/dropped/": None}
SLOW_SECONDS = 0.3


async def serve(seen: list[str]) -> asyncio.Server:
    """An HTTP/1.1 keep-alive server; `seen` collects the X-Bench-Page of every request."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                path = head.split(" ", 2)[1]
                for line in head.split("\r\n"):
                    if line.lower().startswith("x-bench-page:"):
                        seen.append(line.split(":", 1)[1].strip())
                if path == "/slow/":
                    await asyncio.sleep(SLOW_SECONDS)
                status = ANSWERS.get(path, 200)
                if status is None:
                    break
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\nok".encode())
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


class Visitor(Client):
    """Goes round the three paths, naming each request's page."""

    turn = 0

    async def step(self):
        path = list(ANSWERS)[self.turn % len(ANSWERS)]
        self.turn += 1
        self.page = path.strip("/")
        response = await self.request("GET", path)
        return response, response.status == 200


class Succession(Client):
    """One person after another: a slow last page, then the next person's first."""

    turn = 0

    async def step(self):
        self.turn += 1
        self.page = "slow" if self.turn % 2 else "first"
        self.arrives = self.page == "first"
        response = await self.request("GET", f"/{self.page}/")
        return response, response.status == 200


def run_apart(coroutine):
    """asyncio.run in a thread of its own: after the browser tests, Playwright's sync API
    leaves an event loop running in the suite's main thread, where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def phase(
    seen: list[str], clients: int = 3, seconds: float = 0.3, kind: type = Visitor, **pacing
):
    server = await serve(seen)
    port = server.sockets[0].getsockname()[1]
    clients = [kind("127.0.0.1", port) for _ in range(clients)]
    try:
        return await run_phase("test", clients, lambda client: client.step(), seconds, **pacing)
    finally:
        for client in clients:
            await client.close()
        server.close()
        await server.wait_closed()


class PerPageFiguresTests(SimpleTestCase):
    def test_each_page_is_counted_apart_and_the_pages_add_up_to_the_phase(self):
        seen: list[str] = []
        result = run_apart(phase(seen))
        fine, refused, dropped = (result.pages[name] for name in ("fine", "refused", "dropped"))
        self.assertGreater(fine.accepted, 0)
        self.assertEqual(result.accepted, fine.accepted)
        self.assertEqual(fine.failed, 0)
        # A refusal is a response: it has a latency and its status, and is no success.
        self.assertEqual(refused.accepted, 0)
        self.assertEqual(set(refused.rejected), {429})
        self.assertEqual(len(refused.latencies), refused.rejected[429])
        # A hang-up leaves no response: an error of its page, with no latency.
        self.assertEqual(dropped.accepted, 0)
        self.assertEqual(set(dropped.errors), {"IncompleteReadError"})
        self.assertEqual(dropped.latencies, [])
        self.assertEqual(result.failed, refused.failed + dropped.failed)
        self.assertEqual(len(result.latencies), len(fine.latencies) + len(refused.latencies))
        # Every page's rate is over the phase's time.
        self.assertEqual(fine.seconds, result.seconds)
        # The server was told the page of every request sent.
        for name, page in result.pages.items():
            self.assertEqual(seen.count(name), page.accepted + page.failed, name)

    def test_a_paced_phase_sends_at_the_rate_asked_and_ends_on_time(self):
        # Random gaps: the last request due before the end is the last sent, so the phase does
        # not run on by a gap (up to a few of them for the slowest of many clients) and its
        # rate is the one asked, give or take the randomness of 300 arrivals.
        result = run_apart(phase([], clients=30, seconds=1.5, rate=200, poisson=True))
        self.assertLess(result.seconds, 1.6)
        sent = result.accepted + result.failed
        self.assertGreater(sent, 0.75 * 300)
        self.assertLess(sent, 1.25 * 300)

    def test_a_newcomer_is_not_charged_for_the_last_persons_slow_page(self):
        # Due every 50 ms, but each slow page holds its client for 300 ms: the next person's
        # first request goes out late, and is timed from then; the slow page itself from when
        # it was due, as any request.
        result = run_apart(phase([], clients=2, seconds=1.0, kind=Succession, rate=40))
        first, slow = result.pages["first"], result.pages["slow"]
        self.assertTrue(first.latencies)
        self.assertLess(max(first.latencies), SLOW_SECONDS / 2)
        self.assertGreater(max(slow.latencies), SLOW_SECONDS)
