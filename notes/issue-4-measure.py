"""Latency of the lab API on the built-in data and at the caps (issue 4 closing note).

Run: python notes/issue-4-measure.py
"""

from __future__ import annotations

import statistics
import time
import warnings

from fastapi.testclient import TestClient

from logitlab.lab import create_app

warnings.simplefilter("ignore")
client = TestClient(create_app())


def timed(label: str, path: str, body: dict, repeats: int = 5) -> None:
    """Median wall time of one POST."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        r = client.post(path, json=body)
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, r.text
    print(f"{label:62s} median {1000 * statistics.median(times):8.1f} ms")


def main() -> None:
    h = client.get("/api/dataset/hours").json()
    bc = client.get("/api/dataset/breast_cancer").json()
    sep = client.get("/api/dataset/separable").json()
    H = {"X": h["X"], "y": h["y"]}
    BC = {"X": bc["X"], "y": bc["y"]}
    both = {"losses": ["log", "mse"], "find_minima": True}
    timed("state, hours (20 rows)", "/api/state", {**H, "theta": [1, -3]})
    timed("state, breast cancer (569 rows, 61x61 map)", "/api/state", {**BC, "theta": [1, 0.2, -19]})
    timed("landscape log, hours, 41x41", "/api/landscape", {**H, "theta": [0, 0], "n": 41})
    timed("landscape log+mse+minima, breast cancer std, 41x41", "/api/landscape",
          {**BC, "theta": [0, 0, 0], "n": 41, "standardize": True, **both}, 3)
    timed("landscape log+mse+minima, breast cancer std, 121x121 (cap)", "/api/landscape",
          {**BC, "theta": [0, 0, 0], "n": 121, "standardize": True, **both}, 1)
    timed("gd 5000 iterations (cap), breast cancer std", "/api/gd",
          {**BC, "theta0": [0, 0, 0], "standardize": True, "iterations": 5000,
           "learning_rate": 0.01, "tol": 1e-12}, 3)
    timed("gd 5000 iterations past separation (5000 solver calls)", "/api/gd",
          {"X": sep["X"], "y": sep["y"], "theta0": [0, 0, 0], "iterations": 5000,
           "learning_rate": 1}, 3)
    big = {"X": [[i % 97 / 10, i % 89 / 10] for i in range(5000)], "y": [i % 2 for i in range(5000)]}
    timed("gd 5000 iterations on 5000 rows (both caps)", "/api/gd",
          {**big, "theta0": [0, 0, 0], "iterations": 5000, "learning_rate": 0.01, "tol": 1e-14}, 1)
    timed("landscape 121x121 log+mse+minima on 5000 rows (all caps)", "/api/landscape",
          {**big, "theta": [0, 0, 0], "n": 121, **both}, 1)


if __name__ == "__main__":
    main()
