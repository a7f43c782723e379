"""Files offered for download as bytes, made without leaving files behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.deck import write_pptx
from sla_sim.present.pack import content


def deck_bytes(result: SimulationResult) -> bytes:
    """The slide deck of a comparison, as the bytes of a .pptx file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deck.pptx"
        write_pptx(content(result), path)
        return path.read_bytes()
