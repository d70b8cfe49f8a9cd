"""The mark ``perfmodel synth`` leaves on a data folder, and the check that reads it.

A folder written by ``perfmodel synth`` holds ``SYNTHETIC.json`` (the bundled sample
carries it too). Every page of a report run on such a folder shows the banner
"Synthetic sample data" / "合成示例数据", so a run on made-up data is never taken for a
real one.
"""
from __future__ import annotations

import json
from pathlib import Path

MARKER = "SYNTHETIC.json"
GENERATOR = "perfmodel synth"


def write_marker(folder, *, seed: int, parameters: dict) -> Path:
    """Write ``SYNTHETIC.json`` into ``folder``, saying the data was made by ``perfmodel synth``.

    Returns
    -------
    pathlib.Path
        The marker file.

    Examples
    --------
    >>> import tempfile
    >>> path = write_marker(tempfile.mkdtemp(), seed=7, parameters={"supervisors": 3, "centres": {}})
    >>> path.name
    'SYNTHETIC.json'
    >>> doc = json.loads(path.read_text(encoding="utf-8"))
    >>> doc["generator"], doc["seed"], doc["parameters"]
    ('perfmodel synth', 7, {'supervisors': 3})
    """
    doc = {"generator": GENERATOR, "seed": int(seed),
           "note": "Synthetic data: no real people, tickets or results.",
           "parameters": {k: v for k, v in parameters.items() if k != "centres"}}
    path = Path(folder) / MARKER
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def is_synthetic(folder) -> bool:
    """Return True when ``folder`` holds data written by ``perfmodel synth``.

    The folder is synthetic when its ``SYNTHETIC.json`` names ``perfmodel synth`` as
    generator; a marker that cannot be read does not count.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> is_synthetic(folder)
    False
    >>> _ = write_marker(folder, seed=7, parameters={})
    >>> is_synthetic(folder)
    True
    >>> _ = (folder / "SYNTHETIC.json").write_text("{not json", encoding="utf-8")
    >>> is_synthetic(folder)
    False
    """
    path = Path(folder) / MARKER
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("generator") == GENERATOR
