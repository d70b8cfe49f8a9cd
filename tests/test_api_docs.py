"""docs/api.md lists the public API as the sources define it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_api_listing_is_current():
    res = subprocess.run([sys.executable, str(ROOT / "docs" / "make_api.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in ("perfmodel.data.loader", "perfmodel.scoring.scores", "perfmodel.analysis.stats.regression",
                 "`load_dataset(", "`score(", "`panel_regression("):
        assert name in text
