"""Tables named in German, French, Spanish, Italian, Dutch or Portuguese (the languages
whose month names the dates are read in) get their roles suggested as English ones do:
sales by their word, spend by its word (accents or none), holidays and prices as
controls, impressions and clicks as no spend. Generated tables, renamed."""

from __future__ import annotations

import pytest

import mmm_widgets as mw
from mmm_widgets.steps.names import not_spend_kind
from tests.conformance.tables import CHANNELS, spec, table

#: Per language: the target, a channel's spend, its clicks, the 0/1 holiday, the price.
LANGUAGES = {
    "de": ("Umsatz (EUR)", "{} Kosten", "{} Klicks", "Feiertag", "Preisindex"),
    "de, expenses": ("Erlöse", "Werbeausgaben {}", "{} Klicks", "Feiertag", "Preis"),
    "fr": ("Chiffre d'affaires", "Dépenses {}", "Clics {}", "Jour férié", "Prix moyen"),
    "fr, no accents": ("Ventes", "Depenses {}", "Clics {}", "Jour ferie", "Prix"),
    "es": ("Ventas", "Inversión {}", "Clics {}", "Festivo", "Precio"),
    "es, gasto": ("Ingresos", "Gasto {}", "Clics {}", "Feriado", "Precio medio"),
    "it": ("Fatturato", "Spesa {}", "Clic {}", "Festivo", "Prezzo"),
    "nl": ("Omzet", "{} uitgaven", "{} kliks", "Feestdag", "Prijs"),
    "pt": ("Receita", "Investimento {}", "Cliques {}", "Feriado", "Preço"),
    "pt, custo": ("Vendas", "Custo {}", "Cliques {}", "Feriado", "Preço médio"),
}
SEEDS = (0, 9, 26, 44)


def _renamed(seed: int, language: str) -> tuple:
    """A generated table renamed into ``language``, and its roles so named."""
    variation = spec(seed)
    frame = table(variation)
    roles = variation.roles
    target, spend, clicks, holiday, price = LANGUAGES[language]
    names = {roles["target"]: target}
    for i, channel in enumerate(roles["channels"]):
        names[channel] = spend.format(CHANNELS[i].upper() if i < 2 else CHANNELS[i].title())
    frame = frame.rename(columns=names)
    frame[clicks.format("TV")] = (frame[names[roles["channels"][0]]] * 3).round()
    controls = []
    for control in roles["controls"]:
        if control in ("holiday", "promo_flag"):
            frame = frame.rename(columns={control: holiday})
            controls.append(holiday)
        elif control == "price_index":
            frame = frame.rename(columns={control: price})
            controls.append(price)
        else:
            controls.append(control)
    channels = [names[c] for c in roles["channels"]]
    return frame, {**roles, "target": target, "channels": channels, "controls": controls}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_roles_are_suggested_in_each_language(language, seed):
    frame, roles = _renamed(seed, language)
    suggested = mw.Workflow(frame, name="raw").suggest_mapping()
    assert suggested["target"] == roles["target"]
    assert sorted(suggested["channels"]) == sorted(roles["channels"])
    assert sorted(suggested["controls"]) == sorted(roles["controls"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_clicks_are_named_as_no_spend_in_each_language(language):
    assert not_spend_kind(LANGUAGES[language][2].format("TV")) == "clicks"


def test_words_that_only_contain_a_spend_word_are_not_spend():
    # "custom", "gastronomy", "scout" hold "custo", "gasto", "cout"
    frame, roles = _renamed(0, "pt")
    frame["custom_audience_size"] = frame[roles["channels"][0]] * 7
    frame["gastronomy_index"] = frame[roles["channels"][0]] / 9
    frame["scout_visits"] = frame[roles["channels"][0]] / 5
    suggested = mw.Workflow(frame, name="raw").suggest_mapping()
    assert sorted(suggested["channels"]) == sorted(roles["channels"])


@pytest.mark.fit
def test_accented_names_are_fitted_planned_reported_and_replayed(tmp_path):
    # French names with accents (a price index and a promotion flag as controls): the
    # model's coordinates, the plan, the report and the exported script keep them
    from tests.conftest import run_fresh

    frame, roles = _renamed(26, "fr")
    assert "Prix moyen" in roles["controls"]
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    wf.configure_model(l_max=4, yearly_seasonality=2)
    wf.fit("map")
    summary = wf.channel_summary()
    assert sorted(summary.index) == sorted(roles["channels"])
    spend = float(wf.data[roles["channels"]].tail(13).sum().sum())
    plan = wf.optimize_budget(total=spend, periods=13)
    assert sorted(set(plan.index) - {"total"}) == sorted(roles["channels"])
    report = wf.report(tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Dépenses TV" in report
    summary.to_pickle(tmp_path / "summary.pkl")
    frame.to_pickle(tmp_path / "raw.pkl")  # the table given, as given
    script = "import pandas as pd\nraw = pd.read_pickle('raw.pkl')\n" + wf.to_script()
    run_fresh(script + "\npd.testing.assert_frame_equal(channel_summary, "
                       "pd.read_pickle('summary.pkl'), rtol=1e-6)\n", tmp_path)
