"""Daily rows summed into weeks, as plain pandas code for the data step's cell.

Daily data can be modelled as it is (with ``l_max`` in days) or summed into weeks first,
which is how most marketing mix models are fitted: weekly totals are less noisy, and the
model has seven times fewer periods to fit. Weeks start on Monday; spend and the target
are summed, controls averaged (a promotion on 2 of 7 days becomes 2/7); weeks that the
data covers only partly (at its start and end) are dropped, because their totals would
look like a drop in sales and spend. A whole week has as many days as the data's fullest:
seven, or five for data of weekdays only (the checks let such data through only when it
is summed into weeks and has no Saturday or Sunday at all).
"""

from __future__ import annotations

from mmm_widgets.codegen import literal
from mmm_widgets.steps.validation import Roles

#: The ``aggregate`` value of :class:`~mmm_widgets.steps.data.DataParams` that sums days.
WEEKLY = "weekly"
AGGREGATIONS = (WEEKLY,)


def weekly_lines(data: str, roles: Roles) -> list[str]:
    """Pandas code replacing the daily rows of ``data`` by complete weeks.

    Parameters
    ----------
    data : str
        Name of the mapped frame (dates parsed, amounts as floats).
    roles : Roles
        The mapped roles, with text controls already replaced by their indicators.

    Returns
    -------
    list of str
    """
    keys = [roles.date, *([roles.geo] if roles.geo else [])]
    how = {**{c: "sum" for c in roles.channels}, **{c: "mean" for c in roles.controls},
           roles.target: "sum"}
    return [
        "# Days summed into weeks starting on Monday (controls averaged); weeks with fewer "
        "days than the fullest (the first and last, if partly covered) are dropped",
        f"{data}[{literal(roles.date)}] = {data}[{literal(roles.date)}]"
        ".dt.to_period('W-SUN').dt.start_time",
        f"week_days = {data}.groupby({literal(keys)})[{literal(roles.target)}]"
        ".transform('size')",
        f"{data} = {data}[week_days == week_days.max()].groupby({literal(keys)}, as_index=False)"
        f".agg({literal(how)})",
    ]
