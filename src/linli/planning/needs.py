"""Residents' ranked needs as weights on planning demand (no Django).

Method (documented in docs/guide.md):

1. Each answer ranks up to three services; a rank earns Borda points, 3 for the first,
   2 for the second, 1 for the third (:data:`POINTS`).
2. In each community, a service's *share* is its points over all points given there.
3. With ``k`` services asked about, a share of ``1/k`` is an average need. The weight is
   ``1 - influence + influence × k × share``: 1 for an average need, up to
   ``1 - influence + influence × k`` for a service everyone ranks first, ``1 - influence`` for
   one nobody ranks. ``influence`` (0–1, default 0.5) is how far residents' voice moves the
   planning numbers; at 0 every weight is 1.
4. A community with fewer than ``min_answers`` answers takes the weights of the whole surveyed
   area (all answers pooled), so a handful of answers cannot swing its numbers.

Site plans multiply each demand point's residents for a service by its community's weight;
the diagnosis weights each priority service's gap by it (:mod:`linli.planning.gaps`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

POINTS = (3.0, 2.0, 1.0)
DEFAULT_INFLUENCE = 0.5
DEFAULT_MIN_ANSWERS = 5
AREA = "*"  # the row of pooled weights


def _weights(rankings: Sequence[Sequence[str]], scenarios: Sequence[str], influence: float):
    points = dict.fromkeys(scenarios, 0.0)
    for ranking in rankings:
        for place, code in enumerate(ranking[: len(POINTS)]):
            if code in points:
                points[code] += POINTS[place]
    total = sum(points.values())
    k = len(scenarios)
    if total == 0:
        return dict.fromkeys(scenarios, 1.0)
    return {code: 1 - influence + influence * k * points[code] / total for code in scenarios}


def need_weights(
    rankings: Mapping[str, Sequence[Sequence[str]]],
    scenarios: Sequence[str],
    *,
    influence: float = DEFAULT_INFLUENCE,
    min_answers: int = DEFAULT_MIN_ANSWERS,
) -> pd.DataFrame:
    """Weights per community (rows, plus the pooled row :data:`AREA`) and service (columns).

    ``rankings``: each community's answers, each a ranking of service codes, most needed first.
    """
    if not 0 <= influence <= 1:
        raise ValueError("influence must lie between 0 and 1")
    pooled = [r for answers in rankings.values() for r in answers]
    area = _weights(pooled, scenarios, influence)
    rows = {AREA: area}
    for community, answers in rankings.items():
        rows[community] = (
            _weights(answers, scenarios, influence) if len(answers) >= min_answers else area
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(scenarios))


def weight_for(weights: pd.DataFrame | None, communities: Sequence[str], scenario: str):
    """The weight of ``scenario`` for each of ``communities`` (1 where the survey says
    nothing: a service it did not ask about, a community outside it)."""
    import numpy as np

    if weights is None or scenario not in weights.columns:
        return np.ones(len(communities))
    column = weights[scenario]
    default = float(column.get(AREA, 1.0))
    return column.reindex(list(communities)).fillna(default).to_numpy(dtype=float)
