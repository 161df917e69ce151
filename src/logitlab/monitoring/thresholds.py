"""Every numeric threshold of the monitoring package, in one place, with the reason it exists.

They are defaults: each CLI option and Python argument that uses one can override it.
"""

from __future__ import annotations

#: Contract version inside model.json (``contract.version``); bumped on incompatible changes.
CONTRACT_VERSION = 1

#: Percentiles stored per numeric feature and for the score: the grid on which the KS statistic is
#: evaluated and from which the PSI deciles come. 23 points keep a feature's entry under ~1 kB.
PERCENTILES = (0.0, 1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0,
               55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0, 99.0, 100.0)

#: Values further than RANGE_MARGIN × (training max − training min) outside the training range
#: are violations. 1.0 keeps false alarms under 1 % for a fresh sample of 1000 rows against 1000
#: training rows for normal, uniform, exponential and Poisson features (simulated); heavy-tailed
#: features (log-normal, Student t) need a larger margin or a log transform (docs/model-schema.md).
RANGE_MARGIN = 1.0

#: A missing-value rate above the training share is a violation when a one-sided binomial test
#: at the training share gives a p-value below this (when training had no missing value, any
#: missing value is one). Small, because every column is tested on every scoring call.
MISSING_ALPHA = 1e-4

#: Unseen categories: "error" stops, "warn" scores those rows as missing (no prediction),
#: "zero" maps them to the reference level (all one-hot columns zero), each with a warning.
UNSEEN_POLICIES = ("error", "warn", "zero")
DEFAULT_UNSEEN = "error"

#: Responses to violations: stop with an error, print one warning line each, or say nothing.
ON_VIOLATION = ("error", "warn", "ignore")
DEFAULT_ON_VIOLATION = "warn"

#: PSI smoothing: a bin empty in one sample gets this share, so PSI stays finite (as Evidently).
PSI_EPSILON = 1e-4
#: Conventional PSI reading (credit scoring): < 0.1 stable, 0.1–0.25 moderate, > 0.25 major shift.
PSI_MODERATE = 0.1
PSI_MAJOR = 0.25

#: p-value below which a KS or χ² test calls a feature's shift significant (reported, not gated).
DRIFT_PVALUE = 0.01

#: Scores are summarized on SCORE_BINS equal-width bins of the logit z over
#: [−SCORE_LIMIT, SCORE_LIMIT] (width 0.0011): AUC, expected AUC and Hosmer–Lemeshow come from
#: these counts, so they are the same in memory, streamed and on Dask (AUC within ~1e-4 of the
#: exact value: pairs in one bin count one half). |z| > 36 means p within 2e-16 of 0 or 1.
SCORE_BINS = 1 << 16
SCORE_LIMIT = 36.0

#: Bins of the reliability curve and the expected calibration error (equal width on p).
ECE_BINS = 10

#: Hosmer–Lemeshow groups (deciles of risk), as logitlab.metrics.hosmer_lemeshow.
HL_GROUPS = 10

#: Confidence level of the intervals of sliced evaluation and of champion/challenger differences.
CI_LEVEL = 0.95

#: Expected (label-free) performance intervals are at 99 %, so that a realised value outside
#: its interval is a real signal rather than one batch in twenty (NannyML draws ±3σ bands).
EXPECTED_LEVEL = 0.99

#: Monte-Carlo draws of the labels used for the expected AUC's interval.
EXPECTED_DRAWS = 400

#: Slices with fewer rows than this are "small": their metrics carry a warning.
SMALL_SLICE = 100

#: Most slices one evaluation reports (each keeps a score histogram of SCORE_BINS bins).
MAX_SLICES = 200

#: Paired bootstrap replicates for champion/challenger differences other than AUC (DeLong).
BOOTSTRAP_REPLICATES = 1000

#: Most rows of unseen category values listed in a violation line.
SHOW_VALUES = 5
