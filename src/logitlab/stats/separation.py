"""Does the maximum-likelihood estimate exist? A linear-programming check for separation.

Albert & Anderson (1984): with tᵢ = 2yᵢ − 1 and x̃ᵢ = (xᵢ, 1), the logistic MLE is infinite
exactly when some direction β ≠ 0 has every margin tᵢ·x̃ᵢᵀβ ≥ 0 with at least one > 0
(the log-likelihood keeps rising along β). If all margins can be made > 0 the separation is
*complete*; if only some can, it is *quasi-complete* and those examples are predicted with
probability exactly 0 or 1 in the limit.

Konis (2007, "Linear programming algorithms for detecting separated data in binary logistic
regression models", DPhil thesis, Oxford; R packages safeBinaryRegression, detectseparation)
decides this by linear programming. We solve, with HiGHS,

    maximize Σ_{i∉S} tᵢ·x̃ᵢᵀβ   subject to   tᵢ·x̃ᵢᵀβ ≥ 0 for every i,   |βⱼ| ≤ 1,

(columns scaled to unit spread), starting from S = ∅ and adding the examples it separates
until the optimum is 0. The LP has only p + 1 variables, so it stays fast for many rows, and
because such β form a cone closed under addition, S ends as the largest separable set:
S = ∅ means the MLE exists, S = all means complete separation, otherwise quasi-complete.
A second LP finds a sparse direction (minimum Σ|βⱼ| on the scaled columns) that is ≥ 1 on S and
≥ 0 elsewhere. Σ|β| is only a proxy for the number of features (noise columns can lower it), so
the features named are then found by feasibility LPs on subsets: irreducible by dropping
features one at a time, then the *smallest* sets searched exhaustively by size while the
number of LPs stays within a budget. When several smallest sets separate, all are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["SeparationReport", "detect_separation", "separation_warning", "MAX_LP_SIZE"]

MAX_SUBSET_LPS = 200  # feasibility LPs spent searching the smallest separating feature sets
SUBSET_LP_WORK = 2_000_000  # … and their nonzeros summed (~1 s of HiGHS on 2 busy cores): on
# large separated data the search stops early and says so rather than adding minutes to a fit
MAX_LP_SIZE = 5_000_000  # nonzeros of the LP's constraint matrix beyond which we skip the check
HOOK_MAX_LP_SIZE = 1_000_000  # the automatic check after fit stays under ~0.5 s


@dataclass
class SeparationReport:
    """The LP's verdict: kind ∈ {"none", "quasi-complete", "complete"} and who is involved."""

    kind: str
    n_separated: int = 0
    n_examples: int = 0
    features: list[str] = field(default_factory=list)
    directions: dict[str, float] = field(default_factory=dict)
    intercept_involved: bool = False
    separated_index: NDArray | None = None
    direction: NDArray | None = None  # β (features, then intercept) with tᵢx̃ᵢᵀβ ≥ 0, > 0 on S
    skipped: bool = False
    note: str = ""
    alternatives: list[list[str]] = field(default_factory=list)  # other smallest sets
    smallest: bool = True  # False: smaller sets were not searched exhaustively
    irreducible: bool = True  # False: the LP budget ran out before every feature was tried

    @property
    def separated(self) -> bool:
        return self.kind in ("complete", "quasi-complete")

    def message(self, with_remedy: bool = True) -> str:
        """One paragraph for a warning or an error: what, who, and what to do."""
        if self.skipped:
            return self.note
        if not self.separated:
            return "No separation: the maximum-likelihood estimate exists (LP check)."
        who = ", ".join(
            f"{f} ({'+' if self.directions.get(f, 0) > 0 else '−'}∞)" for f in self.features
        ) or "the intercept only"
        if self.kind == "complete":
            what = (
                "Complete separation: a hyperplane classifies every example correctly, so the "
                "maximum-likelihood estimate does not exist (the weights grow without bound and "
                "the standard errors are meaningless)."
            )
        else:
            what = (
                f"Quasi-complete separation: {self.n_separated} of {self.n_examples} examples "
                "are perfectly predicted by a hyperplane that the rest lie on, so the "
                "maximum-likelihood estimate does not exist (some weights grow without bound "
                "and the standard errors are meaningless)."
            )
        text = f"{what} Features involved: {who}."
        if self.alternatives:
            sets = "; ".join("{" + ", ".join(a) + "}" for a in [self.features, *self.alternatives])
            text += (f" {len(self.alternatives) + 1} different sets of {len(self.features)} "
                     f"feature{'s' if len(self.features) != 1 else ''} each separate on their own: "
                     f"{sets}.")
        elif self.features and not self.irreducible:
            text += (" (A separating set, not reduced further within the linear-programming "
                     "budget; fewer features may suffice.)")
        elif self.features and not self.smallest:
            text += (" (No feature of this set can be dropped; smaller sets were not searched "
                     "exhaustively.)")
        if with_remedy:
            text += (
                " Remedy: fit LogisticRegression(firth=True) (Firth's bias-reduced estimates are "
                "always finite and come with profile-likelihood intervals), or add a penalty "
                "(lam > 0), or merge/drop the sparse categories of the named features."
            )
        return text


def _as_matrix(X: ArrayLike | sp.spmatrix) -> NDArray | sp.csr_matrix:
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


def detect_separation(
    X: ArrayLike | sp.spmatrix,
    y: ArrayLike,
    sample_weight: ArrayLike | None = None,
    fit_intercept: bool = True,
    feature_names: list[str] | None = None,
    tol: float = 1e-7,
    max_size: int = MAX_LP_SIZE,
) -> SeparationReport:
    """Decide by linear programming whether (X, y) are completely, quasi-completely or not separated.

    ``y`` is 0/1 (or any two labels, the larger taken as 1); examples with weight 0 are ignored.
    """
    from scipy.optimize import linprog  # loaded only when an LP is needed
    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(c) for c in X.columns]
    X = _as_matrix(X)
    y = np.asarray(y).ravel()
    if y.dtype.kind not in "fiub" or not np.all(np.isin(y, (0, 1))):
        classes, y = np.unique(y, return_inverse=True)
    y = y.astype(np.float64)
    m, p = X.shape
    names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(p)]
    keep = np.ones(m, bool) if sample_weight is None else np.asarray(sample_weight) > 0
    if not keep.all():
        X, y = X[keep], y[keep]
        m = X.shape[0]
    k = p + int(fit_intercept)
    nnz = (X.nnz if sp.issparse(X) else m * p) + m * int(fit_intercept)
    if nnz > max_size:
        return SeparationReport(
            "none", n_examples=m, skipped=True,
            note=f"separation check skipped: the LP would have {nnz:,} nonzeros "
                 f"(limit {max_size:,}); on data this large separation is rare, but check the "
                 "coefficient sizes.",
        )
    t = 2.0 * y - 1.0
    # A = diag(t)·X̃ : the margins are A·β
    if sp.issparse(X):
        Xt = sp.hstack([X, sp.csr_matrix(np.ones((m, 1)))]) if fit_intercept else X
        A = sp.diags(t) @ Xt
        A = sp.csr_matrix(A)
    else:
        Xt = np.column_stack([X, np.ones(m)]) if fit_intercept else X
        A = t[:, None] * Xt
    # Column spreads make the LP scale-free (and the second LP's L1 weights meaningful).
    if sp.issparse(Xt):
        sq = np.asarray(Xt.multiply(Xt).mean(axis=0)).ravel()
        mu = np.asarray(Xt.mean(axis=0)).ravel()
        spread = np.sqrt(np.maximum(sq - mu**2, 0.0))
    else:
        spread = Xt.std(axis=0)
    absmax = np.asarray(abs(Xt).max(axis=0).toarray()).ravel() if sp.issparse(Xt) else \
        np.abs(Xt).max(axis=0)
    spread = np.where(spread > 0, spread, np.where(absmax > 0, absmax, 1.0))
    if fit_intercept:
        spread[-1] = 1.0
    As = A @ sp.diags(1.0 / spread) if sp.issparse(A) else A / spread
    # LP 1 (Konis 2007): maximize Σ_{i∉S} tᵢx̃ᵢᵀβ over the box |βⱼ| ≤ 1 subject to every
    # margin ≥ 0. Only k variables, so HiGHS solves it fast even for many rows. A positive
    # optimum adds the examples it separates to S; repeating until the optimum is 0 makes S
    # the largest separable set (the cone of such β is closed under addition).
    As_sp = sp.csr_matrix(As)
    S = np.zeros(m, bool)
    b_ub = np.zeros(m)
    beta1 = np.zeros(k)
    for _ in range(min(m, 100)):
        rest = ~S
        c = -np.asarray(As_sp[rest].sum(axis=0)).ravel()
        res = linprog(c, A_ub=-As_sp, b_ub=b_ub, bounds=[(-1.0, 1.0)] * k, method="highs")
        if res.status != 0:
            return SeparationReport("none", n_examples=m, skipped=True,
                                    note=f"separation check inconclusive (LP: {res.message}).")
        margins = As_sp @ res.x
        top = float(np.max(np.abs(margins), initial=0.0))
        new = rest & (margins > 1e-6 * max(top, 1.0))
        if -res.fun <= 1e-9 * max(top, 1.0) or not new.any():
            break
        S |= new
        beta1 += res.x
    n_sep = int(S.sum())
    if n_sep == 0:
        return SeparationReport("none", n_examples=m)
    kind = "complete" if n_sep == m else "quasi-complete"
    # LP 2: the sparsest direction separating S: min Σ|β| s.t. Aβ ≥ 1 on S, Aβ ≥ 0 elsewhere.
    # β = β⁺ − β⁻ with both ≥ 0.
    A_ub2 = sp.hstack([-As_sp, As_sp]).tocsc()
    b_ub2 = np.where(S, -1.0, 0.0)
    weight = np.ones(k)
    if fit_intercept:
        weight[-1] = 1e-3  # prefer explaining by the intercept over inventing a feature effect
    c2 = np.concatenate([weight, weight])
    res2 = linprog(c2, A_ub=A_ub2, b_ub=b_ub2, bounds=[(0, None)] * (2 * k), method="highs")
    if res2.status == 0:
        beta = res2.x[:k] - res2.x[k:]
    else:  # fall back to LP 1's direction
        beta = beta1
    scale = np.max(np.abs(beta)) or 1.0
    support = [j for j in np.argsort(np.abs(beta[:p])) if abs(beta[j]) > tol * scale * 10]
    budget = min(MAX_SUBSET_LPS, SUBSET_LP_WORK // max(nnz, 1))
    search = _SubsetSearch(As_sp, S, p, fit_intercept, budget)
    sets, smallest = search.smallest_sets(support)
    beta = search.direction(sets[0]) if sets else beta
    active = np.abs(beta) > 0
    features = [names[j] for j in sets[0]] if sets else []
    directions = {names[j]: float(np.sign(beta[j])) for j in (sets[0] if sets else [])}
    idx = np.flatnonzero(keep)[S]
    return SeparationReport(
        kind, n_separated=n_sep, n_examples=m, features=features, directions=directions,
        intercept_involved=bool(fit_intercept and active[-1]), separated_index=idx,
        direction=beta / spread, alternatives=[[names[j] for j in t] for t in sets[1:]],
        smallest=smallest, irreducible=search.irreducible,
    )


class _SubsetSearch:
    """Which feature subsets (with the intercept, when fitted) reproduce the separation of S:
    some β on them has margins ≥ 1 on S and ≥ 0 elsewhere (one feasibility LP each)."""

    def __init__(self, As: sp.csr_matrix, S: NDArray, p: int, fit_intercept: bool,
                 budget: int = MAX_SUBSET_LPS) -> None:
        self.As, self.p, self.fit_intercept = sp.csc_matrix(As), p, fit_intercept
        self.b_ub = np.where(S, -1.0, 0.0)
        self.n_lps, self.budget, self.irreducible = 0, budget, True

    def _columns(self, subset: tuple[int, ...]) -> list[int]:
        return list(subset) + ([self.p] if self.fit_intercept else [])

    def separates(self, subset: tuple[int, ...]) -> bool:
        from scipy.optimize import linprog

        cols = self._columns(subset)
        if not cols:
            return False
        self.n_lps += 1
        res = linprog(np.zeros(len(cols)), A_ub=-self.As[:, cols], b_ub=self.b_ub,
                      bounds=[(None, None)] * len(cols), method="highs")
        return res.status == 0

    def direction(self, subset: tuple[int, ...]) -> NDArray:
        """The sparsest (min Σ|β|) separating direction on the subset, in all k coordinates."""
        from scipy.optimize import linprog

        cols = self._columns(subset)
        A = self.As[:, cols]
        c = np.ones(2 * len(cols))
        if self.fit_intercept:
            c[len(cols) - 1] = c[-1] = 1e-3  # prefer the intercept, as LP 2 does
        res = linprog(c, A_ub=sp.hstack([-A, A]), b_ub=self.b_ub,
                      bounds=[(0, None)] * (2 * len(cols)), method="highs")
        beta = np.zeros(self.p + int(self.fit_intercept))
        if res.status == 0:
            beta[cols] = res.x[:len(cols)] - res.x[len(cols):]
        return beta

    def smallest_sets(self, support: list[int]) -> tuple[list[tuple[int, ...]], bool]:
        """(the smallest separating feature sets, whether the search was exhaustive).

        First an irreducible set: LP 2's support with features dropped (smallest |β| first)
        while the rest still separates. Then every set of each size below or equal to it, in
        order, while the LP budget lasts; all sets of the first size that separates are kept.
        (If the budget ends during the dropping, the set reached so far, flagged.)
        """
        if self.separates(()):
            return [()], True  # the intercept alone (a class without examples of its own)
        kept = list(support)
        for j in support:
            if self.n_lps >= self.budget:
                self.irreducible = False
                return [tuple(sorted(kept))], False
            rest = tuple(sorted(set(kept) - {j}))
            if rest and self.separates(rest):
                kept.remove(j)
        irreducible = tuple(sorted(kept))
        for size in range(1, len(irreducible) + 1):
            n_sets = comb(self.p, size)
            if self.n_lps + n_sets > self.budget:
                return [irreducible], False
            found = [t for t in combinations(range(self.p), size) if self.separates(t)]
            if found:  # in column order
                return found, True
        return [irreducible], False  # pragma: no cover - the irreducible set separates


def separation_warning(model, result) -> bool:  # noqa: ANN001 - estimator and SolverResult
    """Estimator hook for λ = 0 fits that stopped at a separating θ or ran out of iterations.

    Runs the LP check on the training data; when it finds separation, warns with
    :class:`~logitlab.exceptions.SeparationWarning` saying complete vs quasi-complete and naming
    the features, and returns True (the estimator then skips its generic warning).
    """
    objective = getattr(model, "_fit_objective", None)
    if objective is None or objective.loss != "log":
        return False
    if result.status == "converged":
        # Quasi-complete separation often "converges": the gradient vanishes as weights grow.
        # Only saturated fitted probabilities (|z| > 10, p within 5e-5 of 0 or 1) warrant the LP.
        z = objective.scores(result.theta)
        if np.max(np.abs(z[objective.sample_weight > 0]), initial=0.0) <= 10.0:
            return False
    import warnings

    from ..exceptions import SeparationWarning  # scikit-learn's ConvergenceWarning underneath
    from .base import feature_names
    report = detect_separation(objective.design.X, objective.y, objective.sample_weight,
                               fit_intercept=model.fit_intercept,
                               feature_names=feature_names(model), max_size=HOOK_MAX_LP_SIZE)
    model.separation_ = report
    if not report.separated:
        return False
    warnings.warn(
        f"{report.message(with_remedy=True)} (The solver stopped after {result.n_iter} "
        f"iterations with status {result.status!r}.)",
        SeparationWarning, stacklevel=4,
    )
    return True
