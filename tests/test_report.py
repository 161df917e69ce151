"""The HTML report: it parses, holds every figure the issue lists, fetches nothing from a network,
and its numbers equal direct formulas (J and the MSE cost written out in NumPy, finite-difference
gradients for the gradient-descent path, scikit-learn for ROC AUC)."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from scipy.special import expit
from sklearn.metrics import roc_auc_score

from logitlab import LogisticRegression
from logitlab import plots as P
from logitlab import plots_eval as PE
from logitlab.datasets import load_dataset
from logitlab.metrics import classification_summary
from logitlab.report import FIGURES, ReportInput, build_figures, plotly_js, render_report

LAM = 1.0


class Collect(HTMLParser):
    """Ids, scripts and every URL-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.stack: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("src", "href", "action", "data", "poster"):
            if a.get(key):
                self.urls.append(a[key])
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag not in ("meta", "br", "img", "input", "link", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-3:]}"
        self.stack.pop()

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def hours_report(test_part: bool = False) -> tuple[ReportInput, dict]:
    df, target = load_dataset("hours")
    x = df[["hours"]].to_numpy(float)
    y = df[target].to_numpy(float)
    tr = np.arange(y.size) if not test_part else np.flatnonzero(np.arange(y.size) % 4 != 0)
    te = np.setdiff1d(np.arange(y.size), tr)
    model = LogisticRegression(lam=LAM, standardize=True, tol=1e-10).fit(x[tr], y[tr])
    z_tr, z_te = model.decision_function(x[tr]), model.decision_function(x[te]) if te.size else np.empty(0)
    metrics = {"train": classification_summary(y[tr], expit(z_tr))}
    r = ReportInput(model=model, feature_names=["hours"], labels=(0, 1), y_train=y[tr], z_train=z_tr,
                    rows_train=tr + 1, X_train=x[tr], y_test=y[te], z_test=z_te, rows_test=te + 1,
                    X_test=x[te].reshape(-1, 1), threshold=0.5, metrics=metrics, source="hours",
                    target=target, learning_rate=0.1)
    return r, build_figures(r)


@pytest.fixture(scope="module")
def report():
    return hours_report(test_part=True)


def test_html_parses_and_holds_every_figure(report) -> None:
    r, figs = report
    text = render_report(r, figs)
    page = Collect()
    page.feed(text)
    page.close()
    assert page.stack == [], "unclosed tags"
    assert set(FIGURES) == {"learning-curve", "sigmoid", "cost-contour", "cost-surface", "loss-vs-mse", "roc",
                            "pr", "calibration", "confusion", "threshold", "coefficients", "path", "cv-curve",
                            "largest-loss"}
    for fid in FIGURES:
        assert f"fig-{fid}" in page.ids
        assert re.search(r'Plotly\.newPlot\(\s*"fig-' + re.escape(fid) + '"', text), fid
    kinds = {fid: {type(t).__name__ for t in figs[fid].data} for fid in FIGURES}
    assert {"Contour", "Scatter"} <= kinds["cost-contour"]
    assert {"Surface", "Scatter3d"} <= kinds["cost-surface"]
    assert kinds["loss-vs-mse"] == {"Surface"} and len(figs["loss-vs-mse"].data) == 2
    assert "Heatmap" in kinds["confusion"] and "Table" in kinds["largest-loss"]


def test_no_network_reference(report) -> None:
    r, figs = report
    text = render_report(r, figs)
    page = Collect()
    page.feed(text)
    assert page.urls == [f"#{fid}" for fid in FIGURES]  # only the in-page navigation
    # plotly.js is inlined verbatim from the installed package (the one script that is not a figure)
    bundle = [s for s in page.scripts if len(s) > 1_000_000]
    assert len(bundle) == 1 and bundle[0] == plotly_js().replace("</script", "<\\/script")
    # outside that bundle there is no address at all; inside it the URLs are plotly's own
    # (map-tile servers for map traces, SVG/XML namespace names, licence comments), which only
    # map/geo traces would fetch: the report has none, and test_report_in_chromium checks that
    # the page makes no request.
    rest = text.replace(bundle[0], "")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", rest, re.I), re.findall(r"https?://\S{0,40}", rest)
    traces = {type(t).__name__ for f in figs.values() for t in f.data}
    assert not traces & {"Scattermapbox", "Choroplethmapbox", "Densitymapbox", "Scattergeo", "Choropleth",
                         "Scattermap", "Choroplethmap", "Densitymap"}


def direct_J(w: float, b: float, xs: np.ndarray, y: np.ndarray, loss: str) -> float:
    """The lessons' cost written out: mean loss + λ/(2m)·w² on the standardized feature."""
    z = w * xs + b
    if loss == "log":
        data = np.mean(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
    else:
        data = np.mean(0.5 * (expit(z) - y) ** 2)
    return float(data + LAM / (2 * y.size) * w**2)


def test_landscapes_equal_the_direct_formulas(report) -> None:
    r, figs = report
    xs = (r.X_train[:, 0] - r.X_train[:, 0].mean()) / r.X_train[:, 0].std()
    y = r.y_train
    contour = figs["cost-contour"].data[0]
    Z = np.asarray(contour.z)
    for i, j in [(0, 0), (5, 17), (20, 20), (40, 3), (33, 40)]:
        assert Z[i, j] == pytest.approx(direct_J(contour.x[j], contour.y[i], xs, y, "log"), rel=1e-12)
    log_s, mse_s = figs["loss-vs-mse"].data
    for i, j in [(0, 30), (10, 25), (15, 15), (30, 0)]:
        assert np.asarray(log_s.z)[i, j] == pytest.approx(direct_J(log_s.x[j], log_s.y[i], xs, y, "log"), rel=1e-12)
        assert np.asarray(mse_s.z)[i, j] == pytest.approx(direct_J(mse_s.x[j], mse_s.y[i], xs, y, "mse"), rel=1e-12)
    # the MSE surface is not convex: some second difference along a grid line is negative
    M = np.asarray(mse_s.z)
    assert (np.diff(M, 2, axis=1) < -1e-9).any() or (np.diff(M, 2, axis=0) < -1e-9).any()
    assert (np.diff(np.asarray(log_s.z), 2, axis=1) > -1e-12).all()


def test_gradient_descent_path(report) -> None:
    r, figs = report
    xs = (r.X_train[:, 0] - r.X_train[:, 0].mean()) / r.X_train[:, 0].std()
    y = r.y_train
    path = figs["cost-contour"].data[1]
    px, py = np.asarray(path.x), np.asarray(path.y)
    alpha = float(re.search(r"α = ([0-9.e+-]+)", path.name).group(1))
    assert alpha == r.learning_rate  # the report's path uses --learning-rate, as the CLI says
    assert "converged" in path.name
    J = np.array([direct_J(a, b, xs, y, "log") for a, b in zip(px, py, strict=True)])
    assert np.all(np.diff(J) <= 1e-15)  # gradient descent never went up
    opt = figs["cost-contour"].data[3]
    assert px[-1] == pytest.approx(opt.x[0], abs=1e-4) and py[-1] == pytest.approx(opt.y[0], abs=1e-4)
    # the first step is θ − α·∇J with ∇J from central differences of the direct formula
    h = 1e-6
    gw = (direct_J(px[0] + h, py[0], xs, y, "log") - direct_J(px[0] - h, py[0], xs, y, "log")) / (2 * h)
    gb = (direct_J(px[0], py[0] + h, xs, y, "log") - direct_J(px[0], py[0] - h, xs, y, "log")) / (2 * h)
    ratio_w, ratio_b = (px[0] - px[1]) / gw, (py[0] - py[1]) / gb
    assert ratio_w == pytest.approx(ratio_b, rel=1e-6)
    assert ratio_w == pytest.approx(alpha, rel=1e-2)
    # the 3D path sits on the surface: its heights are J at its points
    surf_path = figs["cost-surface"].data[1]
    np.testing.assert_allclose(np.asarray(surf_path.z), J, rtol=1e-12)


def test_evaluation_figures_match_references(report) -> None:
    r, figs = report
    p_te = expit(r.z_test)
    names = [t.name for t in figs["roc"].data]
    auc = roc_auc_score(r.y_test, p_te)
    assert any(f"held-out (AUC {auc:.3f})" == n for n in names), names
    cm = figs["confusion"].data[0]
    tp = int(np.sum((p_te > 0.5) & (r.y_test == 1)))
    assert f"TP<br>{tp}<br>" in cm.text[1][1]
    table = figs["largest-loss"].data[0]
    z_all = np.r_[r.z_train, r.z_test]
    y_all = np.r_[r.y_train, r.y_test]
    loss = np.logaddexp(0, -z_all) * y_all + np.logaddexp(0, z_all) * (1 - y_all)
    assert float(table.cells.values[4][0]) == pytest.approx(loss.max(), abs=5e-4)
    assert table.cells.values[0][0] == int(np.r_[r.rows_train, r.rows_test][np.argmax(loss)])


def test_coefficients_show_exact_l1_zeros() -> None:
    df, target = load_dataset("breast_cancer")
    X = df.drop(columns=target).to_numpy(float)
    y = (df[target] == "malignant").to_numpy(float)
    m = LogisticRegression(lam=40.0, l1_ratio=1.0, standardize=True).fit(X, y)
    w = m.coef_.ravel()
    zeros = int(np.sum(w == 0))
    assert 0 < zeros < w.size
    fig = PE.coefficients_figure(list(df.columns.drop(target)), w)
    marked = [t for t in fig.data if t.name == "exactly 0 (L1)"]
    assert len(marked) == 1 and len(marked[0].x) == zeros
    assert f"{zeros} exactly zero" in fig.layout.title.text


def test_figures_serialize_to_json(report) -> None:
    """The builders are reusable by the lab: every figure goes through fig.to_json()."""
    _, figs = report
    for fig in figs.values():
        assert json.loads(fig.to_json())["data"]


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
def test_report_in_chromium_makes_no_request(report, tmp_path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    r, figs = report
    page_file = tmp_path / "report.html"
    page_file.write_text(render_report(r, figs), encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
        try:
            page = browser.new_page()
            requests, errors = [], []
            page.on("request", lambda q: requests.append(q.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
            page.goto(page_file.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {len(FIGURES)}",
                                   timeout=60_000)
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert errors == []


def test_large_data_use_a_row_subset(monkeypatch) -> None:
    """Above MAX_ROWS the landscapes use a seeded subset with λ/m kept, and say so."""
    import logitlab.report as R

    monkeypatch.setattr(R, "MAX_ROWS", 12)
    r, _ = hours_report()
    obj, note = R.illustration_objective(r.model._fit_objective)
    assert obj.n_samples == 12 and "random 12 of the 20 training rows" in note
    assert obj.lam / obj.n_samples == pytest.approx(LAM / 20)
    figs = R.build_figures(r)
    assert "random 12 of the 20" in figs["cost-contour"].layout.title.text
    assert "random 12 of the 20" in figs["loss-vs-mse"].layout.title.text


def test_path_and_cv_curve_figures() -> None:
    """The path starts at the analytic λ_max = ‖Xᵀ(y − ȳ)‖∞ (L1, every weight 0 there, not below) and
    the CV curve shows a 5-fold CV's mean log-loss, each fold's score equal to the log-loss formula."""
    from sklearn.model_selection import StratifiedKFold

    from logitlab.report import path_and_cv_figures

    df, target = load_dataset("hours")
    x = df[["hours"]].to_numpy(float)
    y = df[target].to_numpy(float)
    model = LogisticRegression(lam=1.0, l1_ratio=1.0, tol=1e-10).fit(x, y)
    r = ReportInput(model=model, feature_names=["hours"], labels=(0, 1), y_train=y,
                    z_train=model.decision_function(x), rows_train=np.arange(y.size) + 1, X_train=x,
                    y_test=y[:0], z_test=np.empty(0), rows_test=np.empty(0, int), X_test=x[:0], threshold=0.5,
                    metrics={}, source="hours", target=target)
    path_fig, cv_fig = path_and_cv_figures(r)
    lam_max = float(np.abs(x[:, 0] @ (y - y.mean())))
    trace = path_fig.data[0]
    assert trace.name == "hours"
    assert 10 ** trace.x[0] == pytest.approx(lam_max, rel=1e-12)
    assert trace.y[0] == 0 and trace.y[1] > 0
    assert any(abs(10 ** sh.x0 - 1.0) < 1e-12 for sh in path_fig.layout.shapes)  # this model's λ is marked

    lams = 10 ** np.asarray(cv_fig.data[0].x)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))
    for k in (0, len(lams) // 2, len(lams) - 1):
        losses = []
        for tr, te in folds:
            m = LogisticRegression(lam=lams[k], l1_ratio=1.0, tol=1e-10).fit(x[tr], y[tr])
            p = m.predict_proba(x[te])[:, 1]
            losses.append(-np.mean(y[te] * np.log(p) + (1 - y[te]) * np.log(1 - p)))
        assert cv_fig.data[0].y[k] == pytest.approx(np.mean(losses), rel=1e-5)


# -- issue 16: the report's figure defects ---------------------------------------------------------
def test_pr_base_rates_are_legend_entries_not_overlapping_labels(report) -> None:
    _, figs = report
    pr = figs["pr"]
    assert not pr.layout.annotations  # two parts' base-rate labels printed over each other
    names = [t.name for t in pr.data]
    assert any(n.startswith("held-out base rate") for n in names)
    assert any(n.startswith("train base rate") for n in names)


def test_this_models_lambda_is_named_in_the_legend_not_on_a_tick() -> None:
    from logitlab.report import path_and_cv_figures

    df, target = load_dataset("hours")
    x = df[["hours"]].to_numpy(float)
    y = df[target].to_numpy(float)
    model = LogisticRegression(lam=2.0, tol=1e-10).fit(x, y)
    r = ReportInput(model=model, feature_names=["hours"], labels=(0, 1), y_train=y,
                    z_train=model.decision_function(x), rows_train=np.arange(y.size) + 1, X_train=x,
                    y_test=y[:0], z_test=np.empty(0), rows_test=np.empty(0, int), X_test=x[:0], threshold=0.5,
                    metrics={}, source="hours", target=target)
    for fig in path_and_cv_figures(r):
        assert not [a for a in fig.layout.annotations if "this model" in (a.text or "")]
        assert [t for t in fig.data if t.name == "this model's λ = 2"]
        assert any(abs(10 ** sh.x0 - 2.0) < 1e-12 for sh in fig.layout.shapes)


def test_surfaces_are_framed_whole_and_legends_clear_the_colorbar(report) -> None:
    _, figs = report
    surf = figs["cost-surface"].layout
    assert surf.scene.aspectmode == "manual" and surf.scene.camera.eye.x == 1.6
    assert surf.legend.orientation == "h" and surf.legend.y <= 0  # under the scene, not on the colorbar
    cmp_ = figs["loss-vs-mse"].layout
    assert cmp_.scene.camera.eye.z == cmp_.scene2.camera.eye.z == 1.05
    contour = figs["cost-contour"].layout
    assert contour.legend.orientation == "h" and contour.legend.y < 0


def test_sigmoid_plot_keeps_both_classes_visible_on_large_data() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, 6000)
    y = (rng.random(6000) < expit(z)).astype(int)
    fig = P.sigmoid_figure(z, y, ("no", "yes"), 0.5)
    neg, pos = (t for t in fig.data if t.name.startswith("true:"))
    assert len(neg.x) == len(pos.x) == 1500  # a seeded sample of each class, not 3000 of both together
    assert max(neg.y) < 0 < 1 < min(pos.y)  # two strips: no class drawn over the other
    assert neg.marker.color == P.NEG and pos.marker.color == P.POS
    # hover shows each example's true ŷ = σ(z)
    np.testing.assert_allclose(np.asarray(pos.customdata)[:, 1], expit(z[np.asarray(pos.customdata)[:, 0].astype(int)]))


def test_class_colours_mean_class_one_only_and_no_cloud_controls(report) -> None:
    r, figs = report
    for fid in ("roc", "pr", "calibration", "threshold", "learning-curve"):
        colours = {(t.line.color if t.line else None) for t in figs[fid].data}
        assert P.POS not in colours and P.NEG not in colours, fid
    page = render_report(r, figs)
    assert '"showSendToCloud": false' in page and '"showEditInChartStudio": false' in page
    assert '"showLink": false' in page


def test_a_learning_rate_that_diverges_on_the_slice_falls_back_and_says_so() -> None:
    df, target = load_dataset("hours")
    x = df[["hours"]].to_numpy(float)
    y = df[target].to_numpy(float)
    model = LogisticRegression(lam=LAM, standardize=True, tol=1e-10).fit(x, y)
    r = ReportInput(model=model, feature_names=["hours"], labels=(0, 1), y_train=y,
                    z_train=model.decision_function(x), rows_train=np.arange(y.size) + 1, X_train=x,
                    y_test=y[:0], z_test=np.empty(0), rows_test=np.empty(0, int), X_test=x[:0], threshold=0.5,
                    metrics={"train": classification_summary(y, expit(model.decision_function(x)))},
                    source="hours", target=target, learning_rate=50.0)
    name = build_figures(r)["cost-contour"].data[1].name
    assert "--learning-rate 50 diverges here" in name and "α = 50," not in name


def test_extra_sections_are_one_list_to_append_to(report) -> None:
    from logitlab import report as R

    r, figs = report
    R.EXTRA_SECTIONS.append(lambda _: "<section id='extra-test'><h2>Extra</h2></section>")
    try:
        assert "<section id='extra-test'>" in render_report(r, figs)
    finally:
        R.EXTRA_SECTIONS.pop()
