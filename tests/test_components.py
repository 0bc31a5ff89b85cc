"""Default priors shipped with the kit vs the installed pymc-marketing's own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mmm_widgets as mw
from mmm_widgets.steps import components


def test_shipped_defaults_match_installed_pymc_marketing():
    """Fails after a pymc-marketing upgrade until write_shipped_defaults() is run."""
    shipped = json.loads(components.DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert shipped == components.live_defaults()


def test_model_panel_defaults_need_no_pymc_marketing_import():
    code = ("import sys\nfrom mmm_widgets.steps import components as c\n"
            "priors = c.default_priors('GeometricAdstock', 'hill')\n"
            "config = c.model_config_defaults()\n"
            "print(sorted(priors), sorted(config), 'pymc_marketing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")[0]
    assert out == ("['adstock_alpha', 'saturation_beta', 'saturation_kappa', "
                   "'saturation_slope'] ['gamma_control', 'gamma_fourier', 'intercept', "
                   "'likelihood'] False")


def test_other_pymc_marketing_version_reads_live_defaults(monkeypatch):
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.0")
    components._shipped_defaults.cache_clear()
    try:
        assert components._shipped_defaults() is None
        priors = components.default_priors("delayed", "tanh")
        live = components.live_defaults()
        assert priors == (
            {f"adstock_{name}": prior for name, prior in live["adstock"]["delayed"].items()}
            | {f"saturation_{name}": prior for name, prior in live["saturation"]["tanh"].items()})
        assert set(priors) == {"adstock_alpha", "adstock_theta", "saturation_b", "saturation_c"}
    finally:
        components._shipped_defaults.cache_clear()


def test_unknown_component_is_a_model_error():
    with pytest.raises(mw.ModelError, match="Unknown adstock 'exponential'"):
        components.default_priors("exponential", "logistic")
