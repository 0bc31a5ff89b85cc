"""Parameters and result of the model search: :class:`SearchParams`, :class:`SearchResult`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mmm_widgets.steps.base import Params
from mmm_widgets.steps.model import ModelParams

#: What a grid may vary, in the ranked table's column order.
GRID_KEYS = ("adstock", "saturation", "l_max", "yearly_seasonality")
SCORE_COLUMNS = ("crps", "mape", "roas_spread", "elpd_loo")
RANKED_COLUMNS = (*GRID_KEYS, *SCORE_COLUMNS, "pareto", "folds_scored", "error")
#: Forecast draws at a MAP point: the one point repeated, so the forecast shows the
#: likelihood's noise and the CRPS scores a distribution, not a single noisy draw.
MAP_FORECAST_DRAWS = 200


@dataclass(frozen=True)
class Candidate(Params):
    """One specification the search fits: the model step's settings it varies.

    Parameters
    ----------
    adstock, saturation : str
        Lookup names of the carryover and diminishing-returns curves.
    l_max : int
        Longest carryover, in periods.
    yearly_seasonality : int or None
        Fourier pairs of the yearly pattern (None or 0: none).
    """

    adstock: str = "geometric"
    saturation: str = "logistic"
    l_max: int = 8
    yearly_seasonality: int | None = 2

    def model_params(self, base: ModelParams) -> ModelParams:
        """``base`` with this candidate's settings.

        Priors of a media curve the candidate replaces (``adstock_*`` when the adstock
        differs, ``saturation_*`` when the saturation does) are dropped: they belong to
        the other curve's parameters. Priors of the intercept, likelihood and controls,
        lift tests and interactions are kept.
        """
        priors = {name: prior for name, prior in base.priors.items()
                  if not (name.startswith("adstock_") and self.adstock != base.adstock)
                  and not (name.startswith("saturation_")
                           and self.saturation != base.saturation)}
        return base.replace(adstock=self.adstock, saturation=self.saturation,
                            l_max=self.l_max, yearly_seasonality=self.yearly_seasonality,
                            priors=priors)

    def describe(self) -> str:
        """One line naming the specification."""
        season = (f", yearly seasonality of order {self.yearly_seasonality}"
                  if self.yearly_seasonality else ", no yearly seasonality")
        return (f"{self.adstock} adstock over {self.l_max} periods, {self.saturation} "
                f"saturation{season}")


@dataclass(frozen=True)
class SearchParams(Params):
    """Parameters of the model search.

    Parameters
    ----------
    base : ModelParams
        The model the candidates vary (its priors, lift tests, interactions and
        time-varying baseline are every candidate's).
    candidates : tuple of Candidate
        The specifications to compare, numbered from 1 in this order.
    folds, horizon : int
        Time-slice cross-validation: ``folds`` rolling windows of ``horizon`` periods end
        the data; each candidate is refit on the periods before each window and scored on
        its forecast of it.
    method : {"map", "mcmc"}
        How each fold is fitted; ``"mcmc"`` also gives ELPD-LOO.
    draws, tune, chains : int
        NUTS settings when ``method="mcmc"``.
    random_seed : int
        Seed of every fit and forecast, so a run can be repeated exactly.
    workers : int, optional
        Processes of the local Dask cluster the kit starts when no client is given
        (default: one per CPU). Ignored with ``client=``.
    """

    base: ModelParams = field(default_factory=ModelParams)
    candidates: tuple[Candidate, ...] = ()
    folds: int = 3
    horizon: int = 13
    method: str = "map"
    draws: int = 300
    tune: int = 300
    chains: int = 2
    random_seed: int = 1
    workers: int | None = None


def default_grid(base: ModelParams, periods: int) -> dict[str, list[Any]]:
    """A dozen candidates around ``base``: 2 adstocks x 2 saturations x 3 carryover lengths.

    The lengths are half, once and one and a half times the model's ``l_max``, kept
    below half the data's ``periods`` (the model step's own limit).
    """
    longest = max(1, periods // 2 - 1)
    lengths = sorted({min(max(1, round(base.l_max * k)), longest) for k in (0.5, 1.0, 1.5)})
    return {"adstock": ["geometric", "delayed"], "saturation": ["logistic", "hill"],
            "l_max": lengths, "yearly_seasonality": [base.yearly_seasonality]}


def expand_grid(grid: Mapping[str, Sequence[Any]], base: ModelParams) -> tuple[Candidate, ...]:
    """Every combination of ``grid``'s values (scikit-learn's ``ParameterGrid``).

    Keys left out take ``base``'s value; a scalar stands for a one-value list.
    """
    from sklearn.model_selection import ParameterGrid

    full = {key: list(grid[key]) if key in grid and _is_list(grid[key])
            else [grid[key] if key in grid else getattr(base, key)] for key in GRID_KEYS}
    return tuple(Candidate(**{key: combo[key] for key in GRID_KEYS})
                 for combo in ParameterGrid(full))


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


@dataclass
class SearchResult:
    """What a search found.

    Attributes
    ----------
    ranked : pandas.DataFrame
        One row per candidate, best (lowest mean CRPS) first: :data:`RANKED_COLUMNS`
        (see :func:`mmm_widgets.steps.search.cell.ranking_lines`).
    scores : pandas.DataFrame
        One row per candidate and fold: ``candidate, fold, crps, mape, elpd_loo`` and
        ``roas:<channel>`` (ROAS with carryover of that fold's fit).
    failures : pandas.DataFrame
        ``candidate, fold, error`` of every fold that failed.
    candidates : tuple of Candidate
        The specifications, numbered from 1.
    """

    ranked: pd.DataFrame
    scores: pd.DataFrame
    failures: pd.DataFrame
    candidates: tuple[Candidate, ...]

    def candidate(self, number: int) -> Candidate:
        """Candidate ``number`` (the ranked table's index)."""
        return self.candidates[int(number) - 1]
