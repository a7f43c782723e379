"""The event logs of the bundled scenarios and the validation set-ups, event for event as recorded
(tests/data/event_digests.json): a change that is not meant to change the model changes none."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import event_digests


@pytest.mark.slow
def test_every_event_log_is_as_recorded() -> None:
    recorded = json.loads(event_digests.RECORD.read_text())
    now = event_digests.digests()
    assert now.keys() == recorded.keys()
    changed = {k: (recorded[k], now[k]) for k in now if now[k] != recorded[k]}
    assert not changed, changed
