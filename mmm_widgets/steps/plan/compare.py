"""The plan comparison cell: named plans against the current spend, draw by draw.

Each plan cell leaves ``plan_scores`` (:data:`~mmm_widgets.steps.plan.params.SCORES`):
per posterior draw, what the plan adds inside its window and after it (``effect``), the
outcome predicted over the window (``outcome``), the same for the current spend continued
over that window, and both spends. The comparison cell reads them from a dictionary name
-> scores (:data:`PLANS`) and leaves its table in :data:`TABLE`. Every interval is the HDI
of a per-draw quantity; the probabilities are shares of draws.
"""

from __future__ import annotations

from mmm_widgets.codegen import CodeChunk, literal

#: The dictionary the cell reads: plan name -> that plan's ``plan_scores``.
PLANS = "plan_scores_by_name"
#: The name the cell leaves its table under.
TABLE = "plan_comparison"
#: The row of the current spend continued over the window.
CURRENT = "current"
COMPARISON_COLUMNS = ("total_spend", "effect", "effect_hdi_low", "effect_hdi_high", "roas",
                      "gain", "gain_hdi_low", "gain_hdi_high", "outcome", "outcome_hdi_low",
                      "outcome_hdi_high", "p_beats_current", "p_outcome_beats_current")
IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd")


def comparison_lines(hdi_prob: float) -> list[str]:
    """The comparison cell's statements."""
    prob = literal(float(hdi_prob))
    return [
        "# effect: what a plan adds inside the window and after it, every channel together; "
        "gain: its",
        "# effect minus the current spend's, draw by draw; outcome: the expected outcome "
        "over the window.",
        "# Every plan was planned on the same window of the same fit, so they share the "
        "current spend",
        f"plan_reference = next(iter({PLANS}.values()))",
        "plan_current_effect = plan_reference['current_effect'].to_numpy()",
        "plan_current_outcome = plan_reference['current_outcome'].to_numpy()",
        f"plan_compared = {{{literal(CURRENT)}: (float(plan_reference['current_spend']), "
        "plan_current_effect,",
        "                              plan_current_outcome)}",
        f"for plan_name, plan_score in {PLANS}.items():",
        "    plan_compared[plan_name] = (float(plan_score['spend']), "
        "plan_score['effect'].to_numpy(),",
        "                                plan_score['outcome'].to_numpy())",
        "plan_comparison_rows = []",
        "for plan_name, (plan_row_spend, plan_effect, plan_outcome) in plan_compared.items():",
        "    plan_gain = plan_effect - plan_current_effect",
        f"    plan_effect_hdi = az.hdi(plan_effect, prob={prob})",
        f"    plan_gain_hdi = az.hdi(plan_gain, prob={prob})",
        f"    plan_outcome_hdi = az.hdi(plan_outcome, prob={prob})",
        f"    plan_is_current = plan_name == {literal(CURRENT)}",
        "    plan_comparison_rows.append({",
        "        'plan': plan_name, 'total_spend': plan_row_spend,",
        "        'effect': plan_effect.mean(), 'effect_hdi_low': plan_effect_hdi[0],",
        "        'effect_hdi_high': plan_effect_hdi[1],",
        "        'roas': plan_effect.mean() / plan_row_spend if plan_row_spend else np.nan,",
        "        'gain': plan_gain.mean(), 'gain_hdi_low': plan_gain_hdi[0],",
        "        'gain_hdi_high': plan_gain_hdi[1],",
        "        'outcome': plan_outcome.mean(), 'outcome_hdi_low': plan_outcome_hdi[0],",
        "        'outcome_hdi_high': plan_outcome_hdi[1],",
        "        # Share of draws in which the plan adds more than the current spend (its "
        "window and tail),",
        "        # and in which the outcome over the window is higher",
        "        'p_beats_current': np.nan if plan_is_current else "
        "(plan_effect > plan_current_effect).mean(),",
        "        'p_outcome_beats_current': np.nan if plan_is_current else",
        "            (plan_outcome > plan_current_outcome).mean(),",
        "    })",
        f"{TABLE} = pd.DataFrame(plan_comparison_rows).set_index('plan').astype(float)",
    ]


def comparison_script(cells: dict[str, str], hdi_prob: float) -> str:
    """Each plan's cell, its ``plan_scores`` kept under its name, then the comparison cell.

    Parameters
    ----------
    cells : dict
        Plan name -> that plan's exported cell.
    hdi_prob : float
        Probability mass of the HDIs.

    Returns
    -------
    str
        Code to run after the workflow's exported script (the plan cells read ``mmm``);
        it leaves the table in :data:`TABLE`.
    """
    parts = [f"{PLANS} = {{}}"]
    for name, cell in cells.items():
        parts += [f"# ----- plan {name}", cell, f"{PLANS}[{literal(name)}] = plan_scores"]
    parts.append(comparison_chunk(hdi_prob).cell())
    return "\n".join(parts) + "\n"


def comparison_chunk(hdi_prob: float) -> CodeChunk:
    """The comparison cell, reading :data:`PLANS` and leaving :data:`TABLE`."""
    return CodeChunk(comment="Named plans against the current spend continued over the same "
                             "window, with HDIs and the probability each beats it",
                     lines=tuple(comparison_lines(hdi_prob)), imports=IMPORTS,
                     title="Plan comparison")
