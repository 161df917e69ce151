"""The lab's responsiveness in headless Chromium: slider input → redrawn plots, and the first load's
transfer size.

    python -m benchmarks.lab_latency [--presses 60] [--interval-ms 50] [--runs 3]

Starts the lab on a free loopback port, opens it in Debian's Chromium (Playwright) with the flags
the tests use, and on the hours data moves the weight slider w from the keyboard (each key press is
one real ``input`` event). The page records, for every input, the time until the plots showing its
settings were drawn (``lab.latencies``: input event → the /api/state answer drawn in an animation
frame, all plots updated). The first load's size is the sum over every response of its headers and
its body as sent (gzip-compressed where the server compresses). Targets (issue 16): p50 ≤ 100 ms,
max ≤ 250 ms, first load ≤ 2 MB.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
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


def _start_server():
    import uvicorn

    from logitlab.lab import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}/"


def _percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))
    return xs[k]


def measure(presses: int = 60, interval_ms: float = 50.0, runs: int = 3) -> dict:
    """Open the lab ``runs`` times; each time record the first load's bytes and the latencies of
    ``presses`` slider inputs sent ``interval_ms`` apart."""
    from playwright.sync_api import sync_playwright

    server, url = _start_server()
    loads, latencies = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(runs):
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
                loads.append({"bytes": sum(sizes), "requests": len(sizes), "seconds": load_s})
                page.evaluate("lab.latencies.length = 0")
                page.locator("#s-theta0").focus()
                for k in range(presses):  # back and forth, as a hand drags
                    page.keyboard.press("ArrowRight" if (k // 15) % 2 == 0 else "ArrowLeft")
                    page.wait_for_timeout(interval_ms)
                page.wait_for_function(READY, timeout=60_000)
                latencies.extend(page.evaluate("lab.latencies"))
                page.close()
            browser.close()
    finally:
        server.should_exit = True
    return {
        "inputs": len(latencies), "interval_ms": interval_ms,
        "latency_ms": {"p50": statistics.median(latencies), "p90": _percentile(latencies, 0.9),
                       "max": max(latencies), "mean": statistics.fmean(latencies)},
        "first_load": {"bytes_max": max(x["bytes"] for x in loads), "requests": loads[0]["requests"],
                       "seconds_median": statistics.median(x["seconds"] for x in loads)},
        "targets": {"p50_ms": 100, "max_ms": 250, "first_load_bytes": 2_000_000},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument("--interval-ms", type=float, default=50.0)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    res = measure(a.presses, a.interval_ms, a.runs)
    lat, load = res["latency_ms"], res["first_load"]
    print(json.dumps(res, indent=2))
    print(f"slider → redrawn plots: p50 {lat['p50']:.0f} ms, p90 {lat['p90']:.0f} ms, max {lat['max']:.0f} ms "
          f"over {res['inputs']} inputs; first load {load['bytes_max'] / 1e6:.2f} MB in {load['requests']} "
          f"requests ({load['seconds_median']:.1f} s)")


if __name__ == "__main__":
    main()
