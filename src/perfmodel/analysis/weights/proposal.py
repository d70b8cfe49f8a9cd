"""From weights to a proposed policy: applied, rounded and written with its provenance."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from perfmodel.analysis.weights.common import round_weights
from perfmodel.core.errors import UsageError
from perfmodel.core.hashing import sha256_file

# --------------------------------------------------------------------------- to a policy

PROVENANCE_KEY = "provenance"


def dataset_files(folder: str | Path) -> list[dict]:
    """Path and SHA-256 of every table file (.csv, .parquet, .xlsx) directly in ``folder``,
    sorted by name, for a provenance record.

    Examples
    --------
    Only table files count; the digest is the file's SHA-256:

    >>> import hashlib
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "tickets.csv").write_text("ticket_id\\nT1\\n", encoding="utf-8")
    >>> _ = (folder / "notes.txt").write_text("not a table", encoding="utf-8")
    >>> files = dataset_files(folder)
    >>> [Path(f["path"]).name for f in files]
    ['tickets.csv']
    >>> files[0]["sha256"] == hashlib.sha256(b"ticket_id\\nT1\\n").hexdigest()
    True
    """
    files = sorted(f for f in Path(folder).iterdir()
                   if f.is_file() and f.suffix.lower() in (".csv", ".parquet", ".xlsx"))
    return [{"path": str(f), "sha256": sha256_file(f)} for f in files]


def apply_weights(policy, weights, *, result_weight: float | None = None,
                  version: str | None = None, note: str | None = None):
    """Return a new policy with the given indicator weights.

    Parameters
    ----------
    policy : Policy, str or path
        The base policy (file or preset).
    weights : pandas.DataFrame, mapping or list of DataFrames
        ``indicator``/``weight`` rows (the output of any method here), a mapping
        indicator -> weight, or several tables (e.g. one per dimension).
    result_weight : float, optional
        New weight of the result dimension (process gets 1 − it); default: keep the
        policy's dimension weights.
    version : str, optional
        Version of the new policy (default: the base version).
    note : str, optional
        Kept in the policy's ``note``.

    Returns
    -------
    Policy
        Validated, every weight rounded to :data:`WEIGHT_DECIMALS` places with each group
        (dimensions; indicators of one dimension) summing exactly to 1 (largest remainder,
        :func:`round_weights`). Within each dimension touched by ``weights`` the given indicators share
        what the dimension's other indicators leave (1 − their unchanged weights, i.e. all
        of it when every indicator of the dimension is given) in proportion to the new
        weights, so that the dimension's weights sum to 1.

    Raises
    ------
    UsageError
        An indicator is not in the policy, or a weight is negative.

    Examples
    --------
    In the ``efficiency`` preset the other three results keep 0.20 + 0.15 + 0.10; csat and
    the complaint resolution rate share the 0.55 left, half each:

    >>> pol = apply_weights("efficiency", {"csat": 0.5, "complaint_resolution_rate": 0.5},
    ...                     version="2026.2")
    >>> pol.version, [pol.indicators[i].weight for i in pol.weighted_indicators[:5]]
    ('2026.2', [0.275, 0.275, 0.2, 0.15, 0.1])
    """
    from perfmodel.scoring.policy import load_policy

    base = load_policy(policy)
    if isinstance(weights, Mapping):
        new = {str(k): float(v) for k, v in weights.items()}
    else:
        tables = [weights] if isinstance(weights, pd.DataFrame) else list(weights)
        new = {}
        for t in tables:
            new.update(dict(zip(t["indicator"].astype(str), t["weight"].astype(float))))
    unknown = [k for k in new if k not in base.indicators]
    if unknown:
        raise UsageError(f"indicator {unknown[0]!r} is not in policy {base.source}; weights can "
                         f"only be set for {', '.join(base.indicators)}")
    if any(not np.isfinite(v) or v < 0 for v in new.values()):
        raise UsageError("weights must be finite and ≥ 0")
    out: dict[str, float] = {}
    for dim in ("result", "process"):
        members = base.of_dimension(dim)
        given = [k for k in members if k in new]
        if not given:
            continue
        kept = sum(base.indicators[k].weight for k in members if k not in new)
        room = max(0.0, 1.0 - kept)
        total = sum(new[k] for k in given)
        if total <= 0:
            raise UsageError(f"the new weights of dimension {dim!r} are all zero")
        for k in given:
            out[k] = room * new[k] / total
    dims = None
    if result_weight is not None:
        if not 0 <= result_weight <= 1:
            raise UsageError(f"result weight {result_weight} must be between 0 and 1")
        dims = {"result": float(result_weight), "process": 1.0 - float(result_weight)}
    exact = base.with_weights(dimensions=dims, indicators=out, normalize=True)
    dims, inds = _rounded(exact)
    return base.with_weights(dimensions=dims, indicators=inds, version=version, note=note)


def _rounded(policy) -> tuple[dict, dict]:
    """The dimension weights and indicator weights of ``policy`` rounded to
    :data:`WEIGHT_DECIMALS` places by :func:`round_weights` (dimensions together, and the
    indicators of each dimension together, still sum to 1)."""
    names = list(policy.dimensions)
    dims = dict(zip(names, round_weights([policy.dimensions[d] for d in names])))
    inds = {}
    for d in names:
        members = policy.of_dimension(d)
        if members and sum(policy.indicators[k].weight for k in members) > 0:
            inds.update(zip(members, round_weights([policy.indicators[k].weight for k in members])))
        else:
            inds.update({k: policy.indicators[k].weight for k in members})
    return dims, inds


def policy_yaml(policy, provenance: Mapping | None = None) -> str:
    """YAML text of ``policy`` followed by a ``provenance:`` block.

    Returns
    -------
    str
        ``policy.to_yaml()`` then, when ``provenance`` is given, a comment line and the
        mapping under the key ``provenance`` (method, inputs with SHA-256, consistency,
        data periods). Deterministic: no wall-clock time is written.

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("quality")
    >>> text = policy_yaml(policy, {"method": "entropy",
    ...                             "inputs": [{"path": "tickets.csv", "sha256": "abc"}]})
    >>> print(text[text.index("# how"):], end="")
    # how these weights were obtained (perfmodel weights)
    provenance:
      method: entropy
      inputs:
      - path: tickets.csv
        sha256: abc
    >>> policy_yaml(policy) == policy.to_yaml()
    True
    """
    import yaml

    text = policy.to_yaml()
    if provenance:
        block = yaml.safe_dump({PROVENANCE_KEY: _plain(provenance)}, sort_keys=False,
                               allow_unicode=True, default_flow_style=False, width=100)
        text = text.rstrip("\n") + "\n# how these weights were obtained (perfmodel weights)\n" + block
    return text


def read_policy_with_provenance(path: str | Path):
    """Read a policy written by :func:`write_policy` (or any policy file or preset).

    Reads with :func:`perfmodel.scoring.policy.load_policy`, the one policy reader, and sets the
    provenance aside with :func:`perfmodel.scoring.policy.split_provenance`.

    Returns
    -------
    tuple
        ``(policy, provenance)``: the validated Policy (the ``provenance`` block set aside)
        and the provenance mapping (empty when there is none).

    Examples
    --------
    >>> policy, provenance = read_policy_with_provenance("quality")
    >>> provenance
    {}
    """
    from perfmodel.scoring.policy import load_policy, split_provenance

    return split_provenance(load_policy(path))


def write_policy(policy, path: str | Path | None, provenance: Mapping | None = None, *,
                 overwrite: bool = False) -> Path:
    """Write a policy (with its provenance) to a YAML file.

    Refuses to write into the package's shipped presets, and to replace an existing file
    unless ``overwrite``. An empty ``path`` writes ``<name>-<version>.yaml`` into a new
    temporary folder.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    The file reads back as the same policy, its provenance set aside:

    >>> import tempfile
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("quality")
    >>> path = write_policy(policy, Path(tempfile.mkdtemp()) / "policies" / "q.yaml",
    ...                     {"method": "entropy"})
    >>> again, provenance = read_policy_with_provenance(path)
    >>> provenance, again.name, again.dimensions == policy.dimensions
    ({'method': 'entropy'}, 'after-sales-supervisor-quality', True)
    >>> write_policy(policy, path)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: .../policies/q.yaml exists; choose another --out or allow overwriting (--force)
    """
    import tempfile
    from importlib import resources

    if not path:
        safe = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in f"{policy.name}-{policy.version}")
        path = Path(tempfile.mkdtemp(prefix="perfmodel-policy-")) / f"{safe}.yaml"
    path = Path(path)
    presets_dir = Path(str(resources.files("perfmodel.scoring").joinpath("policies"))).resolve()
    if path.resolve().parent == presets_dir:
        raise UsageError(f"{path}: will not overwrite a shipped preset; write the new policy "
                         f"elsewhere (e.g. reports/policies/)")
    if path.exists() and not overwrite:
        raise UsageError(f"{path} exists; choose another --out or allow overwriting (--force)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_yaml(policy, provenance), encoding="utf-8")
    return path


def _plain(obj):
    """Convert numpy scalars and tuples to plain YAML-safe Python values."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj
