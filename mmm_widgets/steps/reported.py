"""What an ad platform reports its ads brought, mapped as if it were spend or the outcome.

Ad platforms export their own count of the conversions (purchases, revenue) they credit
their ads with, beside the spend: "Facebook Conversions", "Google Ads Conv. value". Such a
column is an outcome of its channel, and only the part of the business's outcome the
platform claims (platforms count views as well as clicks, and each claims the same
sale). Mapped as a channel it is read as money spent and takes its channel's credit: on
three generated weekly tables (TV returns 2.0, Facebook and Google 3.0 per unit spent;
each platform's conversions are its spend over a cost per conversion, within 15 %, plus
a tenth of all orders, as view-through credit does), MAP fits read Facebook's spend at
1.86 to 2.48, and the two conversion columns at 5.2 to 30.6 "per unit spent"; without
them, 3.07 to 3.27. Mapped as a control it takes its channel's effect the same way;
mapped as the target, every channel is read against one platform's claim.
:func:`reported_outcome_finding` names each, with the channel's spend to map instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmm_widgets.steps.names import named_like_outcome, not_spend_kind, reported_outcomes, spend_of
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles


def reported_outcome_finding(roles: Roles, columns: Sequence[str]) -> list[Finding]:
    """Notes on the channels, controls and target that hold what a platform reports its
    ads brought (:func:`mmm_widgets.steps.names.reported_outcomes`).

    Parameters
    ----------
    roles : Roles
        The mapping.
    columns : sequence of str
        The raw table's columns, where the channel's spend (or the business's own
        outcome) to map instead is looked for.

    Returns
    -------
    list of Finding
        Kind ``"reported_outcome"``: one per channel or control, one for the target.

    Examples
    --------
    >>> roles = Roles(date="week", target="revenue",
    ...               channels=("Facebook Spend", "Facebook Conversions"))
    >>> [f.columns for f in reported_outcome_finding(roles, ["week", *roles.channels])]
    [('Facebook Conversions',)]
    """
    reported = reported_outcomes([*roles.channels, *roles.controls, roles.target])
    findings = []
    for column in (*roles.channels, *roles.controls):
        if column not in reported:
            continue
        spend = spend_of(reported[column], columns)
        if column in roles.channels:
            role = ("As a channel it moves with the sales it counts and takes the channel's "
                    "credit, and a budget would plan it as money.")
        else:
            role = ("As a control it moves with the sales it counts and takes the credit of "
                    "the channel that brought them.")
        instead = ("" if spend in roles.channels else
                   f" Map {spend!r} as the channel instead." if spend is not None else
                   " Map the channel's spend instead, if the table has it.")
        findings.append(Finding(
            "reported_outcome",
            f"{column!r} is named like the outcome an ad platform credits to its own ads "
            f"({reported[column]}), not money spent on them: an outcome of the channel, not "
            f"a cause of sales. {role} Leave it out.{instead}", (column,)))
    if roles.target in reported:
        claimed = reported_outcomes(columns)
        own = [c for c in _outcomes_named(columns) if c not in claimed and c != roles.target]
        instead = (f" ({', '.join(map(repr, own))} in the table may be it)" if own else "")
        findings.append(Finding(
            "reported_outcome",
            f"The target {roles.target!r} is named like the outcome an ad platform credits "
            f"to its own ads ({reported[roles.target]}): only the part of the business's "
            "outcome that platform claims, so every channel would be read against its "
            "claim. Map the business's own sales or conversions (from the shop, the CRM or "
            f"web analytics) as the target{instead}.", (roles.target,)))
    return findings


def _outcomes_named(columns: Sequence[str]) -> list[str]:
    """The columns named like an outcome and nothing else (no channel, no spend)."""
    return [c for c in columns if isinstance(c, str) and named_like_outcome(c)
            and not_spend_kind(c) is None]
