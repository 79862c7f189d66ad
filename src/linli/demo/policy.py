"""The demo city's own policy pack: its measures adopt Beijing's rules (``packs/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

DEMO_POLICY = "qinglan-2026"
_PACK = Path(__file__).parent / "packs" / f"{DEMO_POLICY}.toml"


def install_demo_pack(data_dir: Path) -> Path:
    """Copy the demo city's pack into ``data_dir/policy``, where a city keeps its own packs."""
    target = Path(data_dir) / "policy" / _PACK.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_PACK, target)
    return target
