"""The lab's responsiveness in headless Chromium: slider input → redrawn plots, and the first load's
transfer size.

    python -m benchmarks.lab_latency [--presses 60] [--interval-ms 50] [--runs 3] [--views top gd]

Starts the lab on a free loopback port in its own process (as ``logitlab lab`` runs), opens it in
Debian's Chromium (Playwright) with the flags the tests use, and on the hours data moves the weight
slider w from the keyboard (each key press is one real ``input`` event), back and forth as a hand
drags, in two views of each freshly opened page: ``top`` (the page as it opens: the sliders and the
sigmoid in view) and ``gd`` (scrolled to the gradient-descent panel, so the contour, the 3D surface
and the learning curve are in view, while the slider keeps the keyboard focus).

What one latency is (the page records them in ``lab.latencies``): from the input event to the
first task after the animation frame in which the plots in view show that input's settings or
newer ones, painted. An input made while a request is in flight is shown by the follow-up
request (one is in flight at a time, later inputs coalesce into it), so its latency includes the
wait for the earlier answer: that is what the learner sees. Nothing is dropped or excluded: the
first input after load (the page has been idle 300 ms by then) and pauses of the shared machine
(other processes, garbage collection) count, and the worst inputs are listed with their index so
a stall can be told from a steady cost, with its parts: the wait for an earlier request, the
server's round trip, the wait for an animation frame, and the drawing and paint. Each view's
figures are printed, then all together.

The first load's size is the sum over every response of its headers and its body as sent
(gzip-compressed where the server compresses). Targets (issue 16): p50 ≤ 100 ms, max ≤ 250 ms,
first load ≤ 2 MB.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
READY = ("document.body.dataset.ready === '1' && document.body.dataset.busy === '0' "
         "&& !document.getElementById('J').dataset.pending")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(code: str = "from logitlab.lab.server import serve; serve(port={port})"):
    """The lab in its own process, as ``logitlab lab`` runs it: a server thread in this process
    would share the interpreter lock with Playwright's client and add its pauses to the answers."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", code.format(port=port)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the lab server did not start") from None
            time.sleep(0.1)


def _percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))
    return xs[k]


def _summary(latencies: list[float]) -> dict:
    return {"inputs": len(latencies), "p50": statistics.median(latencies), "p90": _percentile(latencies, 0.9),
            "max": max(latencies), "mean": statistics.fmean(latencies)}


def _drag(page, view: str, presses: int, interval_ms: float) -> tuple[list[float], list[dict]]:
    """Move w by ``presses`` key presses in ``view``; the latencies of those inputs, in order, and
    each one's parts (ms): ``wait`` (input → its request sent: the earlier request in flight),
    ``server`` (the request's round trip), ``frame`` (answer → drawn in an animation frame) and
    ``paint`` (→ every plot's drawing done and painted)."""
    if view == "gd":
        page.evaluate("document.getElementById('gd-panel').scrollIntoView({block: 'center'})")
    page.evaluate("document.getElementById('s-theta0').focus({preventScroll: true})")
    page.wait_for_timeout(300)  # plots that scrolled into view are drawn, then the page is idle
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("lab.latencies.length = 0; if (lab.breakdown) lab.breakdown.length = 0")
    for k in range(presses):  # back and forth, as a hand drags
        page.keyboard.press("ArrowRight" if (k // 15) % 2 == 0 else "ArrowLeft")
        page.wait_for_timeout(interval_ms)
    page.wait_for_function(READY, timeout=60_000)  # busy until the last answer is painted
    lat = page.evaluate("lab.latencies.slice()")
    parts = page.evaluate("lab.breakdown ? lab.breakdown.slice() : []")  # a page before 2026-12 has none
    return lat, parts if len(parts) == len(lat) else [{} for _ in lat]


def measure(presses: int = 60, interval_ms: float = 50.0, runs: int = 3,
            views: tuple[str, ...] = ("top", "gd")) -> dict:
    """Open the lab ``runs`` times; each time record the first load's bytes and, in each view, the
    latencies of ``presses`` slider inputs sent ``interval_ms`` apart."""
    from playwright.sync_api import sync_playwright

    server, url = _start_server()
    loads, per_view = [], {v: [] for v in views}
    worst = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for run in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                sizes: list[int] = []

                def done(req, sizes=sizes):
                    s = req.sizes()
                    sizes.append(s["responseBodySize"] + s["responseHeadersSize"])

                page.on("requestfinished", done)
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_function(READY, timeout=60_000)
                load_s = time.perf_counter() - t0
                page.wait_for_timeout(300)
                page.remove_listener("requestfinished", done)  # its calls to the browser would add pauses
                loads.append({"bytes": sum(sizes), "requests": len(sizes), "seconds": load_s})
                for view in views:
                    lat, parts = _drag(page, view, presses, interval_ms)
                    per_view[view].extend(lat)
                    worst.extend({"ms": round(ms), "view": view, "run": run, "input": i,
                                  **{k: round(v) for k, v in part.items()}}
                                 for i, (ms, part) in enumerate(zip(lat, parts, strict=True)))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = [x for v in views for x in per_view[v]]
    return {
        "inputs": len(latencies), "interval_ms": interval_ms,
        "latency_ms": _summary(latencies),
        "by_view": {v: _summary(per_view[v]) for v in views},
        "worst_inputs": sorted(worst, key=lambda w: -w["ms"])[:5],
        "first_load": {"bytes_max": max(x["bytes"] for x in loads), "requests": loads[0]["requests"],
                       "seconds_median": statistics.median(x["seconds"] for x in loads)},
        "targets": {"p50_ms": 100, "max_ms": 250, "first_load_bytes": 2_000_000},
    }


def _line(x: dict) -> str:
    return f"p50 {x['p50']:.0f} ms, p90 {x['p90']:.0f} ms, max {x['max']:.0f} ms over {x['inputs']} inputs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument("--interval-ms", type=float, default=50.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--views", nargs="+", choices=["top", "gd"], default=["top", "gd"])
    a = ap.parse_args()
    res = measure(a.presses, a.interval_ms, a.runs, tuple(a.views))
    lat, load = res["latency_ms"], res["first_load"]
    print(json.dumps(res, indent=2))
    for view, x in res["by_view"].items():
        print(f"  view {view}: {_line(x)}")
    print(f"slider → redrawn plots: {_line(lat)}; first load {load['bytes_max'] / 1e6:.2f} MB in {load['requests']} "
          f"requests ({load['seconds_median']:.1f} s)")


if __name__ == "__main__":
    main()
