"""Panel of step 2 — model: components, priors with explanations, lift tests, prior check."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from mmm_widgets.steps import components
from mmm_widgets.steps.model import default_params, media_default_priors
from mmm_widgets.views.common import (
    CodeBox,
    SharedLooks,
    message_html,
    problems_html,
    report_errors,
)
from mmm_widgets.workflow import Workflow

LIFT_FIELDS = ("channel", "x", "delta_x", "delta_y", "sigma")


class ModelView(w.VBox):
    """Choose adstock, saturation, seasonality and priors; add lift tests; check priors.

    Parameters
    ----------
    workflow : Workflow
        The workflow this panel edits (its data step must be done).
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow
        # Sent as one piece when the wizard opens the step: its widgets share layout and
        # style models (kept in ``_looks`` for the prior and lift-test rows; see
        # SharedLooks), 130 models down to 62.
        looks = self._looks = SharedLooks()
        self.message = looks(w.HTML)
        self.prior_message = looks(w.HTML)
        self.code_box = CodeBox("Model step code")
        guard = report_errors(self.message)
        self.adstock = looks(w.Dropdown, description="Adstock",
                             options=list(components.ADSTOCKS), value="geometric")
        self.saturation = looks(w.Dropdown, description="Saturation",
                                options=list(components.SATURATIONS), value="logistic")
        defaults = default_params(workflow.data_result)
        self.l_max = looks(w.BoundedIntText, description="l_max", value=defaults.l_max, min=1,
                           max=104)
        self.seasonality = looks(w.BoundedIntText, description="Yearly order", value=2, min=0,
                                 max=10)
        self.trend = looks(w.Checkbox, description="Time-varying baseline (trend)",
                           value=False)
        # daily data only: a level per day of the week (on by default for daily data)
        daily = workflow.data_result.frequency == "daily"
        self.weekdays = looks(w.Checkbox, description="Day-of-week effects",
                              value=defaults.weekday_effects)
        self.prior_box = looks(w.VBox)
        self.prior_inputs: dict[str, w.Text] = {}
        self.lift_rows = looks(w.VBox)
        self.add_lift_button = looks(w.Button, description="Add lift test", icon="plus")
        channels = workflow.data_result.roles.channels
        self.interactions = looks(
            w.SelectMultiple, description="Interactions", rows=min(5, max(2, len(channels))),
            options=[(f"{a} x {b}", (a, b)) for i, a in enumerate(channels)
                     for b in channels[i + 1:]])
        self.apply_button = looks(w.Button, description="Apply model", button_style="primary",
                                  icon="check")
        self.check_button = looks(w.Button, description="Prior check", icon="search")
        self.export_button = looks(w.Button, description="Export code", icon="code")
        self.adstock.observe(guard(self._refresh_priors), names="value")
        self.saturation.observe(guard(self._refresh_priors), names="value")
        self.add_lift_button.on_click(guard(lambda _: self.add_lift_row()))
        self.apply_button.on_click(guard(lambda _: self.apply()))
        self.check_button.on_click(guard(lambda _: self.check_priors()))
        self.export_button.on_click(guard(lambda _: self.export()))
        # Not sure which curves? The model search ranks candidates by their forecasts;
        # "Use this model" applies one here (its widgets are built on first opening).
        self.search_box = looks(w.Accordion, children=[looks(w.VBox)], selected_index=None)
        self.search_box.set_title(0, "Not sure? Compare specifications (model search on Dask)")
        self.search_box.observe(guard(self._open_search), names="selected_index")
        roles = workflow.data_result.roles
        geo = f" Geo model over {html.escape(roles.geo)!s}." if roles.geo else ""
        super().__init__([
            looks(w.HTML, f"<b>Components</b> <i>{len(roles.channels)} channels, "
                          f"{len(roles.controls)} controls.{geo}</i>"),
            looks(w.HBox, [looks(w.VBox, [self.adstock, self.l_max]),
                           looks(w.VBox, [self.saturation, self.seasonality]),
                           looks(w.VBox, [self.trend, *([self.weekdays] if daily else [])])]),
            looks(w.HTML, "<b>Priors</b> <i>(edit as e.g. Beta(alpha=2, beta=2))</i>"),
            self.prior_box,
            looks(w.HTML, "<b>Lift tests</b> <i>(experiments: spend x, change delta_x, "
                          "measured change delta_y, its standard error sigma; per "
                          "period)</i>"),
            self.lift_rows, self.add_lift_button,
            looks(w.HTML, "<b>Channel interactions</b> <i>(optional: does a pair work better "
                          "together, synergy, or take from each other, cannibalization? Each "
                          "pair adds one regressor, the product of the two spends; ctrl-click "
                          "to pick several)</i>"),
            self.interactions,
            looks(w.HBox, [self.apply_button, self.check_button, self.export_button]),
            self.message, self.prior_message, self.search_box, self.code_box,
        ])
        self._load_state()

    def _open_search(self, change: dict) -> None:
        if change["new"] is None or self.search_box.children[0].children:
            return
        from mmm_widgets.views.search import SearchPanel

        self.search_box.children[0].children = [SearchPanel(self.workflow,
                                                            on_used=self._load_state)]

    def _load_state(self) -> None:
        if self.workflow.status("model") in ("done", "stale"):
            params = self.workflow.step("model").params
            with self.hold_sync():
                self.adstock.value, self.saturation.value = params.adstock, params.saturation
                self.l_max.value = params.l_max
                self.seasonality.value = params.yearly_seasonality or 0
                self.trend.value = params.time_varying_intercept
                self.weekdays.value = params.weekday_effects
                chosen = {frozenset(pair) for pair in params.interactions}
                self.interactions.value = tuple(
                    pair for _, pair in self.interactions.options if frozenset(pair) in chosen)
            self._refresh_priors()
            for name, prior in params.priors.items():
                if name in self.prior_inputs:
                    self.prior_inputs[name].value = components.prior_text(prior)
            for test in params.lift_tests:
                self.add_lift_row(test.to_dict())
        else:
            self._refresh_priors()

    def _refresh_priors(self, _change: Any = None) -> None:
        defaults = media_default_priors(self.workflow.data_result, self.adstock.value,
                                        self.saturation.value)
        defaults.update(components.model_config_defaults())
        periodic = components.default_priors(self.adstock.value, self.saturation.value)
        rows = []
        old_defaults = getattr(self, "_defaults", {})
        old = {k: v.value for k, v in self.prior_inputs.items()
               if k in old_defaults and v.value != components.prior_text(old_defaults[k])}
        self.prior_inputs = {}
        self._defaults = defaults
        looks = self._looks
        for name, prior in defaults.items():
            default_text = components.prior_text(prior)
            field = looks(w.Text, value=old.get(name, default_text), description=name,
                          style={"description_width": "130px"}, width="420px")
            self.prior_inputs[name] = field
            explanation = components.EXPLANATIONS.get(name, "")
            said = default_text
            if name in periodic and periodic[name] != prior:  # daily data: restated per day
                said += (f", pymc-marketing's {components.prior_text(periodic[name])} per week "
                         "restated per day")
            rows.append(looks(w.HBox, [field, looks(
                w.HTML, f"<small>{html.escape(explanation)} "
                        f"<i>Default {html.escape(said)}</i></small>")]))
        self.prior_box.children = rows

    def add_lift_row(self, values: dict[str, Any] | None = None) -> None:
        """Add an editable row to the lift-test table."""
        values = values or {}
        roles = self.workflow.data_result.roles
        looks = self._looks
        channel = looks(w.Dropdown, options=list(roles.channels),
                        value=values.get("channel", roles.channels[0]), width="140px")
        numbers = [looks(w.FloatText, value=float(values.get(f, 0.0)), description=f,
                         style={"description_width": "55px"}, width="160px")
                   for f in LIFT_FIELDS[1:]]
        geo = looks(w.Dropdown, options=sorted(self.workflow.data[roles.geo].unique()),
                    width="120px") if roles.geo else None
        if geo is not None and values.get("geo"):
            geo.value = values["geo"]
        remove = looks(w.Button, icon="trash", width="40px")
        row = looks(w.HBox, [channel, *numbers, *([geo] if geo else []), remove])
        remove.on_click(lambda _: self._remove_row(row))
        self.lift_rows.children = [*self.lift_rows.children, row]

    def _remove_row(self, row: w.HBox) -> None:
        self.lift_rows.children = [r for r in self.lift_rows.children if r is not row]

    def lift_tests(self) -> list[dict[str, Any]]:
        """The lift tests as entered."""
        tests = []
        geo = self.workflow.data_result.roles.geo
        for row in self.lift_rows.children:
            channel, *rest = row.children
            numbers = rest[:4]
            test = {"channel": channel.value, **{f: n.value for f, n in
                                                 zip(LIFT_FIELDS[1:], numbers, strict=True)}}
            if geo:
                test[geo] = rest[4].value
            tests.append(test)
        return tests

    def priors(self) -> dict[str, Any]:
        """The priors the user changed from their defaults, as data."""
        changed = {}
        for name, field in self.prior_inputs.items():
            default = self._defaults[name]
            if field.value.strip() == components.prior_text(default):
                continue
            parsed = components.parse_prior_text(field.value, name)
            if default.get("dims"):
                parsed["dims"] = default["dims"]
            changed[name] = parsed
        return changed

    def apply(self) -> Any:
        """Configure the model from the entered settings."""
        try:
            mmm = self.workflow.configure_model(
                adstock=self.adstock.value, saturation=self.saturation.value,
                l_max=int(self.l_max.value), yearly_seasonality=int(self.seasonality.value),
                priors=self.priors(), lift_tests=self.lift_tests() or None,
                time_varying_intercept=self.trend.value,
                interactions=list(self.interactions.value),
                weekday_effects=self.weekdays.value)
        except Exception as error:  # shown in the panel; entries are kept
            self.message.value = problems_html(error)
            return None
        self.message.value = message_html(
            "ok", f"<b>Model ready.</b> {html.escape(self.workflow.step('model').describe())}")
        return mmm

    def check_priors(self) -> Any:
        """Run the prior predictive check and show its verdict."""
        if self.workflow.status("model") != "done":
            self.apply()
        check = self.workflow.prior_check()
        self.prior_message.value = message_html(check.verdict, html.escape(check.message))
        return check

    def export(self) -> str:
        """Show the model step's code."""
        code = self.workflow.step_code("model")
        self.code_box.export(code, key="model")
        return code
