"""The one place that maps the user's date and geo columns to pymc-marketing's dimensions.

pymc-marketing calls the time dimension of everything it returns ``"date"``, whatever the
date column of the data is called (``week_start``, ``DATE``, ``time``...), and names the
geo dimension after the geo column (``dims=(geo,)``). A frame that pymc-marketing built
(posterior predictive, contributions) is turned back into the user's column names here
before it meets the user's data, so no step relies on the bundled table's names.
"""

from __future__ import annotations

from mmm_widgets.codegen import literal
from mmm_widgets.steps.validation import Roles

#: pymc-marketing's name of the time dimension.
DATE_DIM = "date"


def model_dims(roles: Roles) -> tuple[str, ...]:
    """The model's dimensions besides date and channel: ``(geo,)`` or ``()``."""
    return (roles.geo,) if roles.geo else ()


def row_keys(roles: Roles) -> list[str]:
    """The user's columns that identify a row of the mapped data: date, then geo."""
    return [roles.date, *model_dims(roles)]


def to_user_columns(roles: Roles) -> dict[str, str]:
    """pymc-marketing's dimension names -> the user's column names (only those that differ).

    Parameters
    ----------
    roles : Roles

    Returns
    -------
    dict
        ``{"date": roles.date}`` unless the date column is called ``"date"``.
    """
    return {DATE_DIM: roles.date} if roles.date != DATE_DIM else {}


def tidy_code(frame: str, roles: Roles) -> str:
    """Code turning a frame indexed by pymc-marketing's dimensions into user-named columns.

    Parameters
    ----------
    frame : str
        Code of a DataFrame whose index is pymc-marketing's dimensions (``date``, geo).
    roles : Roles

    Returns
    -------
    str
        E.g. ``"fit_frame.reset_index().rename(columns={'date': 'week_start'})"``.
    """
    rename = to_user_columns(roles)
    return f"{frame}.reset_index()" + (f".rename(columns={literal(rename)})" if rename else "")
