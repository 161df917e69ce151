"""The lab's JSON API: its numbers against independent references (scikit-learn, plain NumPy
formulas, finite differences, the published fit of the hours data), and its input validation."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402
from scipy.special import expit  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from logitlab.datasets import load_dataset  # noqa: E402
from logitlab.lab import create_app  # noqa: E402
from logitlab.lab.api import LIMITS  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url="http://127.0.0.1:8765")


@pytest.fixture(scope="module")
def hours(client):
    return client.get("/api/dataset/hours").json()


def ref_J(X, y, theta, lam=0.0, l1_ratio=0.0, sw=None, standardize=False):
    """The lessons' J written directly: mean log-loss (logaddexp form) + (λ/m)(a‖w‖₁ + (1−a)/2‖w‖²)."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    if standardize:
        X = (X - X.mean(0)) / X.std(0)
    w, b = np.asarray(theta[:-1], float), float(theta[-1])
    z = X @ w + b
    per = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
    sw = np.ones_like(y) if sw is None else sw
    m = y.size
    return float(np.dot(sw, per) / m + lam / m * (l1_ratio * np.abs(w).sum() + (1 - l1_ratio) / 2 * w @ w))


def post(client, path, body, status=200):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    return r.json()


# -- data sets and assets ----------------------------------------------------------------------
def test_meta_lists_datasets_presets_and_limits(client):
    meta = client.get("/api/meta").json()
    names = [d["name"] for d in meta["datasets"]]
    assert names == ["hours", "overlapping", "separable", "imbalanced", "badly_scaled", "breast_cancer"]
    assert set(meta["presets"]) == {"log0", "separation", "scaling", "learning_rate", "mse_plateau", "imbalance"}
    for p in meta["presets"].values():
        assert p["sentence"] and p["trigger"]["label"] and p["remedy"]["label"]
    assert meta["limits"]["max_iterations"] == 5000


def test_hours_is_the_bundled_data(hours):
    df, target = load_dataset("hours")
    assert np.allclose(np.asarray(hours["X"])[:, 0], df["hours"])
    assert np.array_equal(hours["y"], df[target].to_numpy(float))


def test_generated_sets_have_their_advertised_shape(client):
    sep = client.get("/api/dataset/separable").json()
    imb = client.get("/api/dataset/imbalanced").json()
    bad = client.get("/api/dataset/badly_scaled").json()
    bc = client.get("/api/dataset/breast_cancer").json()
    # separable: a linear SVM with a huge C separates it exactly
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=1e4, max_iter=200_000).fit(sep["X"], sep["y"])
    assert svm.score(sep["X"], sep["y"]) == 1.0
    assert np.mean(imb["y"]) == pytest.approx(0.05)
    sd = np.asarray(bad["X"]).std(0)
    assert sd[1] / sd[0] > 50
    assert np.asarray(bc["X"]).shape == (569, 2) and sum(bc["y"]) == 212  # 212 malignant


def test_page_and_plotly_are_served_locally(client):
    html = client.get("/").text
    assert "/vendor/plotly.min.js" in html
    assert "http://" not in html and "https://" not in html
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert b"plotly" in js.content[:2000].lower()
    assert client.get("/static/lab.js").status_code == 200
    assert "https://" not in client.get("/static/lab.js").text


# -- the concept drill ---------------------------------------------------------------------------
@pytest.mark.parametrize("lam,l1_ratio,standardize", [(0, 0, False), (3.0, 0, False), (2.0, 0.5, True)])
def test_state_J_matches_direct_formula(client, hours, lam, l1_ratio, standardize):
    theta = [1.3, -3.7]
    st = post(client, "/api/state", {"X": hours["X"], "y": hours["y"], "theta": theta, "lam": lam,
                                     "l1_ratio": l1_ratio, "standardize": standardize})
    ref = ref_J(hours["X"], hours["y"], theta, lam, l1_ratio, standardize=standardize)
    assert st["J"] == pytest.approx(ref, rel=1e-12)
    assert st["data_loss"] + st["penalty"] == pytest.approx(st["J"], rel=1e-14)
    # scikit-learn's log_loss on the same probabilities gives the data term
    X = np.asarray(hours["X"])
    if standardize:
        X = (X - X.mean(0)) / X.std(0)
    p = expit(X[:, 0] * theta[0] + theta[1])
    assert st["data_loss"] == pytest.approx(skm.log_loss(hours["y"], p), rel=1e-10)
    assert st["table"]["p"] == pytest.approx(p.tolist(), rel=1e-12)


def test_state_gradient_matches_finite_differences(client, hours):
    theta = np.array([0.7, -1.2])
    body = {"X": hours["X"], "y": hours["y"], "lam": 1.5}
    g = post(client, "/api/state", {**body, "theta": theta.tolist()})["gradient"]
    h = 1e-6
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        fd = (ref_J(hours["X"], hours["y"], theta + e, 1.5) - ref_J(hours["X"], hours["y"], theta - e, 1.5)) / (2 * h)
        assert g[k] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_lessons_worked_table(client):
    # three examples with ŷ = 0.9, 0.2, 0.6 (the lessons' table): put z = logit(ŷ) via x and w = 1, b = 0
    p = np.array([0.9, 0.2, 0.6])
    X = np.log(p / (1 - p))[:, None].tolist()
    st = post(client, "/api/state", {"X": X, "y": [1, 0, 1], "theta": [1.0, 0.0]})
    assert st["table"]["loss"] == pytest.approx([-np.log(0.9), -np.log(0.8), -np.log(0.6)], rel=1e-12)
    assert st["J"] == pytest.approx((-np.log(0.9) - np.log(0.8) - np.log(0.6)) / 3, rel=1e-12)


def test_naive_formula_hits_log0_while_logit_form_stays_exact(client, hours):
    body = {"X": hours["X"], "y": hours["y"], "theta": [20.0, -55.0]}
    naive = post(client, "/api/state", {**body, "loss_form": "naive"})
    exact = post(client, "/api/state", body)
    assert naive["shown_J"] == "nan"
    assert exact["shown_J"] == pytest.approx(ref_J(hours["X"], hours["y"], [20.0, -55.0]), rel=1e-12)


def test_mse_loss_and_balanced_weights(client, hours):
    theta = [1.0, -2.0]
    X = np.asarray(hours["X"])[:, 0]
    y = np.asarray(hours["y"])
    st = post(client, "/api/state", {"X": hours["X"], "y": hours["y"], "theta": theta, "loss": "mse"})
    assert st["J"] == pytest.approx(np.mean(0.5 * (expit(X - 2.0) - y) ** 2), rel=1e-12)
    imb = client.get("/api/dataset/imbalanced").json()
    st = post(client, "/api/state", {"X": imb["X"], "y": imb["y"], "theta": [0.5, 0.5, -2.0],
                                     "class_weight": "balanced"})
    from sklearn.utils.class_weight import compute_sample_weight

    sw = compute_sample_weight("balanced", imb["y"])
    assert st["J"] == pytest.approx(ref_J(imb["X"], imb["y"], [0.5, 0.5, -2.0], sw=sw), rel=1e-12)


def test_threshold_panel_matches_scikit_learn(client):
    bc = client.get("/api/dataset/breast_cancer").json()
    theta = [1.0, 0.2, -19.0]
    st = post(client, "/api/state", {"X": bc["X"], "y": bc["y"], "theta": theta, "threshold": 0.3,
                                     "cost_fp": 1.0, "cost_fn": 5.0})
    X = np.asarray(bc["X"])
    p = expit(X @ theta[:2] + theta[2])
    pred = (p > 0.3).astype(int)
    cur = st["threshold"]["current"]
    assert cur["precision"] == pytest.approx(skm.precision_score(bc["y"], pred))
    assert cur["recall"] == pytest.approx(skm.recall_score(bc["y"], pred))
    assert cur["f1"] == pytest.approx(skm.f1_score(bc["y"], pred))
    tn, fp, fn, tp = skm.confusion_matrix(bc["y"], pred).ravel()
    assert (cur["tn"], cur["fp"], cur["fn"], cur["tp"]) == (tn, fp, fn, tp)
    assert cur["cost"] == pytest.approx((fp + 5 * fn) / len(p))
    # the chosen threshold really minimizes FP + 5·FN over all cut points
    chosen = st["threshold"]["chosen"]
    costs = [np.sum((p > t) & (np.asarray(bc["y"]) == 0)) + 5 * np.sum((p <= t) & (np.asarray(bc["y"]) == 1))
             for t in np.r_[0.0, np.unique(p)]]
    assert chosen["cost_per_example"] * len(p) == pytest.approx(min(costs))
    assert st["threshold"]["roc_auc"] == pytest.approx(skm.roc_auc_score(bc["y"], p))


def test_model_view_boundary(client, hours):
    st = post(client, "/api/state", {"X": hours["X"], "y": hours["y"], "theta": [1.5046, -4.0777]})
    assert st["view"]["kind"] == "sigmoid"
    assert st["view"]["boundary"] == pytest.approx(4.0777 / 1.5046, rel=1e-9)
    ov = client.get("/api/dataset/overlapping").json()
    st = post(client, "/api/state", {"X": ov["X"], "y": ov["y"], "theta": [2.0, 1.0, -0.5], "grid": 21})
    v = st["view"]
    assert np.asarray(v["p"]).shape == (21, 21)
    bx, by = np.asarray(v["boundary"]["x"]), np.asarray(v["boundary"]["y"])
    assert 2.0 * bx + 1.0 * by - 0.5 == pytest.approx([0, 0], abs=1e-9)


# -- landscapes, gradient descent, fit -----------------------------------------------------------
def test_fit_reproduces_published_hours_coefficients(client, hours):
    r = post(client, "/api/fit", {"X": hours["X"], "y": hours["y"]})
    assert r["status"] == "converged"
    assert r["theta"] == pytest.approx([1.5046, -4.0777], abs=5e-4)


def test_landscape_values_and_minimum(client, hours):
    r = post(client, "/api/landscape", {"X": hours["X"], "y": hours["y"], "theta": [0, 0], "n": 11,
                                        "losses": ["log", "mse"], "find_minima": True})
    Z = np.asarray(r["surfaces"]["log"]["z"])
    for i, j in [(0, 0), (3, 7), (10, 10)]:
        assert Z[i, j] == pytest.approx(ref_J(hours["X"], hours["y"], [r["x"][j], r["y"][i]]), rel=1e-12)
    assert r["optimum"]["theta"] == pytest.approx([1.5046, -4.0777], abs=5e-4)
    mse = r["surfaces"]["mse"]
    assert mse["minima"], "the MSE minimum inside the window should be found"
    m = mse["minima"][0]
    # it is a stationary point of the MSE cost: central differences vanish there
    X = np.asarray(hours["X"])[:, 0]
    y = np.asarray(hours["y"])

    def J(w, b):
        return np.mean(0.5 * (expit(w * X + b) - y) ** 2)

    h = 1e-5
    assert abs(J(m["x"] + h, m["y"]) - J(m["x"] - h, m["y"])) / (2 * h) < 1e-5
    assert abs(J(m["x"], m["y"] + h) - J(m["x"], m["y"] - h)) / (2 * h) < 1e-5


def test_landscape_two_features_is_a_slice_at_b(client):
    ov = client.get("/api/dataset/overlapping").json()
    r = post(client, "/api/landscape", {"X": ov["X"], "y": ov["y"], "theta": [0, 0, 0.3], "n": 7,
                                        "x_range": {"lo": -1, "hi": 3}, "y_range": {"lo": -2, "hi": 2}})
    assert r["axes"] == ["w₁", "w₂"] and r["fixed"]["value"] == 0.3
    Z = np.asarray(r["surfaces"]["log"]["z"])
    assert Z[2, 5] == pytest.approx(ref_J(ov["X"], ov["y"], [r["x"][5], r["y"][2], 0.3]), rel=1e-12)


def test_gd_path_follows_the_update_rule(client, hours):
    X = np.asarray(hours["X"])[:, 0]
    y = np.asarray(hours["y"])
    r = post(client, "/api/gd", {"X": hours["X"], "y": hours["y"], "theta0": [0, 0],
                                 "learning_rate": 0.5, "iterations": 3})
    path = np.asarray(r["path"])
    assert path.shape == (4, 2)
    t = np.zeros(2)
    for k in range(3):  # w ← w − α·(1/m)Σ(ŷ − y)x,  b ← b − α·(1/m)Σ(ŷ − y)
        err = expit(t[0] * X + t[1]) - y
        t = t - 0.5 * np.array([np.mean(err * X), np.mean(err)])
        assert path[k + 1] == pytest.approx(t, rel=1e-12)
    assert r["history"] == pytest.approx([ref_J(hours["X"], y, p) for p in path], rel=1e-12)


def test_gd_falls_diverges_and_runs_past_separation(client, hours):
    ok = post(client, "/api/gd", {"X": hours["X"], "y": hours["y"], "theta0": [0, 0],
                                  "learning_rate": 0.5, "iterations": 500})
    assert np.all(np.diff(ok["history"]) <= 1e-15)
    assert ok["J"] == pytest.approx(0.40149, abs=1e-4)
    bad = post(client, "/api/gd", {"X": hours["X"], "y": hours["y"], "theta0": [0, 0],
                                   "learning_rate": 2.5, "iterations": 200})
    assert bad["status"] == "diverged"
    sep = client.get("/api/dataset/separable").json()
    r = post(client, "/api/gd", {"X": sep["X"], "y": sep["y"], "theta0": [0, 0, 0],
                                 "learning_rate": 1.0, "iterations": 400})
    assert r["status"] == "separated" and r["n_iter"] == 400 and len(r["history"]) == 401
    wn = np.asarray(r["w_norm"])
    assert np.all(np.diff(wn[5:]) > 0) and wn[-1] > 4
    reg = post(client, "/api/gd", {"X": sep["X"], "y": sep["y"], "theta0": [0, 0, 0], "lam": 1.0,
                                   "learning_rate": 1.0, "iterations": 1000})
    assert reg["status"] == "converged" and reg["w_norm"][-1] < 3


def _merged(preset, which):
    return preset["trigger"] if which == "trigger" else {**preset["trigger"], **preset[which]}


def _run_preset(client, preset, which):
    """What the page does for a preset, through the API: apply settings, run the action."""
    s = _merged(preset, which)
    data = client.get(f"/api/dataset/{s['dataset']}").json()
    body = {"X": data["X"], "y": data["y"]}
    for k in ("lam", "l1_ratio", "loss", "standardize", "class_weight"):
        if k in s:
            body[k] = s[k]
    theta = s.get("theta")
    out = {}
    if s["action"] == "gd":
        out["run"] = post(client, "/api/gd", {**body, "theta0": theta, "iterations": s["iterations"],
                                              "learning_rate": s["learning_rate"]})
        theta = out["run"]["theta"]
    elif s["action"] == "fit":
        theta = post(client, "/api/fit", {**body, "theta0": theta})["theta"]
    extra = {k: s[k] for k in ("cost_fp", "cost_fn", "loss_form") if k in s}
    thr = s.get("threshold", 0.5)
    st = post(client, "/api/state", {**body, **extra, "theta": theta,
                                     "threshold": 0.5 if thr == "chosen" else thr})
    if thr == "chosen":
        st = post(client, "/api/state", {**body, **extra, "theta": theta,
                                         "threshold": st["threshold"]["chosen"]["threshold"]})
    out["state"] = st
    return out


@pytest.mark.parametrize("name", ["log0", "separation", "scaling", "learning_rate", "mse_plateau", "imbalance"])
def test_each_preset_trigger_shows_failure_and_remedy_undoes_it(client, name):
    preset = client.get("/api/meta").json()["presets"][name]
    bad, good = _run_preset(client, preset, "trigger"), _run_preset(client, preset, "remedy")
    if name == "log0":
        assert bad["state"]["shown_J"] == "nan" and np.isfinite(good["state"]["shown_J"])
    elif name == "separation":
        assert bad["run"]["status"] == "separated" and good["run"]["status"] == "converged"
    elif name == "scaling":
        assert bad["run"]["status"] == "max_iter" and good["run"]["status"] == "converged"
    elif name == "learning_rate":
        assert bad["run"]["status"] == "diverged" and good["run"]["status"] != "diverged"
    elif name == "mse_plateau":
        hb, hg = bad["run"]["history"], good["run"]["history"]
        assert (hb[0] - hb[-1]) / hb[0] < 0.01 and (hg[0] - hg[-1]) / hg[0] > 0.9
    elif name == "imbalance":
        cur = bad["state"]["threshold"]["current"]
        assert cur["recall"] == 0 and cur["accuracy"] == pytest.approx(0.95)
        assert good["state"]["threshold"]["current"]["recall"] > 0.5
        alt = _run_preset(client, preset, "remedy2")
        assert alt["state"]["threshold"]["current"]["recall"] > 0.5


# -- validation and caps -------------------------------------------------------------------------
@pytest.mark.parametrize("change,field", [
    ({"lam": -1}, "lam"),
    ({"l1_ratio": 1.5}, "l1_ratio"),
    ({"theta": [1, 2, 3]}, "theta"),
    ({"y": [2] * 20}, "y"),
    ({"loss": "hinge2"}, "loss"),
    ({"grid": 10_000}, "grid"),
    ({"threshold": 2}, "threshold"),
    ({"theta": [1e300, 0]}, "theta"),
    ({"unknown": 1}, "unknown"),
])
def test_state_rejects_bad_input_naming_the_field(client, hours, change, field):
    body = {"X": hours["X"], "y": hours["y"], "theta": [0, 0], **change}
    r = client.post("/api/state", json=body)
    assert r.status_code == 422
    assert r.json()["detail"].startswith(field) or field in r.json()["detail"].split(":")[0]


def test_caps_on_sizes_and_iterations(client, hours):
    r = client.post("/api/gd", json={"X": hours["X"], "y": hours["y"], "theta0": [0, 0],
                                     "iterations": LIMITS["max_iterations"] + 1})
    assert r.status_code == 422 and "iterations" in r.json()["detail"]
    r = client.post("/api/landscape", json={"X": hours["X"], "y": hours["y"], "theta": [0, 0],
                                            "n": LIMITS["max_grid"] + 1})
    assert r.status_code == 422 and r.json()["detail"].startswith("n")
    big = {"X": [[0.0]] * (LIMITS["max_rows"] + 1), "y": [0.0] * (LIMITS["max_rows"] + 1), "theta": [0, 0]}
    r = client.post("/api/state", json=big)
    assert r.status_code == 422 and r.json()["detail"].startswith("X")
    ragged = {"X": [[0.0], [1.0, 2.0]], "y": [0, 1], "theta": [0, 0]}
    r = client.post("/api/state", json=ragged)
    assert r.status_code == 422 and r.json()["detail"].startswith("X")
    r = client.post("/api/state", content='{"X": [[NaN], [1]], "y": [0, 1], "theta": [0, 0]}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"].startswith("X")
    r = client.post("/api/state", json={"X": [[1.0, 5.0], [1.0, 6.0]], "y": [0, 1], "theta": [0, 0, 0],
                                        "standardize": True})
    assert r.status_code == 422 and r.json()["detail"].startswith("standardize")
    assert client.get("/api/dataset/nope").status_code == 422


# -- CSV upload ----------------------------------------------------------------------------------
def upload(client, content: bytes, **fields):
    return client.post("/api/upload", files={"file": ("data.csv", io.BytesIO(content), "text/csv")},
                       data=fields)


def test_upload_lists_columns_then_builds_the_data_set(client):
    csv = b"age,income,city,bought\n30,50.5,A,yes\n41,62,B,no\n25,,A,yes\n52,80,C,no\n38,55,B,yes\n"
    info = upload(client, csv)
    assert info.status_code == 200
    cols = {c["name"]: c for c in info.json()["columns"]}
    assert cols["age"]["numeric"] and not cols["city"]["numeric"]
    assert info.json()["guess"]["label"] == "bought"
    d = upload(client, csv, x1="age", x2="income", label="bought", positive="yes").json()
    assert d["X"] == [[30, 50.5], [41, 62], [52, 80], [38, 55]] and d["y"] == [1, 0, 0, 1]
    assert "1 row" in d["note"]
    st = post(client, "/api/state", {"X": d["X"], "y": d["y"], "theta": [0.1, -0.05, 0.0]})
    assert st["J"] == pytest.approx(ref_J(d["X"], d["y"], [0.1, -0.05, 0.0]), rel=1e-12)


@pytest.mark.parametrize("content,fields,field", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", {}, "file"),
    (b"", {}, "file"),
    (b"onlyone\n1\n2\n", {}, "file"),
    (b"a,b\n1,x\n2,y\n3,z\n", {"x1": "a", "label": "b"}, "label"),
    (b"a,b,c\nq,0,1\nr,1,2\n", {"x1": "a", "label": "b"}, "x1"),
    (b"a,b\n1,0\n2,1\n", {"x1": "zz", "label": "b"}, "x1"),
    (b"a,b\n1,0\n2,1\n", {"x1": "a", "label": "b", "positive": "7"}, "positive"),
])
def test_bad_uploads_get_a_message_naming_the_field(client, content, fields, field):
    r = upload(client, content, **fields)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(field)


def test_upload_size_cap(client):
    big = b"a,b\n" + b"1,0\n" * (LIMITS["max_upload_bytes"] // 4 + 10)
    r = upload(client, big)
    assert r.status_code == 422 and r.json()["detail"].startswith("file") and "MB" in r.json()["detail"]


def test_responses_are_strict_json(client, hours):
    r = client.post("/api/state", json={"X": hours["X"], "y": hours["y"], "theta": [20, -55],
                                        "loss_form": "naive"})
    json.loads(r.text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_serve_signature():
    import inspect

    from logitlab.lab import serve

    sig = inspect.signature(serve)
    assert [(p.name, p.default) for p in sig.parameters.values()] == [
        ("host", "127.0.0.1"), ("port", 8765), ("open_browser", False)]


def test_oversized_bodies_are_refused_before_parsing(client):
    from logitlab.lab.server import MAX_BODY_BYTES

    blob = b'{"X": [' + b"[1.0]," * (MAX_BODY_BYTES // 6 + 10) + b'[1.0]], "y": [0, 1], "theta": [0, 0]}'
    r = client.post("/api/state", content=blob, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"].startswith("body")

    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'{"X": ['
        for _ in range(MAX_BODY_BYTES // 60_000 + 10):
            yield b"[1.0]," * 10_000
        yield b'[1.0]], "y": [0, 1], "theta": [0, 0]}'

    r = client.post("/api/state", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


# -- regularization path and cross-validation ------------------------------------------------------
@pytest.mark.parametrize("l1_ratio,standardize,class_weight", [
    (1.0, False, "none"), (0.5, True, "none"), (0.0, False, "balanced"),
])
def test_path_endpoint_equals_direct_path_and_cv(client, l1_ratio, standardize, class_weight):
    from logitlab import regularization_path
    from logitlab.cv import LogisticRegressionCV

    d = client.get("/api/dataset/overlapping").json()
    X, y = np.asarray(d["X"], float), np.asarray(d["y"], float)
    r = post(client, "/api/path", {"X": d["X"], "y": d["y"], "l1_ratio": l1_ratio, "n_lams": 12,
                                   "folds": 4, "seed": 3, "lam": 0.7, "standardize": standardize,
                                   "class_weight": class_weight, "features": d["features"]})
    sw = None
    if class_weight == "balanced":
        from sklearn.utils.class_weight import compute_sample_weight
        sw = compute_sample_weight("balanced", y)
    rp = regularization_path(X, y, l1_ratio=l1_ratio, n_lams=12, sample_weight=sw,
                             standardize=standardize)
    cv = LogisticRegressionCV(lams=rp.lams, l1_ratio=l1_ratio, cv=4, random_state=3, refit=False,
                              standardize=standardize,
                              class_weight="balanced" if sw is not None else None).fit(X, y)
    assert len(r["lams"]) == 12 and r["features"] == d["features"]
    np.testing.assert_allclose(r["lams"], rp.lams, rtol=1e-10, atol=0)
    np.testing.assert_allclose(np.asarray(r["coefs"]).T, rp.coefs, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(r["intercepts"], rp.intercepts, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(r["cv_mean"], cv.cv_mean_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(r["cv_se"], cv.cv_std_ / np.sqrt(4), rtol=1e-10, atol=1e-10)
    assert r["lam_best"] == pytest.approx(cv.lam_best_, rel=1e-10)
    assert r["lam_1se"] == pytest.approx(cv.lam_1se_, rel=1e-10)
    assert r["lam_1se"] >= r["lam_best"] and r["lam_current"] == 0.7 and r["folds"] == 4
    # the best λ has the smallest mean CV log-loss on the grid
    assert r["cv_mean"][r["best_index"]] == pytest.approx(min(r["cv_mean"]), abs=0)


def test_path_lam_max_zeroes_every_weight_under_l1(client, hours):
    r = post(client, "/api/path", {"X": hours["X"], "y": hours["y"], "l1_ratio": 1.0, "n_lams": 10})
    X, y = np.asarray(hours["X"], float), np.asarray(hours["y"], float)
    # independent λ_max: m·|∂(mean log-loss)/∂w| at w = 0, b = logit(ȳ): |Σ xᵢ(ȳ − yᵢ)|
    lam_max = abs(float(X[:, 0] @ (y.mean() - y)))
    assert r["lam_max"] == pytest.approx(lam_max, rel=1e-10)
    assert r["lams"][0] == pytest.approx(lam_max, rel=1e-10)
    assert np.all(np.asarray(r["coefs"])[:, 0] == 0) and r["n_nonzero"][0] == 0
    assert r["n_nonzero"][1] == 1  # just below λ_max the weight enters
    # at λ_max the CV log-loss of the intercept-only fit on balanced folds (10/10 → 8/8 train) is log 2
    assert r["cv_mean"][0] == pytest.approx(np.log(2), rel=1e-10)


@pytest.mark.parametrize("change,field", [
    ({"n_lams": 51}, "n_lams"),
    ({"n_lams": 1}, "n_lams"),
    ({"folds": 1}, "folds"),
    ({"folds": 11}, "folds"),
    ({"l1_ratio": -0.1}, "l1_ratio"),
    ({"y": [1] * 20}, "y"),
    ({"unknown": 1}, "unknown"),
])
def test_path_rejects_bad_input_naming_the_field(client, hours, change, field):
    body = {"X": hours["X"], "y": hours["y"], **change}
    r = client.post("/api/path", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(field) or field in r.json()["detail"].split(":")[0]


def test_path_refuses_more_folds_than_class_members(client):
    X = [[float(i)] for i in range(12)]
    y = [0.0] * 9 + [1.0] * 3
    r = client.post("/api/path", json={"X": X, "y": y, "folds": 4})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith("folds:") and "3 of class 1" in detail
    assert client.post("/api/path", json={"X": X, "y": y, "folds": 3}).status_code == 200
