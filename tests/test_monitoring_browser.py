"""monitor.html in real headless Chromium (Debian's ``chromium``, via Playwright): it renders
its sections and charts with no console error and requests nothing beyond the file itself."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_monitoring_contract import make_model, sample

from logitlab.monitoring import monitor

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.mark.parametrize("labelled", [True, False])
def test_monitor_page_renders_offline_without_console_errors(tmp_path, labelled) -> None:
    model = make_model(sample(0))
    new = sample(21, 2000)
    new["x_expo"] *= 2.0
    new.loc[:3, "colour"] = "purple"
    report = monitor(model, new, target="y" if labelled else None, fail_on="psi>0.25")
    _, page_path = report.save(tmp_path)
    errors, requests = [], []
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        bars = page.locator("#features svg rect").count()
        first = page.locator("#features table tr:nth-child(2) td:nth-child(2)").inner_text()
        gate = page.locator("#summary li.bad").all_inner_texts()
        dots = page.locator("#calibration svg circle").count()
        browser.close()
    assert errors == []
    assert requests == [page_path.as_uri()]
    assert sections == ["summary", "violations", "features", "score", "metrics", "calibration"]
    assert bars > 6 and first == report.doc["features"][0]["name"] == "x_expo"
    assert gate == report.breached and len(gate) == 1
    assert dots == (len(report.doc["calibration"]["reliability"]["count"]) if labelled else 0)
    assert np.isfinite(report.doc["expected"]["metrics"]["roc_auc"]["estimate"])
