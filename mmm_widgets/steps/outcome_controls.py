"""Controls that are outcomes of the same sales: they move with the target, or against it.

Orders beside revenue, web sessions, the discounts and returns a shop export writes as
negative amounts of the same sales: each moves with the target (or mirrors it) from
period to period. Mapped as a control, such a column explains the target by itself, and
the channels, whose effect runs through it, are credited wrongly (on two generated weekly
tables whose search returns 3.0 and social 2.0, a discount of a fixed 5.75 % of gross
sales, written negative, made them read 6.8 and 5.3 on one, 0.0 and 0.0 on the other;
left out, 3.2 and 2.1, 3.3 and 2.2; MAP fits). Changes, not
levels, are compared, per geo in date order: a trend or a season shares the target's
level, an outcome its every move. :func:`outcome_controls` finds them for the data step's
note and the roles suggestion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.steps.names import named_like_outcome

#: Correlation of a control's changes with the target's (either sign) from which it is
#: named as an outcome: any control, and one named like an outcome (orders, sessions).
OUTCOME_CORRELATION = 0.9
OUTCOME_NAMED_CORRELATION = 0.5


def outcome_controls(data: pd.DataFrame, target: str, controls: list[str], date: str,
                     geo: str | None = None, dates: pd.Series | None = None
                     ) -> dict[str, float]:
    """The controls whose changes correlate with the target's past the bar.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows of dates (and geos) holding the target and the controls as numbers.
    target : str
        The target column.
    controls : list of str
        The controls to look at; a 0/1 column marks an event (a promotion, a holiday), a
        cause whatever its moves, and is not looked at.
    date : str
        The date column, by which the rows are put in order.
    geo : str, optional
        The geo column: changes are taken within each geo.
    dates : pandas.Series, optional
        The rows' dates parsed, when the date column holds text.

    Returns
    -------
    dict
        ``{control: correlation of its changes with the target's}`` for those past
        :data:`OUTCOME_CORRELATION` (:data:`OUTCOME_NAMED_CORRELATION` for a control
        named like an outcome) in size, in the order of ``controls``.

    Examples
    --------
    >>> table = pd.DataFrame({"week": range(6), "revenue": [10.0, 14, 9, 15, 12, 18],
    ...                       "discounts": [-0.6, -0.8, -0.5, -0.9, -0.7, -1.1]})
    >>> round(outcome_controls(table, "revenue", ["discounts"], "week")["discounts"], 3)
    -0.995
    """
    looked = [c for c in controls if c in data.columns
              and not pd.to_numeric(data[c], errors="coerce").dropna().isin([0, 1]).all()]
    if not looked:
        return {}
    columns = [target, *looked]
    values = data[columns].apply(pd.to_numeric, errors="coerce")
    order = (dates if dates is not None else data[date]).to_numpy()
    keys = {"__order": order, **({"__geo": data[geo].to_numpy()} if geo else {})}
    values = values.assign(**keys).sort_values([*(["__geo"] if geo else []), "__order"],
                                               kind="stable")
    changes = (values.groupby("__geo", sort=False)[columns].diff() if geo
               else values[columns].diff()).dropna()
    found = {}
    for control in looked:
        with np.errstate(invalid="ignore", divide="ignore"):
            r = float(np.corrcoef(changes[target], changes[control])[0, 1])
        least = (OUTCOME_NAMED_CORRELATION if named_like_outcome(control)
                 else OUTCOME_CORRELATION)
        if np.isfinite(r) and abs(r) >= least:
            found[control] = r
    return found
