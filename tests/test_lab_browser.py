"""The lab in real headless Chromium (Debian's ``chromium`` package), driven by Playwright.

The server runs in a background thread on a free loopback port; the page's numbers are compared
with the core computed here in the test. Skipped only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
playwright_sync = pytest.importorskip("playwright.sync_api")

from logitlab.lab import create_app, scenarios  # noqa: E402
from logitlab.objective import Objective  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).parent / "lab_screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url():
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the lab server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A loaded lab page plus everything it logged and requested."""

    def __init__(self, browser, base_url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(base_url + "/")
        self.idle()
        self.page.evaluate("lab.S.animMs = 300")

    def idle(self) -> None:
        self.page.wait_for_function(
            "document.body.dataset.ready === '1' && document.body.dataset.busy === '0' "
            "&& !document.getElementById('J').dataset.pending")

    def js(self, expr: str):
        return self.page.evaluate(expr)


@pytest.fixture(scope="module")
def lab(browser, base_url):
    pg = Page(browser, base_url)
    yield pg
    pg.page.close()


def _objective(S: dict) -> Objective:
    X = np.asarray(S["X"], dtype=float)
    return Objective(X, np.asarray(S["y"], dtype=float), lam=S["lam"], l1_ratio=S["l1_ratio"])


def _shown_J(lab: Page) -> tuple[float, str, list[float]]:
    el = lab.page.locator("#J")
    return float(el.get_attribute("data-value")), el.inner_text(), json.loads(el.get_attribute("data-theta"))


def test_page_loads_with_no_console_errors_and_no_network(lab, base_url):
    assert lab.errors == []
    assert lab.page.locator("#J").inner_text() == "0.693147"  # θ = 0: J = log 2
    outside = [u for u in lab.requests if not (u.startswith(base_url) or u.startswith("data:"))]
    assert outside == [], f"the page fetched from outside the lab server: {outside}"
    assert any(u.endswith("/vendor/plotly.min.js") for u in lab.requests)
    for plot in ("model-plot", "curves-plot", "contour-plot", "surface-plot", "cmp-log", "cmp-mse", "thr-plot"):
        assert lab.js(f"document.getElementById('{plot}').data.length") > 0, plot


def test_moving_sliders_shows_the_core_J(lab):
    page = lab.page
    before = _shown_J(lab)[0]
    page.locator("#s-theta0").focus()  # the weight w: keyboard moves are real slider input events
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    lab.idle()
    page.locator("#s-theta1").focus()  # the intercept b
    for _ in range(12):
        page.keyboard.press("ArrowLeft")
    lab.idle()
    value, text, theta = _shown_J(lab)
    S = lab.js("({X: lab.S.dataset.X, y: lab.S.dataset.y, lam: lab.S.lam, l1_ratio: lab.S.l1_ratio})")
    steps = [float(page.get_attribute(f"#s-theta{k}", "step")) for k in (0, 1)]
    assert theta[0] == pytest.approx(40 * steps[0]) and theta[1] == pytest.approx(-12 * steps[1])
    ref = _objective(S).value(np.asarray(theta))
    assert value != before
    assert value == pytest.approx(ref, rel=1e-12)
    assert float(text) == pytest.approx(ref, rel=5e-6)  # shown to 6 significant digits
    # λ adds the penalty (λ/2m)·w² to the displayed J
    page.locator("#s-lam").focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    lab.idle()
    value, _, theta = _shown_J(lab)
    S = lab.js("({X: lab.S.dataset.X, y: lab.S.dataset.y, lam: lab.S.lam, l1_ratio: lab.S.l1_ratio})")
    assert S["lam"] == pytest.approx(1.0)
    assert value == pytest.approx(_objective(S).value(np.asarray(theta)), rel=1e-12)
    assert float(page.locator("#penalty").inner_text()) == pytest.approx(1.0 / 40 * theta[0] ** 2, rel=1e-5)
    assert lab.errors == []


def test_gradient_descent_draws_a_path_and_a_falling_learning_curve(lab):
    page = lab.page
    for name in ("separable", "hours"):  # a fresh start: θ = 0, λ = 0
        page.select_option("#dataset", name)
        lab.idle()
    page.click("#gd-step")
    lab.idle()
    assert lab.js("document.getElementById('contour-plot').data[1].x.length") == 2
    page.click("#gd-run")
    page.wait_for_function("document.getElementById('gd-status').dataset.status")
    lab.idle()
    n_path = lab.js("document.getElementById('contour-plot').data[1].x.length")
    assert n_path == 1 + 1 + 500  # start, the single step, then 500 iterations
    J = lab.js("document.getElementById('curve-plot').data[0].y")
    assert len(J) == n_path and J[-1] < 0.41 < 0.69 < J[0]
    assert all(b <= a + 1e-12 for a, b in zip(J, J[1:], strict=False))
    assert lab.js("document.getElementById('surface-plot').data[1].z.length") == n_path
    # the slider now holds the final θ, and the shown J is the core's J there
    value, _, theta = _shown_J(lab)
    S = lab.js("({X: lab.S.dataset.X, y: lab.S.dataset.y, lam: lab.S.lam, l1_ratio: lab.S.l1_ratio})")
    assert value == pytest.approx(_objective(S).value(np.asarray(theta)), rel=1e-12)
    assert value == pytest.approx(J[-1], rel=1e-12)
    page.click("#gd-reset")
    lab.idle()
    assert lab.js("document.getElementById('contour-plot').data[1].x.length") == 1
    assert lab.errors == []


@pytest.mark.parametrize("name", list(scenarios.PRESETS))
def test_failure_preset_shows_its_effect_and_the_remedy_undoes_it(lab, name):
    card = lab.page.locator(f"#preset-{name}")
    for which, verdict in [("trigger", "bad"), ("remedy", "good")] + (
            [("remedy2", "good")] if "remedy2" in scenarios.PRESETS[name] else []):
        card.locator(f"button.{which}").click()
        lab.page.wait_for_function(
            f"document.getElementById('preset-{name}').dataset.phase === '{which}'")
        lab.idle()
        assert card.get_attribute("data-verdict") == verdict, card.locator(".effect").inner_text()
    assert lab.errors == []


def test_clicking_the_scatter_adds_a_point(lab):
    page = lab.page
    page.select_option("#dataset", "overlapping")
    lab.idle()
    page.locator("#model-plot").scroll_into_view_if_needed()
    box = page.locator("#model-plot .nsewdrag").first.bounding_box()
    page.check("input[name=addclass][value='0']")
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
    lab.idle()
    S = lab.js("({n: lab.S.dataset.X.length, extraX: lab.S.extraX, extraY: lab.S.extraY})")
    assert S["extraY"] == [0] and len(S["extraX"][0]) == 2
    assert "81 examples" in page.locator("#table-foot").inner_text()
    assert lab.errors == []


def test_bad_csv_gets_a_message_on_the_page(lab, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe garbage")
    lab.page.set_input_files("#csv-file", str(bad))
    msg = lab.page.locator("#upload-msg")
    msg.wait_for(state="visible")
    assert "file" in msg.inner_text() and "Could not use this file" in msg.inner_text()
    good = tmp_path / "good.csv"
    good.write_text("a,b,label\n1,2,x\n2,1,y\n3,3,x\n4,0,y\n0,1,x\n")
    lab.page.set_input_files("#csv-file", str(good))
    lab.page.locator("#upload-pick").wait_for(state="visible")
    lab.page.click("#up-use")
    lab.idle()
    assert lab.js("lab.S.dataset.name") == "upload" and lab.js("lab.S.dataset.X.length") == 5
    # the 422s from the bad file are the only console errors
    assert all("422" in e for e in lab.errors)
    lab.errors.clear()


def test_screenshot_for_a_person(browser, base_url):
    pg = Page(browser, base_url)
    try:
        page = pg.page
        for field, value in (("#n-theta0", "-1.5"), ("#n-theta1", "4")):  # start on MSE's slope
            page.fill(field, value)
            page.press(field, "Tab")
            pg.idle()
        assert pg.js("lab.S.theta") == [-1.5, 4]
        page.click("#cmp-run")
        page.wait_for_function("document.getElementById('cmp-status').textContent.length > 0")
        pg.idle()
        page.click("#gd-run")
        page.wait_for_function("document.getElementById('gd-status').dataset.status")
        pg.idle()
        assert pg.js("document.getElementById('cmp-mse').data.some(t => t.name === 'GD path')")
        SHOTS.mkdir(exist_ok=True)
        path = SHOTS / "lab.png"
        pg.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 50_000
        assert pg.errors == []
    finally:
        pg.page.close()


def test_path_panel_draws_both_charts_and_uses_the_chosen_lambda(browser, base_url):
    from logitlab import regularization_path
    from logitlab.cv import LogisticRegressionCV

    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.select_option("#dataset", "overlapping")
        pg.idle()
        page.fill("#n-l1_ratio", "1")
        page.press("#n-l1_ratio", "Tab")
        pg.idle()
        page.locator("#path-panel").scroll_into_view_if_needed()
        assert page.locator("#path-use").is_disabled()
        page.fill("#path-n", "15")
        page.click("#path-run")
        page.wait_for_function("document.getElementById('path-status').textContent.includes('best')")
        pg.idle()
        res = pg.js("lab.S.pathRes")
        S = pg.js("({X: lab.S.dataset.X, y: lab.S.dataset.y, st: lab.S.standardize})")
        X, y = np.asarray(S["X"], float), np.asarray(S["y"], float)
        rp = regularization_path(X, y, l1_ratio=1.0, n_lams=15, standardize=S["st"])
        cv = LogisticRegressionCV(lams=rp.lams, l1_ratio=1.0, cv=5, random_state=0, refit=False,
                                  standardize=S["st"]).fit(X, y)
        np.testing.assert_allclose(res["cv_mean"], cv.cv_mean_, rtol=1e-10, atol=1e-12)
        # both charts drawn from the response: one trace per feature, and the CV curve with its SE
        coef = pg.js("document.getElementById('path-coef').data.map(t => t.y)")
        np.testing.assert_allclose(coef, rp.coefs.T, rtol=1e-10, atol=1e-12)
        assert pg.js("document.getElementById('path-cv').data[0].error_y.array.length") == 15
        assert pg.js("document.getElementById('path-coef').layout.xaxis.type") == "log"
        assert page.locator("#path-coef .shapelayer path").count() >= 2  # best and 1-SE lines
        assert page.locator("#path-cv .shapelayer path").count() >= 2
        page.click("#path-use")
        pg.idle()
        assert pg.js("lab.S.lam") == res["lam_best"] == pytest.approx(cv.lam_best_, rel=1e-10)
        assert float(page.input_value("#n-lam")) == pytest.approx(res["lam_best"], rel=1e-5)
        assert page.locator("#path-cv .shapelayer path").count() == 3  # + the slider's λ
        page.select_option("#path-rule", "1se")
        page.click("#path-use")
        pg.idle()
        assert pg.js("lab.S.lam") == pytest.approx(cv.lam_1se_, rel=1e-10)
        SHOTS.mkdir(exist_ok=True)
        page.locator("#path-panel").screenshot(path=str(SHOTS / "path_panel.png"))
        assert pg.errors == []
    finally:
        pg.page.close()
