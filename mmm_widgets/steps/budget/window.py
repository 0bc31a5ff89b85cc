"""The end date the budget and plan cells give pymc-marketing's optimizer for their window.

pymc-marketing extends a window by its carry-over periods after ``end_date`` as a length
of time: 7-day weeks, days, or 30-day months (``_convert_frequency_to_timedelta`` in
``pymc_marketing.mmm.utils``). On monthly data ``l_max`` months are longer than ``l_max``
times 30 days, so the carry-over would lose its last month and the optimizer, which counts
the periods it decides as the dates minus the carry-over, would plan one month fewer than
asked. The cells therefore give a date within the window's last period that the 30-day
months carry exactly to the end of the carry-over; on weekly and daily data it is the last
date of the window itself.
"""

from __future__ import annotations


def window_end_lines(axis: str, end: str) -> list[str]:
    """Code of ``end``: the ``end_date`` for a window whose periods are ``axis``.

    Parameters
    ----------
    axis : str
        Name of a ``pandas.DatetimeIndex`` in the cell: the window's dates, with their
        spacing as ``freq``.
    end : str
        Name the code gives the end date.

    Returns
    -------
    list of str
        Lines that need ``mmm`` (a fitted pymc-marketing MMM) and ``pd``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Model:
    ...     def effective_carryover_lags(self):
    ...         return 4
    >>> names = {"pd": pd, "mmm": Model(),
    ...          "months": pd.date_range("2024-01-01", periods=4, freq="MS")}
    >>> exec("\\n".join(window_end_lines("months", "end")), names)
    >>> names["end"]  # 2024-04-01 + 4 months (2024-08-01) - 4 x 30 days
    Timestamp('2024-04-03 00:00:00')
    """
    lags, carried = f"{end}_lags", f"{end}_carried"
    return [
        "# pymc-marketing counts the carry-over after end_date in 30-day months on monthly "
        "data: the",
        "# date in the last period from which they reach the end of the carry-over (on "
        "weekly and",
        "# daily data, the last date itself)",
        f"{lags} = mmm.effective_carryover_lags()",
        f"{carried} = pd.date_range({axis}[-1], periods={lags} + 1, freq={axis}.freq)[-1]",
        f"{end} = max({axis}[-1], {carried} - pd.Timedelta(days=30 * {lags}))",
    ]
