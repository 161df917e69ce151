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
from logitlab.lab.course_content import CARDS, DECISIONS, DRILL, PIPELINE  # noqa: E402
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

    def __init__(self, browser, base_url: str, path: str = "/") -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(base_url + path)
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
def test_failure_mode_decisions_rerun_the_model_and_say_why(lab, name):
    """Trigger shows the failure; each remedy the learner can pick is rerun: a right one fixes it,
    a wrong one leaves it, the card says why, and the plot that shows it is brought into view."""
    page = lab.page
    lab.js("lab.S.animMs = 30")
    card = page.locator(f"#preset-{name}")
    card.locator("button.trigger").click()
    page.wait_for_function(f"document.getElementById('preset-{name}').dataset.phase === 'trigger'")
    lab.idle()
    assert card.get_attribute("data-verdict") == "bad", card.locator(".effect").inner_text()
    decision = DECISIONS[name]
    for i, option in enumerate(decision["options"]):
        card.locator(f"input[name='decide-{name}'][value='{i}']").check()
        card.locator(".decide-run").click()
        page.wait_for_function(f"document.getElementById('preset-{name}').dataset.judgement !== ''"
                               f" && document.getElementById('preset-{name}').dataset.choice === '{i}'")
        lab.idle()
        assert card.get_attribute("data-judgement") == ("right" if option["correct"] else "wrong")
        assert card.get_attribute("data-verdict") == ("good" if option["correct"] else "bad"), \
            (option["label"], card.locator(".effect").inner_text())
        why = card.locator(".why-text").inner_text()
        assert why.startswith("✓ Right" if option["correct"] else "✗ Not this one") and option["why"] in why
        box = page.locator(f"#{decision['plot']}").bounding_box()  # scrolled into view
        assert box["y"] < 1000 and box["y"] + box["height"] > 0
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
    assert lab.page.input_value("#dataset") == "upload"  # the picker names the upload
    assert "good.csv" in lab.page.locator("#dataset option[value=upload]").inner_text()
    lab.page.select_option("#dataset", "hours")  # and a built-in set can be chosen again
    lab.idle()
    assert lab.js("lab.S.dataset.name") == "hours"
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
        pg.js("lab.flush()")  # every plot shows the current state in the full-page picture
        pg.idle()
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


# -- the course --------------------------------------------------------------------------------
RIGHT = {"confident_right": "falls", "confident_wrong": "4.6", "mse_convex": "no",
         "first_step": "increase w", "learning_rate": "1", "threshold_recall": "falls"}


def _set_number(pg: Page, box: str, value: str) -> None:
    pg.page.fill(box, value)
    pg.page.press(box, "Tab")
    pg.idle()


def _solved(pg: Page) -> set[str]:
    return set(pg.js("Object.keys(JSON.parse(localStorage.getItem('logitlab.course.progress') || "
                     "'{\"solved\": {}}').solved)"))


def _check(pg: Page) -> tuple[str, str]:
    pg.page.click("#drill-check")
    pg.page.wait_for_function("document.getElementById('drill-feedback').textContent.length > 0")
    pg.idle()
    fb = pg.page.locator("#drill-feedback")
    return fb.get_attribute("data-correct"), fb.inner_text()


def test_every_drill_task_wrong_gives_feedback_and_right_gives_progress(browser, base_url):
    pg = Page(browser, base_url)
    try:
        page = pg.page
        for n, task in enumerate(DRILL):
            page.click(f"button[data-task='{task['id']}']")
            assert page.locator("#drill-task").get_attribute("data-task") == task["id"]
            if task["kind"] == "predict":
                wrong = next(o for o in task["options"] if o != RIGHT[task["id"]])
                page.check(f"input[name=drill-opt][value='{wrong}']")
                ok, text = _check(pg)
                assert ok == "false" and text.startswith("Not quite") and _solved(pg) == {t["id"] for t in DRILL[:n]}
                page.check(f"input[name=drill-opt][value='{RIGHT[task['id']]}']")
            else:
                page.click("#drill-setup")
                pg.idle()
                assert pg.js("lab.S.dataset.name") == task["setup"]["dataset"]
                ok, text = _check(pg)  # the set-up state (θ = 0, λ = 0) does not solve it
                assert ok == "false" and _solved(pg) == {t["id"] for t in DRILL[:n]}
                if task["id"] == "j_below":
                    assert "J = 0.6931" in text
                    _set_number(pg, "#n-theta0", "1.5")
                    _set_number(pg, "#n-theta1", "-4")
                else:
                    _set_number(pg, "#n-lam", "30")
            ok, text = _check(pg)
            assert ok == "true", text
            assert _solved(pg) == {t["id"] for t in DRILL[: n + 1]}
            assert page.locator(f"button[data-task='{task['id']}']").get_attribute("class") == "done"
        assert page.locator("#drill-progress b").inner_text() == f"{len(DRILL)} / {len(DRILL)}"
        page.reload()  # progress is kept in this browser
        pg.idle()
        assert page.locator("#drill-progress b").inner_text() == f"{len(DRILL)} / {len(DRILL)}"
        assert pg.errors == []
    finally:
        page.close()


def _order(pg: Page) -> list[str]:
    return pg.js("[...document.querySelectorAll('#reorder-list li')].map(li => li.dataset.id)")


def _check_order(pg: Page) -> dict:
    pg.page.click("#reorder-check")
    pg.page.wait_for_function("document.getElementById('reorder-feedback').textContent.length > 0")
    return {li: pg.page.locator(f"#reorder-list li[data-id='{li}']").get_attribute("data-ok") for li in _order(pg)}


def test_reorder_solved_by_keyboard_and_by_drag(browser, base_url):
    right = [s["id"] for s in PIPELINE]
    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.click("#tab-reorder")
        start = _order(pg)
        assert sorted(start) == sorted(right) and start != right
        marks = _check_order(pg)  # the shuffled order: misplaced steps say why
        wrong = [i for i in start if marks[i] == "false"]
        assert wrong and all(page.locator(f"#reorder-list li[data-id='{i}'] .why").count() == 1 for i in wrong)
        for pos, sid in enumerate(right):  # keyboard: Space picks up, arrows move, Space drops
            j = _order(pg).index(sid)
            page.focus(f"#reorder-list li[data-id='{sid}']")
            page.keyboard.press("Space")
            for _ in range(j - pos):
                page.keyboard.press("ArrowUp")
            page.keyboard.press("Space")
        assert _order(pg) == right
        assert set(_check_order(pg).values()) == {"true"}
        assert "All steps in order" in page.locator("#reorder-feedback").inner_text()
        # by drag, from the shuffled order (restored from a link)
        page.goto(base_url + "/?d=hours&c_tab=reorder&c_order=" + ",".join(start))
        pg.idle()
        assert _order(pg) == start
        for pos, sid in enumerate(right):
            if _order(pg)[pos] != sid:
                page.locator(f"#reorder-list li[data-id='{sid}']").drag_to(
                    page.locator("#reorder-list li").nth(pos))
        assert _order(pg) == right
        assert set(_check_order(pg).values()) == {"true"}
        assert pg.errors == []
    finally:
        page.close()


def test_a_flash_card_is_reviewed_and_rescheduled(browser, base_url):
    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.click("#tab-cards")
        assert page.locator("#cards-status").inner_text().startswith(f"{len(CARDS)} of {len(CARDS)} cards due")
        first = page.locator("#flash").get_attribute("data-card")
        page.click("#flash-show")
        assert page.locator("#flash-back").is_visible()
        t0 = pg.js("Date.now()")
        page.click("#flash-knew")
        sched = pg.js("JSON.parse(localStorage.getItem('logitlab.course.cards'))")
        assert sched[first]["box"] == 2
        assert sched[first]["due"] - t0 == pytest.approx(86_400_000, abs=5_000)  # box 2: one day
        assert page.locator("#cards-status").inner_text().startswith(f"{len(CARDS) - 1} of {len(CARDS)}")
        assert page.locator("#flash").get_attribute("data-card") != first
        second = page.locator("#flash").get_attribute("data-card")
        page.click("#flash-show")
        page.click("#flash-missed")  # a missed card goes back to box 1, due again this session
        sched = pg.js("JSON.parse(localStorage.getItem('logitlab.course.cards'))")
        assert sched[second]["box"] == 1 and sched[second]["due"] <= pg.js("Date.now()")
        # a card whose answer is a number shows the core's number
        card = next(c for c in CARDS if c["id"] == "loss_wrong")
        page.reload()
        pg.idle()
        page.click("#tab-cards")
        for _ in range(len(CARDS)):
            if page.locator("#flash").get_attribute("data-card") == card["id"]:
                break
            page.click("#flash-show")
            page.click("#flash-missed")
        page.click("#flash-show")
        assert f"{-np.log(0.01):.4g}" in page.locator("#flash-back").inner_text()
        assert pg.errors == []
    finally:
        page.close()


def test_concept_to_code_shows_the_real_source_and_a_live_call(lab):
    import inspect

    from logitlab.loss import sigmoid

    pg = lab
    page = pg.page
    page.select_option("#dataset", "hours")
    pg.idle()
    _set_number(pg, "#n-theta0", "1.25")
    page.click("#tab-code")
    page.select_option("#code-concept", "J")
    page.wait_for_function("document.getElementById('code-source').textContent.includes('def value')")
    page.wait_for_function("document.getElementById('code-result').textContent.includes('J =')")
    assert page.locator("#code-source").inner_text().strip() == inspect.getsource(Objective.value).strip()
    shown = page.locator("#code-result").inner_text()
    J = float(page.locator("#J").get_attribute("data-value"))
    assert f"J = {J:.10g}" in shown or f"J = {float(f'{J:.10g}')}" in shown
    page.select_option("#code-concept", "sigmoid")
    page.wait_for_function("document.getElementById('code-source').textContent.includes('def sigmoid')")
    assert page.locator("#code-source").inner_text().strip() == inspect.getsource(sigmoid).strip()
    assert "logitlab.loss.sigmoid" in page.locator("#code-where").inner_text()
    assert pg.errors == []


def test_interview_answers_are_revealed_after_thinking_and_link_to_the_lab(lab):
    pg = lab
    page = pg.page
    page.click("#tab-interview")
    assert page.locator(".qa").count() == 9
    assert not page.locator("#qa-0-answer").is_visible()
    page.fill("#qa-0-mine", "it is not convex")
    page.click("#qa-0 .reveal")
    assert page.locator("#qa-0-answer").is_visible()
    page.click("#qa-0 .live")  # links to the convexity panel
    box = page.locator("#convexity").bounding_box()
    assert 0 <= box["y"] < 1000
    page.click("#qa-4 .reveal")
    page.click("#qa-4 .live")  # links to the code of the gradient
    page.wait_for_function("document.getElementById('code-source') && "
                           "document.getElementById('code-source').textContent.includes('def smooth_value_grad')")
    assert pg.errors == []


# -- sharing, defects, accessibility -----------------------------------------------------------
def test_a_link_reproduces_the_state_and_the_same_J(browser, base_url):
    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.select_option("#dataset", "overlapping")
        pg.idle()
        for box, value in (("#n-theta0", "0.7310000001"), ("#n-theta1", "1.1"), ("#n-theta2", "-0.123456789"),
                           ("#n-lam", "2.5"), ("#n-l1_ratio", "0.3")):
            _set_number(pg, box, value)
        page.select_option("#class_weight", "balanced")
        pg.idle()
        page.fill("#path-n", "15")
        page.press("#path-n", "Tab")
        page.select_option("#path-rule", "1se")
        page.locator("#model-plot").focus()
        page.keyboard.press("Enter")  # add one point from the keyboard: it is part of the state
        pg.idle()
        page.click("#tab-code")
        page.wait_for_timeout(300)  # the URL is rewritten 150 ms after a change
        J_text, J_value = page.inner_text("#J"), page.get_attribute("#J", "data-value")
        url = page.input_value("#share-url")
        assert url == page.url and "lam=2.5" in url and "cw=balanced" in url and "pts=" in url
        other = Page(browser, base_url, url[len(base_url):])
        try:
            assert other.page.inner_text("#J") == J_text
            assert other.page.get_attribute("#J", "data-value") == J_value  # the same double
            assert other.js("lab.S.theta") == pg.js("lab.S.theta")
            assert other.js("lab.S.extraX.length") == 1
            assert other.page.input_value("#path-n") == "15" and other.page.input_value("#path-rule") == "1se"
            assert other.page.locator("#tab-code").get_attribute("aria-selected") == "true"
            assert other.errors == []
        finally:
            other.page.close()
        assert pg.errors == []
    finally:
        page.close()


def test_toolbar_buttons_send_nothing_off_the_machine(browser, base_url):
    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.select_option("#dataset", "overlapping")
        pg.idle()
        pg.js("lab.flush()")  # the convexity panel is out of view: its landscapes are computed now
        pg.idle()
        assert pg.js("lab.S.cmp.axes") == pg.js("lab.S.land.axes") and len(pg.js("lab.S.dataset.X[0]")) == 2
        assert pg.js("lab.S.cmp.fixed") is not None  # the two-feature slice, not the hours data's (w, b)
        pg.requests.clear()
        # MSE's minima are told apart by symbol and legend: no text labels to print over each other
        assert pg.js("document.getElementById('cmp-mse').data.every(t => !t.text && !(t.mode || '').includes('text'))")
        titles = pg.js("[...document.querySelectorAll('.modebar-btn')].map(b => b.dataset.title)")
        assert titles and not [t for t in titles if "Chart Studio" in t or "Cloud" in t or "edit" in t.lower()]
        assert len(titles) <= 20  # 1–3 buttons per plot, not ~8 (tab stops)
        n = page.locator(".modebar-btn").count()
        for i in range(n):
            btn = page.locator(".modebar-btn").nth(i)
            btn.scroll_into_view_if_needed()
            btn.click(force=True)
        page.wait_for_timeout(500)
        pg.idle()
        off = [u for u in pg.requests if not (u.startswith("http://127.0.0.1") or u.startswith("data:")
                                               or u.startswith("blob:"))]
        assert off == []
        assert pg.errors == []
    finally:
        page.close()


def test_probability_map_colour_under_a_y1_point_is_the_class1_colour(browser, base_url):
    import io

    from PIL import Image

    pg = Page(browser, base_url)
    try:
        page = pg.page
        page.select_option("#dataset", "overlapping")
        pg.idle()
        page.click("#gd-fit")
        pg.idle()
        page.locator("#model-plot").scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        traces = pg.js("document.getElementById('model-plot').data.map(t => ({name: t.name, "
                       "color: t.marker && t.marker.color, scale: t.colorscale}))")
        pos = next(t for t in traces if t["name"] == "y = 1")["color"]
        heat = next(t for t in traces if t["scale"])
        assert heat["scale"][-1][1] == pos and heat["scale"][0][1] == next(
            t for t in traces if t["name"] == "y = 0")["color"]
        # the rendered map 12 px to the side of the most confident y = 1 and y = 0 points
        px = pg.js("""(() => { const el = document.getElementById('model-plot'), fl = el._fullLayout;
            const S = lab.S, p = S.state.p_all, r = el.getBoundingClientRect();
            const at = (i) => [r.left + fl._size.l + fl.xaxis.l2p(S.dataset.X[i][0]) + 12,
                               r.top + fl._size.t + fl.yaxis.l2p(S.dataset.X[i][1])];
            let i1 = -1, i0 = -1;
            p.forEach((v, i) => { if (S.dataset.y[i] === 1 && (i1 < 0 || v > p[i1])) i1 = i;
                                  if (S.dataset.y[i] === 0 && (i0 < 0 || v < p[i0])) i0 = i; });
            return [at(i1), at(i0)]; })()""")
        shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
        (r1, g1, b1), (r0, g0, b0) = (shot.getpixel((round(x), round(y))) for x, y in px)
        assert r1 > b1 + 60, (r1, g1, b1)  # red side: class 1
        assert b0 > r0 + 60, (r0, g0, b0)  # blue side: class 0
        assert pg.errors == []
    finally:
        page.close()


def test_rejected_inputs_snap_back_with_the_reason(lab):
    pg = lab
    page = pg.page
    page.select_option("#dataset", "hours")
    pg.idle()
    _set_number(pg, "#n-lam", "0.5")
    for box, bad, reason in (("#n-lam", "-3", "λ must be ≥ 0"), ("#n-learning_rate", "0", "α must be > 0"),
                             ("#n-l1_ratio", "3", "lies from 0"), ("#n-iterations", "99999", "whole number")):
        before = page.input_value(box)
        page.fill(box, bad)
        page.press(box, "Tab")
        pg.idle()
        assert page.input_value(box) == before, box
        key = box.removeprefix("#n-")
        assert reason in page.inner_text(f"#why-{key}") and "rejected" in page.inner_text(f"#why-{key}")
    assert pg.js("lab.S.lam") == 0.5 and pg.js("lab.S.learning_rate") == 0.5
    page.fill("#threshold-num", "3")
    page.press("#threshold-num", "Tab")
    assert page.input_value("#threshold-num") == "0.5" and "lies in [0, 1]" in page.inner_text("#thr-why")
    assert pg.js("lab.S.threshold") == 0.5
    assert page.inner_text("#errors") == ""
    assert pg.errors == []  # no request was sent with the bad values (no 422)


def test_contour_and_data_plot_work_from_the_keyboard(lab):
    pg = lab
    page = pg.page
    page.select_option("#dataset", "hours")
    pg.idle()
    page.locator("#contour-plot").focus()
    page.keyboard.press("ArrowRight")  # the cursor starts at θ = (0, 0)
    page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("Enter")
    pg.idle()
    land = pg.js("lab.S.land")
    dx = 0.02 * (land["x_range"][1] - land["x_range"][0])
    dy = 0.1 * (land["y_range"][1] - land["y_range"][0])
    theta = pg.js("lab.S.theta")
    assert theta == pytest.approx([dx, dy])
    X, y = np.asarray(pg.js("lab.S.dataset.X")), np.asarray(pg.js("lab.S.dataset.y"))
    assert float(page.get_attribute("#J", "data-value")) == pytest.approx(
        Objective(X, y).value(np.asarray(theta)), rel=1e-12)
    page.check("input[name=addclass][value='1']")
    page.locator("#model-plot").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    pg.idle()
    assert pg.js("lab.S.extraY") == [1] and "21 examples" in page.inner_text("#table-foot")
    assert pg.errors == []


def test_every_control_is_labelled_and_J_is_announced(lab):
    unlabelled = lab.js("""[...document.querySelectorAll('input, select, textarea, button')].filter(el => {
        if (el.type === 'hidden' || el.closest('.modebar')) return false;
        const name = (el.labels && el.labels.length && el.labels[0].textContent.trim()) || el.getAttribute('aria-label')
            || el.getAttribute('aria-labelledby') || el.title || (el.tagName === 'BUTTON' && el.textContent.trim());
        return !name; }).map(el => el.id || el.outerHTML.slice(0, 80))""")
    assert unlabelled == []
    terms = lab.js("[...document.querySelectorAll('#glossary dt')].map(d => d.textContent)")
    assert {"max_iter", "1-SE", "λ_max", "sᵢ"} <= set(terms)  # the jargon the page uses, explained
    assert lab.page.get_attribute("#live", "aria-live") == "polite"
    lab.page.fill("#n-theta0", "0.5")
    lab.page.press("#n-theta0", "Tab")
    lab.idle()
    lab.page.wait_for_function("document.getElementById('live').textContent === "
                               "'J = ' + document.getElementById('J').textContent")  # read out once settled


def test_camera_kept_across_updates_arrow_inside_the_frame_and_noise_printed_as_zero(lab):
    page = lab.page
    page.select_option("#dataset", "badly_scaled")
    lab.idle()
    # the gradient arrow: no text on the plot (it covered θ), and its head inside the frame
    for theta in ("0.0", "3"):
        page.fill("#n-theta0", theta)
        page.press("#n-theta0", "Tab")
        lab.idle()
        lab.js("lab.flush()")  # the contour is out of view: draw what waits for it
        land = lab.js("lab.S.land")
        arrow = lab.js("lab.S.contourMarks.arrow")  # drawn in the SVG overlay over the contour
        assert arrow is not None
        assert land["x_range"][0] <= arrow["x1"] <= land["x_range"][1]
        assert land["y_range"][0] <= arrow["y1"] <= land["y_range"][1]
        assert lab.js("lab.S.contourMarks.theta") == pytest.approx([float(theta), 0.0])
        # on the plot: a line from θ's marker, its head inside the plot area, and no text
        drawn = lab.js("""(() => { const svg = document.querySelector('#contour-plot svg.lab-overlay');
            const l = svg.querySelector('line.arrow'), c = svg.querySelector('circle.theta');
            return {w: svg.clientWidth, h: svg.clientHeight, text: svg.querySelectorAll('text').length,
                    shown: l.getAttribute('display'), x1: +l.getAttribute('x1'), y1: +l.getAttribute('y1'),
                    x2: +l.getAttribute('x2'), y2: +l.getAttribute('y2'),
                    cx: +c.getAttribute('cx'), cy: +c.getAttribute('cy')}; })()""")
        assert drawn["text"] == 0 and drawn["shown"] == "inline"
        assert (drawn["x1"], drawn["y1"]) == pytest.approx((drawn["cx"], drawn["cy"]))
        assert 0 <= drawn["x2"] <= drawn["w"] and 0 <= drawn["y2"] <= drawn["h"]
        assert "−α∇J" in page.inner_text("#arrow-note")
    # zoomed in, θ's marker in the overlay stays on θ (placed with the plot's own axis scale)
    page.locator("#contour-plot").scroll_into_view_if_needed()
    land = lab.js("lab.S.land")
    lab.js(f"Plotly.relayout('contour-plot', {{'xaxis.range': [{land['x_range'][0]}, 4], "
           f"'yaxis.range': [{land['y_range'][0]}, {land['y_range'][1] / 2}]}})")
    lab.idle()
    at = lab.js("""(() => { const el = document.getElementById('contour-plot'), fl = el._fullLayout;
        const c = el.querySelector('svg.lab-overlay circle.theta');
        return [+c.getAttribute('cx'), +c.getAttribute('cy'),
                fl.xaxis.l2p(lab.S.theta[0]), fl.yaxis.l2p(lab.S.theta[1])]; })()""")
    assert at[:2] == pytest.approx(at[2:], abs=0.01)
    # the 3D camera: rotated by a drag, then J changes (λ), and the view stays where the learner put it
    surface = page.locator("#surface-plot")
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 40, steps=8)
    page.mouse.up()
    eye = lab.js("document.getElementById('surface-plot')._fullLayout.scene.camera.eye")
    assert eye != {"x": 1.55, "y": -1.55, "z": 1.05}
    page.fill("#n-lam", "3")
    page.press("#n-lam", "Tab")
    lab.idle()
    lab.js("lab.flush()")  # the surface, scrolled out of view by the λ box, is redrawn now
    lab.idle()
    assert lab.js("document.getElementById('surface-plot').data[0].z") == lab.js("lab.S.land.surfaces.log.z")
    assert lab.js("lab.S.land") and lab.js("document.getElementById('surface-plot')._fullLayout.scene.camera.eye") == \
        pytest.approx(eye)
    # rounding noise of a zero prints as 0, in the readout and in the number boxes
    assert lab.js("fmt(6.094e-15, 4, 1)") == "0" and lab.js("fmt(6.094e-5, 4, 1)") == "6.094e-5"
    assert lab.js("shown(6.094e-15, 10)") == "0"
    assert lab.errors == []
