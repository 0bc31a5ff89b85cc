"""The panels' activity signal: background work waits until the panels are quiet."""

from __future__ import annotations

import threading

import ipywidgets as w

import mmm_widgets as mw
from mmm_widgets.views import activity
from mmm_widgets.views.common import report_errors
from tests.conftest import callback_running


def test_callbacks_and_step_changes_count_as_busy(weekly):
    seen = []
    message = w.HTML()
    guarded = report_errors(message)(lambda: seen.append(activity.quiet_for()))
    guarded()
    assert seen == [0.0]
    assert activity.quiet_for() > 0.0
    # An exception ends the busy spell too, and is shown.
    report_errors(message)(lambda: 1 / 0)()
    assert "ZeroDivisionError" in message.value and activity.quiet_for() > 0.0

    wizard = mw.Wizard(weekly, save_to=None)
    shown = wizard.show
    wizard.show = lambda kind: (seen.append(activity.quiet_for()), shown(kind))
    wizard.stepper.value = "model"
    assert seen[-1] == 0.0


def test_waiting_for_quiet_waits_while_a_callback_runs():
    returned = []
    with callback_running():
        # While a callback runs there is no quiet: the timeout ends the wait.
        assert activity.wait_until_quiet(quiet=0.01, timeout=0.05) is False
        waiter = threading.Thread(
            target=lambda: returned.append(activity.wait_until_quiet(quiet=0.01, timeout=60)))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive() and returned == []
    waiter.join(60)
    assert returned == [True]


def test_a_set_unless_event_ends_the_wait_while_a_callback_runs():
    needed = threading.Event()
    with callback_running():
        assert activity.wait_until_quiet(quiet=0.01, timeout=0.05, unless=needed) is False
        needed.set()
        assert activity.wait_until_quiet(quiet=0.01, timeout=600, unless=needed) is True
