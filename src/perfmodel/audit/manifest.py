"""Run manifests and their verification: what went into a report run and what came out.

A run folder ``reports/<period>/<run_id>/`` holds the outputs of one ``perfmodel report``
run and, written last, ``manifest.json``: the SHA-256 of every input file, the full policy
text and its hash, package and library versions, the parameters, the seed, the engine and
the SHA-256 of every output. A run folder without a manifest is incomplete.

The manifest is then sealed in the ledger of the reports folder (:mod:`perfmodel.audit.ledger`).

:func:`verify_run` checks the manifest against its ledger entry, re-reads the inputs the
manifest names, recomputes the indicator and score tables with the policy text the
manifest records, compares every hash, and compares the published workbook and pages
with the recomputed tables (:mod:`perfmodel.audit.published`).
"""
from __future__ import annotations

import io
import json
import platform
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from perfmodel.core.atomic import write_atomic
from perfmodel.core.errors import CheckFailed, DataError, PerfmodelError, UsageError
from perfmodel.core.hashing import sha256_file, sha256_text

MANIFEST = "manifest.json"
FAILED = "FAILED"
MANIFEST_VERSION = 1
INDICATORS_CSV = "indicators.csv"
SCORES_CSV = "scores.csv"
# Outputs that verify recomputes from the inputs (the others are checked against their hash).
RECOMPUTED = (INDICATORS_CSV, SCORES_CSV)
WORKBOOK = "scores.xlsx"
POLICY_FILE = "policy.yaml"
ADJUSTMENTS_FILE = "adjustments.csv"  # the review meeting's file, copied byte for byte into the run folder
# Notebooks whose pages show the run's own scores (verify compares their score tables).
SCORE_PAGES = ("quarterly", "feedback")
LIBRARIES = ("perfmodel", "pandas", "numpy", "pyarrow", "duckdb", "ibis-framework", "sqlglot",
             "pyspark", "statsmodels", "scipy", "pandera", "matplotlib", "seaborn",
             "papermill", "nbconvert", "nbformat", "ipykernel", "xlsxwriter", "openpyxl", "mplfonts")


# --------------------------------------------------------------------------- hashing

# sha256_file and sha256_text come from perfmodel.core.hashing (imported above)


def input_files(data_dir) -> list[Path]:
    """Return the files of a dataset folder that a run depends on, sorted by name.

    Every regular, non-hidden file at the top of the folder counts (tables in any
    supported format, and anything beside them such as ``ground_truth.json``).

    Examples
    --------
    Hidden files (an editor's lock file) are not inputs:

    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "tickets.csv").write_text("ticket_id,supervisor_id,created_at\\n", encoding="utf-8")
    >>> _ = (folder / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> _ = (folder / ".~lock.tickets.csv#").write_text("x", encoding="utf-8")
    >>> [p.name for p in input_files(folder)]
    ['supervisors.csv', 'tickets.csv']
    """
    folder = Path(data_dir)
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))),
                  key=lambda p: p.name)


def hash_inputs(data_dir) -> list[dict]:
    """Hash every input file of a dataset folder.

    Returns
    -------
    list of dict
        One per file, sorted by name: ``path`` (relative to ``data_dir``), ``sha256``, ``bytes``.
        For a database (a DuckDB file or a PostgreSQL URL, see :mod:`perfmodel.data.dbsource`)
        one per table: ``path`` (``table:<name>``), ``rows``, ``digest`` (order-independent
        digest of the rows read) and ``sha256`` (of the name, row count and digest).

    Examples
    --------
    >>> import hashlib
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> hash_inputs(folder)
    [{'path': 'supervisors.csv', 'sha256': '1f7e120912394ff5ba475e809a78ff9892c7bd0c4cfe28d8f2ddc08b7f2a0e89', 'bytes': 29}]
    >>> hashlib.sha256("supervisor_id,name\\nS1,王芳\\n".encode("utf-8")).hexdigest()
    '1f7e120912394ff5ba475e809a78ff9892c7bd0c4cfe28d8f2ddc08b7f2a0e89'
    """
    from perfmodel.data.dbsource import as_database, describe_tables

    db = as_database(data_dir)
    if db is not None:
        from perfmodel.data.schema import TABLES
        from perfmodel.data.workcalendar import CALENDAR_TABLE

        return describe_tables(db, [*TABLES, CALENDAR_TABLE])
    return [{"path": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in input_files(data_dir)]


def hash_outputs(run_dir, exclude=(MANIFEST, FAILED)) -> list[dict]:
    """Hash every file under a run folder (recursively), except the manifest itself.

    Hidden files and everything under a hidden folder (such as the run's ``.cache``) are
    not outputs.

    Returns
    -------
    list of dict
        One per file, sorted by relative POSIX path: ``path``, ``sha256``, ``bytes``.

    Examples
    --------
    The manifest and the hidden working cache are not outputs:

    >>> run = Path(tempfile.mkdtemp())
    >>> _ = (run / "scores.csv").write_text("supervisor_id,score\\nS1,88\\n", encoding="utf-8")
    >>> (run / "feedback").mkdir()
    >>> _ = (run / "feedback" / "S1.html").write_text("<html></html>", encoding="utf-8")
    >>> (run / ".cache").mkdir()
    >>> _ = (run / ".cache" / "panel.parquet").write_bytes(b"...")
    >>> _ = (run / MANIFEST).write_text("{}", encoding="utf-8")
    >>> [(o["path"], o["bytes"]) for o in hash_outputs(run)]
    [('feedback/S1.html', 13), ('scores.csv', 26)]
    """
    root = Path(run_dir)
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        hidden = any(part.startswith(".") for part in p.relative_to(root).parts)
        if not p.is_file() or rel in exclude or hidden or ".ipynb_checkpoints" in rel:
            continue
        out.append({"path": rel, "sha256": sha256_file(p), "bytes": p.stat().st_size})
    return out


# --------------------------------------------------------------------------- policy text

def policy_text(spec) -> tuple[str, str]:
    """Return the YAML text of a policy file or preset, and where it came from.

    Parameters
    ----------
    spec : str or path
        A path to a policy YAML file, or the name of a preset shipped with the package
        (``efficiency``, ``quality``).

    Returns
    -------
    (str, str)
        The text, and its source (the file path, or ``preset <name>``).

    Raises
    ------
    PolicyError
        When ``spec`` is neither an existing file nor a preset.

    Examples
    --------
    >>> text, source = policy_text("efficiency")
    >>> source, policy_identity(text)
    ('preset efficiency', {'name': 'after-sales-supervisor-efficiency', 'version': '2026.1'})
    """
    from perfmodel.scoring.policy import read_policy_text

    return read_policy_text(spec)


def policy_identity(text: str) -> dict:
    """Return the ``name`` and ``version`` declared in a policy's YAML text (None when absent).

    Examples
    --------
    >>> policy_identity('name: 东区试行\\nversion: 2026.2\\nperiod: quarter\\n')
    {'name': '东区试行', 'version': '2026.2'}
    >>> policy_identity("not: [valid")
    {'name': None, 'version': None}
    """
    from perfmodel.core.errors import PolicyError
    from perfmodel.scoring.policy import parse_policy_yaml

    try:  # the policies' own YAML reader: an alias bomb or a huge text is refused, not expanded
        doc = parse_policy_yaml(text, "manifest policy") or {}
    except PolicyError:
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    version = doc.get("version")
    return {"name": doc.get("name"), "version": None if version is None else str(version)}


def load_policy_text(text: str, source: str = "manifest policy"):
    """Load and validate a :class:`perfmodel.scoring.policy.Policy` from its YAML text.

    Examples
    --------
    >>> text, _ = policy_text("quality")
    >>> policy = load_policy_text(text)
    >>> policy.name, policy.dimensions
    ('after-sales-supervisor-quality', {'result': 0.55, 'process': 0.45})
    """
    from perfmodel.scoring.policy import policy_from_text

    return policy_from_text(text, source=source)


# --------------------------------------------------------------------------- data outputs

def compute_tables(data, policy, period: str, engine: str = "duckdb", adjustments=None) -> dict[str, pd.DataFrame]:
    """Compute the data outputs of a report run for one period.

    This one function is used both by the report runner and by :func:`verify_run`, so a
    verification recomputes exactly what the run wrote; both go through
    :func:`perfmodel.pipeline.run_pipeline`. The indicators are computed for every period of
    the data up to ``period`` (the report's trends need them); the outputs keep ``period``.

    Parameters
    ----------
    data : Dataset or path
        The dataset (or its folder).
    policy : Policy
        The scoring policy.
    period : str
        The period id.
    engine : {"duckdb", "spark"}
        The indicator engine.
    adjustments : path or Adjustments, optional
        The review meeting's adjustments, applied after scoring and quotas (the scores then
        carry ``rating_computed`` beside the final ``rating`` and the adjustment columns).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``indicators``: the long indicator table of the period (supervisor_id, period,
        indicator, value, numerator, denominator, available), sorted by supervisor and
        indicator; ``scores``: the scores of the period (supervisor_id, period, score,
        result_score, process_score, rating, missing, score_<indicator>...), sorted by
        supervisor; ``panel``: the long indicator table of every period up to ``period``.

    Examples
    --------
    The indicators and scores of a tiny synthetic company for 2026Q3 (about three seconds:
    the whole pipeline runs):

    >>> from perfmodel.data.synth import generate
    >>> from perfmodel.scoring.policy import load_policy
    >>> data = Path(tempfile.mkdtemp()) / "data"
    >>> _ = generate(data, seed=7, supervisors=2, start="2026Q3", end="2026Q3", tickets=20)
    >>> tables = compute_tables(data, load_policy("efficiency"), "2026Q3")
    >>> sorted(tables)
    ['indicators', 'panel', 'scores']
    >>> tables["scores"][["supervisor_id", "period", "score", "rating"]]
      supervisor_id  period      score rating
    0          S001  2026Q3  87.754773      A
    1          S002  2026Q3  75.561778      B
    >>> list(tables["indicators"].columns)
    ['supervisor_id', 'period', 'indicator', 'value', 'numerator', 'denominator', 'available']
    """
    from perfmodel.pipeline import run_pipeline

    res = run_pipeline(data, policy, period=period, history=True, engine=engine, adjustments=adjustments)
    return {"indicators": res.indicators_of(), "scores": res.scores_of(), "panel": res.panel}


def write_tables(tables: dict[str, pd.DataFrame], folder) -> dict[str, Path]:
    """Write the data outputs as deterministic CSV files with :func:`perfmodel.data.exports.write_table`.

    Returns
    -------
    dict of str to pathlib.Path
        ``indicators`` -> ``indicators.csv``, ``scores`` -> ``scores.csv`` in ``folder``.

    Examples
    --------
    >>> tables = {"indicators": pd.DataFrame({"supervisor_id": ["S2", "S1"], "indicator": ["csat", "csat"],
    ...                                       "value": [4.1, 4.5]}),
    ...           "scores": pd.DataFrame({"supervisor_id": ["S2", "S1"], "score": [71.5, 88.0]})}
    >>> paths = write_tables(tables, tempfile.mkdtemp())
    >>> paths["scores"].name, paths["indicators"].name
    ('scores.csv', 'indicators.csv')
    >>> print(paths["scores"].read_text(encoding="utf-8-sig"), end="")
    supervisor_id,score
    S1,88
    S2,71.5
    """
    from perfmodel.data.exports import write_table

    paths = {"indicators": Path(folder) / INDICATORS_CSV, "scores": Path(folder) / SCORES_CSV}
    for key, path in paths.items():
        write_table(tables[key], path)
    return paths


def pseudonymize_tables(tables: dict[str, pd.DataFrame], salt: str) -> dict[str, pd.DataFrame]:
    """Replace supervisor ids (and names) in the data outputs by pseudonyms.

    Used by the report runner with ``--pseudonymize`` and by :func:`verify_run` for such
    a run, so both write the same bytes.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``tables`` with ``indicators`` and ``scores`` passed through
        :func:`perfmodel.data.privacy.pseudonymize` (same columns and row order); other
        entries (the ``panel`` the notebooks read) are unchanged.

    Examples
    --------
    >>> tables = {"scores": pd.DataFrame({"supervisor_id": ["S1"], "score": [88.0]}),
    ...           "indicators": pd.DataFrame({"supervisor_id": ["S1"], "value": [4.5]}),
    ...           "panel": pd.DataFrame({"supervisor_id": ["S1"]})}
    >>> out = pseudonymize_tables(tables, "a-secret-of-16-chars")
    >>> out["scores"]
        supervisor_id  score
    0  P-aba09b5c7909   88.0
    >>> out["panel"]["supervisor_id"].tolist()  # what the notebooks read is left as it is
    ['S1']
    """
    from perfmodel.data.privacy import pseudonymize

    out = dict(tables)
    for key in ("indicators", "scores"):
        out[key] = pseudonymize(tables[key], salt)
    return out


def is_pseudonymized(manifest: dict) -> bool:
    """Return True when a run's manifest says its data outputs carry pseudonyms.

    Examples
    --------
    >>> is_pseudonymized({"parameters": {"pseudonymized": True}}), is_pseudonymized({"parameters": None})
    (True, False)
    """
    return bool((manifest.get("parameters") or {}).get("pseudonymized"))


# --------------------------------------------------------------------------- manifest

def library_versions() -> dict[str, str | None]:
    """Return the installed version of python and of each key library (None when absent).

    Examples
    --------
    >>> versions = library_versions()
    >>> list(versions)[:4]
    ['python', 'perfmodel', 'pandas', 'numpy']
    >>> versions["pandas"] == pd.__version__
    True
    """
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def describe_inputs(data_dir, policy_spec, adjustments=None) -> dict:
    """Describe what a run reads: the input files with their hashes and the policy.

    Returns
    -------
    dict
        ``data_dir`` (the absolute folder or DuckDB file, or the PostgreSQL URL without its
        password), ``inputs`` (see :func:`hash_inputs`) and ``policy``
        (``source``, ``name``, ``version``, ``sha256``, ``text``); with ``adjustments`` (a
        path) also ``adjustments`` (``source``, ``sha256``, ``rows``).

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> described = describe_inputs(folder, "quality")
    >>> described["data_dir"] == str(folder.resolve()), [i["path"] for i in described["inputs"]]
    (True, ['supervisors.csv'])
    >>> policy = described["policy"]
    >>> policy["source"], policy["name"], policy["version"], policy["sha256"] == sha256_text(policy["text"])
    ('preset quality', 'after-sales-supervisor-quality', '2026.1', True)
    """
    from perfmodel.data.dbsource import as_database

    text, source = policy_text(policy_spec)
    db = as_database(data_dir)
    where = db.recorded if db is not None else str(Path(data_dir).resolve())
    out = {"data_dir": where, "inputs": hash_inputs(data_dir),
           "policy": {"source": source, **policy_identity(text), "sha256": sha256_text(text),
                      "text": text}}
    if adjustments is not None:
        from perfmodel.scoring.adjustments import read_adjustments

        adj = read_adjustments(adjustments)
        out["adjustments"] = {"source": str(adj.path.resolve()), "sha256": adj.sha256, "rows": len(adj.table)}
    return out


def build_manifest(run_dir, *, run_id: str, data_dir, policy_spec, parameters: dict,
                   seed: int | None, engine: str, period: str, status: str = "complete",
                   errors: list[str] | None = None, inputs: dict | None = None,
                   command: list[str] | None = None) -> dict:
    """Build the manifest of a finished run (outputs are hashed as they are on disk now).

    Parameters
    ----------
    run_dir : path
        The run folder; every file in it except the manifest is an output.
    inputs : dict, optional
        The result of :func:`describe_inputs` taken before the run started (so the
        manifest records what was read, even if a file changes during the run).

    Returns
    -------
    dict
        Keys: ``manifest_version``, ``run_id``, ``status`` (complete/failed), ``errors``,
        ``created_at`` (UTC, ISO 8601), ``period``, ``engine``, ``seed``, ``parameters``,
        ``command``, ``data_dir``, ``inputs``, ``policy``, ``versions``, ``platform``,
        ``outputs`` (path, sha256, bytes, recomputed: whether verify recomputes it) and,
        for a run with adjustments, ``adjustments`` (source, sha256, rows).

    Examples
    --------
    Any file in the run folder is an output; the two data tables are recomputed by verify:

    >>> root = Path(tempfile.mkdtemp())
    >>> data = root / "data"
    >>> data.mkdir()
    >>> _ = (data / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> run = root / "reports" / "2026Q3" / "20261001T090000Z-demo"
    >>> run.mkdir(parents=True)
    >>> _ = (run / "scores.csv").write_text("supervisor_id,score\\nS1,88\\n", encoding="utf-8")
    >>> _ = (run / "report.html").write_text("<html></html>", encoding="utf-8")
    >>> manifest = build_manifest(run, run_id=run.name, data_dir=data, policy_spec="efficiency",
    ...                           parameters={"notebook": "quarterly"}, seed=7, engine="duckdb",
    ...                           period="2026Q3")
    >>> manifest["status"], manifest["period"], [i["path"] for i in manifest["inputs"]]
    ('complete', '2026Q3', ['supervisors.csv'])
    >>> [(o["path"], o["recomputed"]) for o in manifest["outputs"]]
    [('report.html', False), ('scores.csv', True)]
    """
    inputs = inputs or describe_inputs(data_dir, policy_spec)
    outputs = hash_outputs(run_dir)
    for o in outputs:
        o["recomputed"] = o["path"] in RECOMPUTED
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "status": status,
        "errors": list(errors or []),
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "period": period,
        "engine": engine,
        "seed": seed,
        "parameters": parameters,
        "command": command or [],
        "data_dir": inputs["data_dir"],
        "inputs": inputs["inputs"],
        "policy": inputs["policy"],
        "versions": library_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(),
                     "python_executable": sys.executable},
        "outputs": outputs,
    }
    if inputs.get("adjustments") is not None:
        manifest["adjustments"] = inputs["adjustments"]
    return manifest


def write_manifest(run_dir, manifest: dict, *, key: bytes | None = None, seal: bool = True) -> Path:
    """Write ``manifest.json`` atomically (temporary file in the same folder, then os.replace), then seal it.

    Sealing appends the manifest's SHA-256 to the ledger of the reports folder
    (``<reports>/ledger.jsonl``, see :mod:`perfmodel.audit.ledger`), so that a manifest
    rewritten later no longer matches its entry.

    Parameters
    ----------
    run_dir : path
        The run folder ``<reports>/<period>/<run_id>``.
    manifest : dict
        See :func:`build_manifest`.
    key : bytes, optional
        The signing key (``--sign-key FILE``): the ledger entry then carries an HMAC.
    seal : bool
        Append the ledger entry (default).

    Returns
    -------
    pathlib.Path
        The manifest path.

    Examples
    --------
    The manifest is written, then sealed in the ledger of the reports folder:

    >>> from perfmodel.audit import ledger
    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "r1"
    >>> run.mkdir(parents=True)
    >>> path = write_manifest(run, {"run_id": "r1", "status": "complete"})
    >>> json.loads(path.read_text(encoding="utf-8"))
    {'run_id': 'r1', 'status': 'complete'}
    >>> entries, _ = ledger.read_entries(ledger.reports_dir_of(run))
    >>> entries[0]["run"], entries[0]["manifest_sha256"] == sha256_file(path)
    ('2026Q3/r1', True)
    """
    from perfmodel.audit import ledger

    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    # readable by auditors; on disk before it marks the run complete
    path = write_atomic(Path(run_dir) / MANIFEST, text.encode("utf-8"), shared=True, sync=True)
    if seal:
        ledger.seal_run(run_dir, path, status=str(manifest.get("status")), key=key)
    return path


def read_manifest(run_dir) -> dict:
    """Read a run's manifest.

    Raises
    ------
    CheckFailed
        When the folder has no manifest (the run is incomplete) or it is not valid JSON.
    UsageError
        When ``run_dir`` is not a folder.

    Examples
    --------
    A manifest missing a field that verification reads is refused:

    >>> run = Path(tempfile.mkdtemp())
    >>> read_manifest(run)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.CheckFailed: ...: no manifest.json; the run is incomplete and cannot be verified
    >>> _ = (run / MANIFEST).write_text('{"run_id": 3}', encoding="utf-8")
    >>> read_manifest(run)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.CheckFailed: .../manifest.json: field 'run_id' is a number, expected a text; the manifest was damaged or edited and cannot be verified
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UsageError(f"run folder {run_dir}: not found; give a folder reports/<period>/<run_id>")
    path = run_dir / MANIFEST
    if not path.is_file():
        raise CheckFailed(f"{run_dir}: no {MANIFEST}; the run is incomplete and cannot be verified")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CheckFailed(f"{path}: not UTF-8 text; the manifest was damaged or replaced") from None
    except json.JSONDecodeError as exc:
        raise CheckFailed(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    problem = manifest_problem(manifest)
    if problem:
        raise CheckFailed(f"{path}: {problem}; the manifest was damaged or edited and cannot be verified")
    return manifest


# What verify reads from a manifest: field -> (accepted types, what the field holds).
_FIELDS = {
    "run_id": ((str,), "a text"),
    "status": ((str,), "a text"),
    "period": ((str,), "a period id"),
    "data_dir": ((str,), "a folder path"),
    "engine": ((str, type(None)), "an engine name"),
    "parameters": ((dict, type(None)), "an object"),
    "inputs": ((list,), "a list of {path, sha256, bytes}"),
    "policy": ((dict,), "an object with text and sha256"),
    "outputs": ((list,), "a list of {path, sha256, bytes}"),
}


def _kind(value) -> str:
    return "null" if value is None else {dict: "an object", list: "a list", str: "a text", bool: "a boolean",
                                          int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def manifest_problem(manifest) -> str | None:
    """Return what makes a manifest unusable for verification (one line), or None when it is usable.

    Every field :func:`check_run` reads must be present with its type: ``run_id``,
    ``status``, ``period`` and ``data_dir`` texts, ``inputs`` and ``outputs`` lists of
    objects with a text ``path`` and ``sha256``, ``policy`` an object whose ``text`` and
    ``sha256`` are texts (or absent), ``parameters`` an object or null.

    Examples
    --------
    >>> manifest_problem({"run_id": 3})
    "field 'run_id' is a number, expected a text"
    >>> manifest_problem([]) is None
    False
    """
    if not isinstance(manifest, dict):
        return f"the manifest is {_kind(manifest)}, expected an object"
    for name, (types, what) in _FIELDS.items():
        if name not in manifest:
            if name in ("engine", "parameters"):
                continue
            return f"field {name!r} is missing (expected {what})"
        if not isinstance(manifest[name], types) or isinstance(manifest[name], bool):
            return f"field {name!r} is {_kind(manifest[name])}, expected {what}"
    for name in ("inputs", "outputs"):
        for n, item in enumerate(manifest[name], start=1):
            if not isinstance(item, dict):
                return f"{name} item {n} is {_kind(item)}, expected an object with path and sha256"
            for key in ("path", "sha256"):
                if not isinstance(item.get(key), str):
                    return f"{name} item {n}: {key!r} is {_kind(item.get(key))}, expected a text"
            if not isinstance(item.get("bytes", 0), int) or isinstance(item.get("bytes"), bool):
                return f"{name} item {n}: 'bytes' is {_kind(item.get('bytes'))}, expected a number"
    for key in ("text", "sha256", "name", "version"):
        value = manifest["policy"].get(key)
        if value is not None and not isinstance(value, str):
            return f"policy {key!r} is {_kind(value)}, expected a text"
    from perfmodel.core.periods import parse_period

    try:
        parse_period(manifest["period"])
    except PerfmodelError:
        return f"field 'period' is {manifest['period']!r}, not a period id"
    return None


# --------------------------------------------------------------------------- verification

@dataclass
class Verification:
    """The outcome of :func:`verify_run`.

    Attributes
    ----------
    run_dir : pathlib.Path
    mismatches : list of str
        One line per difference; empty when the run verifies.
    score_changes : pandas.DataFrame
        Supervisors whose recomputed score or rating differs from the recorded one:
        ``supervisor_id``, ``recorded_score``, ``recomputed_score``, ``difference``,
        ``recorded_rating``, ``recomputed_rating``.
    notes : list of str
        What was not checked and why (e.g. an HMAC without the key); not mismatches.
    """

    run_dir: Path
    mismatches: list[str] = field(default_factory=list)
    score_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every input and output matches the record."""
        return not self.mismatches

    def summary(self) -> str:
        """``verified``, or one line per mismatch."""
        if self.ok:
            return "verified"
        return f"{self.run_dir}: {len(self.mismatches)} mismatch(es)\n" + "\n".join(
            f"  - {m}" for m in self.mismatches)


def _short(h: str | None) -> str:
    return (h or "none")[:12]


def check_run(run_dir, *, data_dir=None, recompute: bool = True, salt: str | None = None,
              key: bytes | None = None) -> Verification:
    """Compare a run folder with its manifest and recompute its data outputs.

    Parameters
    ----------
    run_dir : path
        The run folder (``reports/<period>/<run_id>``).
    data_dir : path, optional
        Read the inputs from here instead of the folder the manifest records (e.g. after
        the data was moved); the files are still compared by hash.
    recompute : bool
        Recompute indicators and scores from the inputs with the recorded policy text.
    salt : str, optional
        The salt of a pseudonymized run (required to recompute one).
    key : bytes, optional
        The signing key the run was sealed with (``--sign-key FILE``): the run's ledger
        entry must carry a matching HMAC.

    Returns
    -------
    Verification
        With every mismatch named: a manifest that differs from its ledger entry, a
        broken ledger chain or HMAC, changed, missing or added input files, a policy text
        that does not match its recorded hash, outputs that are missing, changed or
        unrecorded, recomputed outputs that differ, workbook cells and score tables of
        the pages that differ from the recomputed scores, page elements outside the
        allow-list, and per supervisor the score and rating differences.

    Examples
    --------
    A run made by hand the way the report runner makes one verifies (the tables are
    recomputed, a few seconds); a score added to ``scores.csv`` afterwards is caught:

    >>> from perfmodel.data.synth import generate
    >>> from perfmodel.scoring.policy import load_policy
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = generate(root / "data", seed=7, supervisors=2, start="2026Q3", end="2026Q3", tickets=20)
    >>> run = root / "reports" / "2026Q3" / "20261001T090000Z-demo"
    >>> run.mkdir(parents=True)
    >>> _ = write_tables(compute_tables(root / "data", load_policy("efficiency"), "2026Q3"), run)
    >>> _ = write_manifest(run, build_manifest(run, run_id=run.name, data_dir=root / "data",
    ...                                        policy_spec="efficiency", parameters={}, seed=7,
    ...                                        engine="duckdb", period="2026Q3"))
    >>> check_run(run).summary()
    'verified'
    >>> with open(run / "scores.csv", "a", encoding="utf-8") as scores:
    ...     _ = scores.write("S009,2026Q3,99,,,S,\\n")
    >>> check_run(run, recompute=False).mismatches
    ['output scores.csv differs from its recorded sha256 (...…, now ...…)']
    """
    from perfmodel.audit import ledger

    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    pseudonymized = is_pseudonymized(manifest)
    if pseudonymized and recompute and salt is None:
        raise UsageError(f"{run_dir}: the run was pseudonymized; give --salt-file PATH with the salt "
                         f"used for the run to verify it")
    result = Verification(run_dir)
    miss = result.mismatches
    sealed, result.notes = ledger.check_run(run_dir, run_dir / MANIFEST, key=key)
    miss.extend(sealed)
    if manifest.get("status") != "complete":
        miss.append(f"run status is {manifest.get('status')!r}, not 'complete'")

    # inputs
    from perfmodel.data.dbsource import as_database

    try:
        db = as_database(data_dir if data_dir else manifest["data_dir"])
    except PerfmodelError:  # a DuckDB file that is gone
        if data_dir:
            raise
        db = None
    if db is not None:
        recompute = _check_tables(db, manifest, miss) and recompute
        folder = db.target
    else:
        folder = _check_files(data_dir, manifest, miss)
        recompute = recompute and folder is not None

    # policy
    pol = manifest["policy"]
    text = pol.get("text")
    if text is None:
        miss.append("policy text is not recorded in the manifest")
        recompute = False
    elif sha256_text(text) != pol.get("sha256"):
        miss.append(f"policy text in the manifest does not match its recorded sha256 "
                    f"({_short(pol.get('sha256'))}…, text hashes to {_short(sha256_text(text))}…)")

    # outputs on disk
    recorded_outputs = {o["path"]: o for o in manifest["outputs"]}
    on_disk = {o["path"]: o for o in hash_outputs(run_dir)}
    _compare(recorded_outputs, on_disk, miss,
             missing=lambda name: f"output {name} is missing",
             changed=lambda name, rec, now: (f"output {name} differs from its recorded sha256 "
                                             f"({_short(rec['sha256'])}…, now {_short(now['sha256'])}…)"),
             added=lambda name: f"output {name} is not in the manifest")
    if text is not None and (run_dir / POLICY_FILE).is_file() \
            and (run_dir / POLICY_FILE).read_bytes() != text.encode("utf-8"):
        miss.append(f"output {POLICY_FILE} differs from the policy text recorded in the manifest")

    # recompute
    policy = None
    if recompute:
        try:
            policy = load_policy_text(text)
        except PerfmodelError as exc:
            miss.append(f"policy text recorded in the manifest is not a valid policy: {exc}")
            recompute = False
    if recompute:
        from perfmodel.data.loader import load_dataset

        data = load_dataset(folder)
        as_of = (manifest.get("parameters") or {}).get("as_of")
        if as_of:  # a mid-period run saw the data as of that instant only
            from perfmodel.data.cut import cut_dataset

            data = cut_dataset(data, as_of)
        adjustments = _recorded_adjustments(run_dir, manifest, miss)
        try:
            tables = compute_tables(data, policy, manifest["period"], engine=manifest.get("engine") or "duckdb",
                                    adjustments=adjustments)
        except DataError as exc:  # a tampered adjustments file may no longer apply at all
            if adjustments is None:
                raise
            miss.append(f"{ADJUSTMENTS_FILE}: cannot be applied again: {exc}")
            tables = compute_tables(data, policy, manifest["period"], engine=manifest.get("engine") or "duckdb")
        if pseudonymized:
            tables = pseudonymize_tables(tables, salt)
        with tempfile.TemporaryDirectory(prefix="perfmodel-verify-") as tmp:
            paths = write_tables(tables, tmp)
            for key, path in paths.items():
                rec = recorded_outputs.get(path.name)
                if rec is None:
                    miss.append(f"output {path.name} is not recorded; cannot compare the recomputed table")
                    continue
                got = sha256_file(path)
                if got != rec["sha256"]:
                    miss.append(f"recomputed {path.name} differs from the recorded output "
                                f"({_short(rec['sha256'])}…, recomputed {_short(got)}…)")
        result.score_changes = _score_changes(run_dir / SCORES_CSV, tables["scores"])
        for row in result.score_changes.itertuples(index=False):
            miss.append(_describe_change(row))
        roster = workbook_scores(tables["scores"], data, salt=salt if pseudonymized else None,
                                 pseudonymized=pseudonymized)
        miss.extend(_published_findings(run_dir, manifest, tables, roster))
        if (run_dir / WORKBOOK).is_file():
            miss.extend(quarantine_findings(run_dir / WORKBOOK, getattr(data, "quarantine", None)))
    else:
        miss.extend(_page_structure_findings(run_dir))
    return result


def _recorded_adjustments(run_dir: Path, manifest: dict, miss: list) -> Path | None:
    """The run's copy of its adjustments file, checked against the sha256 the manifest records.

    Appends a finding when the manifest records adjustments but the copy is missing or
    hashes differently, or when a copy lies in a run that recorded none.
    """
    rec = manifest.get("adjustments")
    copy = run_dir / ADJUSTMENTS_FILE
    if not isinstance(rec, dict):
        if copy.is_file():
            miss.append(f"{ADJUSTMENTS_FILE} lies in the run folder but the manifest records no adjustments")
        return None
    if not copy.is_file():
        miss.append(f"{ADJUSTMENTS_FILE} is missing: the manifest records adjustments "
                    f"(sha256 {_short(rec.get('sha256'))}…) from {rec.get('source')}")
        return None
    got = sha256_file(copy)
    if got != rec.get("sha256"):
        miss.append(f"{ADJUSTMENTS_FILE} differs from the adjustments file the manifest records "
                    f"({_short(rec.get('sha256'))}…, now {_short(got)}…): it was changed after the run")
    return copy


def _published_findings(run_dir: Path, manifest: dict, tables: dict[str, pd.DataFrame],
                        workbook_scores_sheet: pd.DataFrame | None = None) -> list[str]:
    """The workbook's cells and the pages' score tables against the recomputed tables."""
    from perfmodel.audit.published import workbook_findings

    params = manifest.get("parameters") or {}
    lang = params.get("lang") if params.get("lang") in ("en", "zh") else "en"
    found = []
    if (run_dir / WORKBOOK).is_file():
        sheet = tables["scores"] if workbook_scores_sheet is None else workbook_scores_sheet
        found += workbook_findings(run_dir / WORKBOOK, [(0, sheet, "supervisor_id"),
                                                        (1, _workbook_indicators(tables["indicators"], lang=lang),
                                                         "supervisor_id")])
    # only these notebooks show the run's own scores (the others show alternatives); a
    # mid-period feedback page shows projected values, not the scores of the data cut
    scores = tables["scores"] if params.get("notebook") in SCORE_PAGES and not params.get("as_of") else None
    pages = {}
    if scores is not None and params.get("notebook") == "feedback":
        pages = {f"feedback/{page_name(sid)}.html": str(sid) for sid in scores["supervisor_id"]}
    return found + _page_structure_findings(run_dir, scores, manifest["period"], lang=lang, pages=pages)


def page_name(supervisor_id) -> str:
    """Return the file stem of a supervisor's feedback page (``feedback/<stem>.html``).

    Examples
    --------
    >>> page_name("S001"), page_name("王芳/东区 1"), page_name("../x")
    ('S001', '王芳_东区_1', 'x')
    """
    return re.sub(r"[^\w.\-]+", "_", str(supervisor_id), flags=re.UNICODE).strip("._") or "x"


def _page_structure_findings(run_dir: Path, scores=None, period=None, *, lang="en", pages=None) -> list[str]:
    from perfmodel.audit.published import page_findings

    found = []
    for page in sorted(Path(run_dir).rglob("*.html")):
        rel = page.relative_to(run_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        who = (pages or {}).get(rel.as_posix())
        found += [f"{rel.parent.as_posix()}/{m}" if rel.parent.parts else m
                  for m in page_findings(page, scores, period=period, lang=lang, supervisor=who)]
    return found


def quarantine_findings(workbook, quarantine: pd.DataFrame | None) -> list[str]:
    """Compare the quarantine sheet of a run's workbook with the recomputed quarantine, by code.

    The sheet's reasons are worded in the run's language; its ``reason_code`` column is
    not, so rows are matched on (row, column, reason_code). A workbook written before
    reason codes existed (no such column) is compared by its number of rows only.

    Returns
    -------
    list of str
        One line per quarantined row found on one side only (at most 20, then a count),
        empty when both hold the same rows with the same codes.

    Examples
    --------
    The workbook's quarantine sheet lacks a row that the recomputation quarantines:

    >>> import openpyxl
    >>> from perfmodel.data.dataset import QUARANTINE_COLUMNS
    >>> path = Path(tempfile.mkdtemp()) / "scores.xlsx"
    >>> book = openpyxl.Workbook()
    >>> book.active.title = "scores"
    >>> _ = book.create_sheet("indicators")
    >>> sheet = book.create_sheet("quarantine")
    >>> sheet.append(QUARANTINE_COLUMNS)
    >>> sheet.append(["tickets", "tickets.csv", 3, "resolved_at", "...", "{}", "before", "[]"])
    >>> book.save(path)
    >>> quarantine = pd.DataFrame(
    ...     [["tickets", "tickets.csv", 3, "resolved_at", "...", "{}", "before", "[]"],
    ...      ["tickets", "tickets.csv", 5, "supervisor_id", "...", "{}", "not_in_parent", "[]"]],
    ...     columns=QUARANTINE_COLUMNS)
    >>> quarantine_findings(path, quarantine)
    ["scores.xlsx quarantine row 5 column supervisor_id: code 'not_in_parent' recomputed, not in the workbook"]
    >>> quarantine_findings(path, quarantine.iloc[:1])
    []
    """
    from collections import Counter

    from openpyxl import load_workbook

    from perfmodel.data.dataset import QUARANTINE_COLUMNS

    name = Path(workbook).name
    try:
        wb = load_workbook(workbook, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged file is reported by the other checks
        return []
    try:
        if len(wb.sheetnames) < 3:
            return [f"{name}: the quarantine sheet is missing"]
        rows = list(wb[wb.sheetnames[2]].iter_rows(values_only=True))
    finally:
        wb.close()
    body = [r for r in rows[1:] if any(v is not None for v in r)]
    q = quarantine if quarantine is not None else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    coded = rows and len(rows[0]) >= len(QUARANTINE_COLUMNS)
    if not coded or "reason_code" not in q.columns:
        if len(body) != len(q):
            return [f"{name} quarantine: {len(body)} rows, recomputed {len(q)}"]
        return []
    at = {c: QUARANTINE_COLUMNS.index(c) for c in ("row", "column", "reason_code")}

    def key(row, column, code):
        return (int(row) if row is not None and str(row).strip() != "" else None,
                "" if column is None else str(column), "" if code is None else str(code))

    recorded = Counter(key(r[at["row"]], r[at["column"]], r[at["reason_code"]]) for r in body)
    recomputed = Counter(key(*v) for v in zip(q["row"], q["column"], q["reason_code"]))
    lines = [f"{name} quarantine row {k[0]} column {k[1]}: code {k[2]!r} in the workbook, not recomputed"
             for k in sorted((recorded - recomputed).elements(), key=str)]
    lines += [f"{name} quarantine row {k[0]} column {k[1]}: code {k[2]!r} recomputed, not in the workbook"
              for k in sorted((recomputed - recorded).elements(), key=str)]
    if len(lines) > 20:
        lines = lines[:20] + [f"... and {len(lines) - 20} more quarantine difference(s)"]
    return lines


def workbook_scores(scores: pd.DataFrame, dataset, *, salt: str | None = None,
                    pseudonymized: bool = False) -> pd.DataFrame:
    """The scores sheet of ``scores.xlsx``: ``scores`` with the supervisor's ``name`` and
    ``team`` inserted after ``supervisor_id``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``scores`` with ``name`` and ``team`` (from the dataset's
        ``supervisors`` table; empty where a supervisor is not listed) after
        ``supervisor_id``. In a pseudonymized run (``scores`` carry pseudonyms) the names
        and teams are the pseudonyms made with ``salt``; without the salt they are left out.
        ``scores`` itself when it has no ``supervisor_id`` or the dataset no roster.

    Examples
    --------
    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["王芳", "李强"],
    ...                                  "team": ["East", None]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"],
    ...                              "created_at": ["2026-07-02"]})})
    >>> scores = pd.DataFrame({"supervisor_id": ["S2", "S1", "S9"], "period": "2026Q3",
    ...                        "score": [71.5, 88.0, 60.0]})
    >>> workbook_scores(scores, ds)
      supervisor_id name  team  period  score
    0            S2   李强   NaN  2026Q3   71.5
    1            S1   王芳  East  2026Q3   88.0
    2            S9  NaN   NaN  2026Q3   60.0
    """
    if "supervisor_id" not in scores.columns:
        return scores
    roster = (getattr(dataset, "tables", None) or {}).get("supervisors")
    wanted = [c for c in ("name", "team") if c not in scores.columns]
    if roster is None or not wanted or (pseudonymized and salt is None):
        return scores
    roster = roster[["supervisor_id"] + [c for c in wanted if c in roster.columns]]
    roster = roster.drop_duplicates("supervisor_id").reset_index(drop=True)
    if salt is not None:  # the scores carry pseudonyms: join on the pseudonym, show pseudonyms
        from perfmodel.data.privacy import pseudonymize

        roster = pseudonymize(roster, salt, [c for c in ("supervisor_id", "name", "team") if c in roster.columns])
    position = dict(zip(roster["supervisor_id"].astype(str), roster.index))
    rows = scores["supervisor_id"].astype(str).map(position)
    out = scores.copy()
    at = list(out.columns).index("supervisor_id") + 1
    for k, col in enumerate(wanted):
        values = roster[col].reindex(rows).to_numpy() if col in roster.columns else [None] * len(out)
        out.insert(at + k, col, values)
    return out


def _workbook_indicators(indicators: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """The indicators sheet as the report runner writes it: the indicator's name beside its id."""
    from perfmodel.core.i18n import indicator_label

    if "indicator" not in indicators.columns:
        return indicators
    out = indicators.copy()
    out.insert(list(out.columns).index("indicator") + 1, "indicator_name",
               out["indicator"].map(lambda i: indicator_label(str(i), lang=lang) if pd.notna(i) else ""))
    return out


def _score_changes(recorded_csv: Path, recomputed: pd.DataFrame) -> pd.DataFrame:
    cols = ["supervisor_id", "recorded_score", "recomputed_score", "difference",
            "recorded_rating", "recomputed_rating"]
    if not recorded_csv.is_file():
        return pd.DataFrame(columns=cols)
    old = pd.read_csv(recorded_csv, dtype={"supervisor_id": str, "rating": str}, encoding="utf-8-sig")
    # the CSV writer prefixes text that could run as a formula with ' (=1+2 is written '=1+2)
    old["supervisor_id"] = old["supervisor_id"].map(unescape_formula)
    new = recomputed[["supervisor_id", "score", "rating"]].copy()
    new["supervisor_id"] = new["supervisor_id"].astype(str)
    both = old[["supervisor_id", "score", "rating"]].merge(new, on="supervisor_id", how="outer",
                                                           suffixes=("_old", "_new"), indicator=True)
    d = both["score_new"] - both["score_old"]
    changed = (both["_merge"] != "both") | (d.abs() > 1e-6) | \
        (both["rating_old"].fillna("") != both["rating_new"].fillna("")) | \
        (both["score_old"].isna() != both["score_new"].isna())
    out = both[changed]
    return pd.DataFrame({
        "supervisor_id": out["supervisor_id"], "recorded_score": out["score_old"],
        "recomputed_score": out["score_new"], "difference": d[changed],
        "recorded_rating": out["rating_old"], "recomputed_rating": out["rating_new"],
    }, columns=cols).sort_values("supervisor_id", kind="mergesort").reset_index(drop=True)


def unescape_formula(text):
    """Undo :func:`perfmodel.data.exports.escape_formula`: ``'=1+2`` read back from a CSV is ``=1+2``.

    Examples
    --------
    >>> unescape_formula("'=1+2"), unescape_formula("'hello"), unescape_formula(3)
    ('=1+2', "'hello", 3)
    """
    from perfmodel.data.exports import FORMULA_PREFIXES

    if isinstance(text, str) and text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _fmt(x) -> str:
    return "none" if pd.isna(x) else f"{x:.2f}"


def _describe_change(row) -> str:
    if pd.isna(row.recorded_score) and pd.isna(row.recorded_rating):
        return f"supervisor {row.supervisor_id}: not in the recorded scores (recomputed {_fmt(row.recomputed_score)}, {row.recomputed_rating})"
    if pd.isna(row.recomputed_score) and pd.isna(row.recomputed_rating):
        return f"supervisor {row.supervisor_id}: recorded {_fmt(row.recorded_score)} ({row.recorded_rating}) but missing when recomputed"
    diff = "" if pd.isna(row.difference) else f" ({row.difference:+.2f})"
    text = f"supervisor {row.supervisor_id}: score {_fmt(row.recorded_score)} -> {_fmt(row.recomputed_score)}{diff}"
    if row.recorded_rating != row.recomputed_rating:
        text += f", rating {row.recorded_rating} -> {row.recomputed_rating}"
    return text


def _check_files(data_dir, manifest: dict, miss: list) -> Path | None:
    """Compare the input folder's files with the hashes the manifest records.

    Appends one finding per changed, missing or added file to ``miss``; returns the folder,
    or None when it is missing (nothing can be recomputed).
    """
    folder = Path(data_dir) if data_dir else Path(manifest["data_dir"])
    if data_dir and not folder.is_dir():  # a bad argument, not a failed check
        raise UsageError(f"--data {data_dir}: no such folder; give the folder the run read "
                         f"(recorded: {manifest['data_dir']})")
    recorded_inputs = {i["path"]: i for i in manifest.get("inputs", [])}
    if not folder.is_dir():
        miss.append(f"input folder {folder} is missing")
        return None
    current = {i["path"]: i for i in hash_inputs(folder)}
    _compare(recorded_inputs, current, miss,
             missing=lambda name: f"input {name} is missing from {folder}",
             changed=lambda name, rec, now: (f"input {name} changed: sha256 recorded {_short(rec['sha256'])}…, now "
                                             f"{_short(now['sha256'])}… ({rec.get('bytes', '?')} -> "
                                             f"{now['bytes']} bytes)"),
             added=lambda name: f"input {name} was added to {folder} after the run")
    return folder


def _compare(recorded: dict, current: dict, miss: list, *, missing, changed, added) -> None:
    """Append to ``miss`` a line per recorded file now missing or changed, and per file not recorded.

    ``recorded`` and ``current`` map a path to its record (``sha256`` and more); ``missing``,
    ``changed`` and ``added`` word the lines.
    """
    for name, rec in recorded.items():
        now = current.get(name)
        if now is None:
            miss.append(missing(name))
        elif now["sha256"] != rec["sha256"]:
            miss.append(changed(name, rec, now))
    for name in sorted(set(current) - set(recorded)):
        miss.append(added(name))


def _check_tables(db, manifest: dict, miss: list) -> bool:
    """Compare the database's tables with the row counts and digests the manifest records.

    Appends one finding per changed, missing or added table to ``miss``; returns whether
    the database could be read (so the run can be recomputed from it).
    """
    recorded = {i["path"]: i for i in manifest.get("inputs", [])}
    try:
        current = {i["path"]: i for i in hash_inputs(db)}
    except PerfmodelError as exc:
        miss.append(f"input database {db.name} cannot be read: {exc}")
        return False
    for name, rec in recorded.items():
        now = current.get(name)
        if now is None:
            miss.append(f"input {name} is missing from {db.name}")
        elif now["sha256"] != rec["sha256"]:
            miss.append(f"input {name} changed since the run: {rec.get('rows', '?')} rows, digest "
                        f"{rec.get('digest', _short(rec['sha256']))} recorded; now {now['rows']} rows, "
                        f"digest {now['digest']}")
    for name in sorted(set(current) - set(recorded)):
        miss.append(f"input {name} was added to {db.name} after the run")
    return True


def verify_run(run_dir, *, data_dir=None, salt: str | None = None, key: bytes | None = None) -> Verification:
    """Verify a run; raise :class:`perfmodel.core.errors.CheckFailed` naming every mismatch.

    Parameters are those of :func:`check_run`.

    Returns
    -------
    Verification
        When everything matches (``ok`` is True).

    Raises
    ------
    CheckFailed
        With one line per mismatch (see :func:`check_run`).
    UsageError
        When the run was pseudonymized and no ``salt`` is given.

    Examples
    --------
    A run folder without a manifest is incomplete and cannot be verified (see
    :func:`check_run` for a run that verifies):

    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "r2"
    >>> run.mkdir(parents=True)
    >>> verify_run(run)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.CheckFailed: .../2026Q3/r2: no manifest.json; the run is incomplete and cannot be verified
    """
    result = check_run(run_dir, data_dir=data_dir, salt=salt, key=key)
    if not result.ok:
        raise CheckFailed(result.summary())
    return result


# --------------------------------------------------------------------------- history

def list_runs(reports_dir="reports") -> pd.DataFrame:
    """List the runs under a reports folder, oldest first within each period.

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``run_id``, ``status`` (complete, failed, or incomplete when
        there is no manifest, unreadable when it cannot be read), ``notebook``, ``lang``,
        ``data_dir`` (the data source the run read), ``synthetic`` (True when that folder
        was written by ``perfmodel synth``), ``policy_name``, ``policy_version``,
        ``created_at``, ``path``; what a run's manifest does not record is None.

    Examples
    --------
    >>> reports = Path(tempfile.mkdtemp())
    >>> for run_id, notebook in [("20260930T080000Z-a1", "quarterly"), ("20261001T090000Z-c3", "calibration")]:
    ...     (reports / "2026Q3" / run_id).mkdir(parents=True)
    ...     _ = (reports / "2026Q3" / run_id / MANIFEST).write_text(json.dumps(
    ...         {"status": "complete", "parameters": {"notebook": notebook, "lang": "zh"},
    ...          "policy": {"name": "efficiency", "version": "2026.1"}}), encoding="utf-8")
    >>> (reports / "2026Q3" / "20261002T070000Z-d4").mkdir()
    >>> list_runs(reports)[["period", "run_id", "status", "notebook", "lang"]]
       period               run_id      status     notebook  lang
    0  2026Q3  20260930T080000Z-a1    complete    quarterly    zh
    1  2026Q3  20261001T090000Z-c3    complete  calibration    zh
    2  2026Q3  20261002T070000Z-d4  incomplete         None  None
    """
    cols = ["period", "run_id", "status", "notebook", "lang", "data_dir", "synthetic", "policy_name",
            "policy_version", "created_at", "path"]
    root = Path(reports_dir)
    rows = []
    if root.is_dir():
        for period_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for run in sorted(p for p in period_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
                row = dict.fromkeys(cols)
                row.update(period=period_dir.name, run_id=run.name, status="incomplete", path=str(run))
                mpath = run / MANIFEST
                if mpath.is_file():
                    row.update(_listed(mpath))
                elif (run / FAILED).exists():
                    row["status"] = "failed"
                rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _listed(path: Path) -> dict:
    """What :func:`list_runs` shows of one manifest (``status`` unreadable when it cannot be read)."""
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {"status": "unreadable"}
    if not isinstance(m, dict):
        return {"status": "unreadable"}

    def text(value):
        return value if isinstance(value, str) else None

    params = m.get("parameters") if isinstance(m.get("parameters"), dict) else {}
    policy = m.get("policy") if isinstance(m.get("policy"), dict) else {}
    return {"status": text(m.get("status")) or "unreadable", "notebook": text(params.get("notebook")),
            "lang": text(params.get("lang")), "data_dir": text(m.get("data_dir")),
            "policy_name": text(policy.get("name")), "policy_version": text(policy.get("version")),
            "created_at": text(m.get("created_at")), "synthetic": params.get("synthetic") is True}


def latest_run(reports_dir, period: str | None, notebook: str | None = "quarterly") -> Path | None:
    """Return the latest complete run of ``period`` made with ``notebook``.

    ``period`` None looks at every period, ``notebook`` None at every notebook.

    The published report of a period is its latest complete ``quarterly`` run; a
    calibration, validity or audit run of the same period is not.

    Returns
    -------
    pathlib.Path or None
        The run folder, or None when there is no such run.

    Examples
    --------
    The latest complete quarterly run is the published one; a later calibration run is not:

    >>> reports = Path(tempfile.mkdtemp())
    >>> for run_id, notebook in [("20260930T080000Z-a1", "quarterly"), ("20261001T080000Z-b2", "quarterly"),
    ...                          ("20261001T090000Z-c3", "calibration")]:
    ...     (reports / "2026Q3" / run_id).mkdir(parents=True)
    ...     _ = (reports / "2026Q3" / run_id / MANIFEST).write_text(json.dumps(
    ...         {"status": "complete", "parameters": {"notebook": notebook}}), encoding="utf-8")
    >>> latest_run(reports, "2026Q3").name, latest_run(reports, "2026Q3", "calibration").name
    ('20261001T080000Z-b2', '20261001T090000Z-c3')
    >>> latest_run(reports, "2026Q2") is None
    True
    """
    runs = list_runs(reports_dir)
    runs = runs[runs["status"] == "complete"]
    if period is not None:
        runs = runs[runs["period"] == period]
    if notebook is not None:
        runs = runs[runs["notebook"] == notebook]
    runs = runs.sort_values("run_id", kind="mergesort")  # run ids begin with their UTC start time
    return Path(runs["path"].iloc[-1]) if len(runs) else None


def format_runs(runs: pd.DataFrame) -> str:
    """Render :func:`list_runs` as a plain text table, one block per period.

    Each run is one line: run id, status, notebook, language, policy (name and version),
    creation time and the data source it read (marked ``(synthetic sample)`` when it was
    written by ``perfmodel synth``).

    Examples
    --------
    >>> reports = Path(tempfile.mkdtemp())
    >>> (reports / "2026Q3" / "20260930T080000Z-a1").mkdir(parents=True)
    >>> _ = (reports / "2026Q3" / "20260930T080000Z-a1" / MANIFEST).write_text(json.dumps(
    ...     {"status": "complete", "data_dir": "/srv/data", "created_at": "2026-09-30T08:00:00Z",
    ...      "parameters": {"notebook": "quarterly", "lang": "zh"},
    ...      "policy": {"name": "efficiency", "version": "2026.1"}}), encoding="utf-8")
    >>> (reports / "2026Q3" / "20261002T070000Z-d4").mkdir()
    >>> print(format_runs(list_runs(reports)))
    2026Q3
      20260930T080000Z-a1  complete    quarterly    zh  efficiency 2026.1                   2026-09-30T08:00:00Z  data: /srv/data
      20261002T070000Z-d4  incomplete  -            -   ?                                   -                     data: -
    >>> format_runs(list_runs(Path(tempfile.mkdtemp())))
    'no runs'
    """
    def line(r) -> str:
        pol = f"{r.policy_name or '?'} {r.policy_version or ''}".strip()
        return (f"  {r.run_id}  {r.status:<10}  {r.notebook or '-':<11}  {r.lang or '-':<2}  {pol:<34}  "
                f"{r.created_at or '-':<20}  data: {r.data_dir or '-'}"
                f"{' (synthetic sample)' if r.synthetic is True else ''}")
    return _blocks(runs, "period", line, empty="no runs")


def _blocks(table: pd.DataFrame, by: str, line, *, empty: str) -> str:
    """Text with one block per value of ``by`` (the value, then ``line(row)`` per row); ``empty`` when none."""
    if table.empty:
        return empty
    buf = io.StringIO()
    for key, group in table.groupby(by, sort=True):
        buf.write(f"{key}\n")
        for r in group.itertuples(index=False):
            buf.write(line(r) + "\n")
    return buf.getvalue().rstrip("\n")


# --------------------------------------------------------------------------- adjustments

ADJUSTMENT_LIST_COLUMNS = ["supervisor_id", "period", "from_rating", "to_rating", "reason", "approved_by",
                           "approved_on", "report", "notebook", "run_id", "status"]


def list_adjustments(reports_dir="reports") -> pd.DataFrame:
    """Every adjustment made in the runs of a reports folder, per supervisor.

    A run made with ``--adjustments`` keeps the file it applied (``adjustments.csv``) and
    its sha256 in the manifest; the rows of that copy whose period the run scored are
    listed (a row of a later period was not applied by an earlier report).

    Returns
    -------
    pandas.DataFrame
        :data:`ADJUSTMENT_LIST_COLUMNS`: the adjustment (``supervisor_id``, ``period``,
        ``from_rating``, ``to_rating``, ``reason``, ``approved_by``, ``approved_on``) and the
        run that applied it (``report``: its folder ``<period>/<run_id>``, ``notebook``,
        ``run_id``, ``status``: ``complete``, ``failed``, or ``changed`` when the copy no
        longer matches the sha256 its manifest records); sorted by supervisor, period,
        report.

    Examples
    --------
    The 2026Q3 run applied the S002 adjustment; the S003 row of 2026Q4 was not applied by it:

    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "20261001T090000Z-c3"
    >>> run.mkdir(parents=True)
    >>> _ = (run / ADJUSTMENTS_FILE).write_text(
    ...     "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...     "S002,2026Q3,B,A,重大客户投诉妥善处理,张总,2026-10-08\\n"
    ...     "S003,2026Q4,C,B,later,张总,2027-01-08\\n", encoding="utf-8")
    >>> _ = (run / MANIFEST).write_text(json.dumps(
    ...     {"status": "complete", "parameters": {"notebook": "calibration"},
    ...      "adjustments": {"sha256": sha256_file(run / ADJUSTMENTS_FILE)}}), encoding="utf-8")
    >>> listed = list_adjustments(run.parent.parent)
    >>> listed[["supervisor_id", "period", "from_rating", "to_rating", "status"]]
      supervisor_id  period from_rating to_rating    status
    0          S002  2026Q3           B         A  complete
    >>> _ = (run / ADJUSTMENTS_FILE).write_text(
    ...     "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...     "S002,2026Q3,B,S,edited later,张总,2026-10-08\\n", encoding="utf-8")
    >>> list_adjustments(run.parent.parent)[["supervisor_id", "to_rating", "status"]]
      supervisor_id to_rating   status
    0          S002         S  changed
    """
    from perfmodel.scoring.adjustments import read_adjustments
    from perfmodel.core.periods import parse_period

    rows = []
    runs = list_runs(reports_dir)
    for run in runs.itertuples(index=False):
        copy = Path(run.path) / ADJUSTMENTS_FILE
        if not copy.is_file():
            continue
        try:
            manifest = json.loads((Path(run.path) / MANIFEST).read_text(encoding="utf-8"))
            recorded = (manifest.get("adjustments") or {}).get("sha256")
        except (OSError, ValueError, AttributeError):
            recorded = None
        status = run.status if recorded == sha256_file(copy) else "changed"
        try:
            table = read_adjustments(copy).table
        except PerfmodelError:
            continue
        try:
            end = parse_period(run.period).start
        except PerfmodelError:
            end = None
        for r in table.itertuples(index=False):
            try:
                if end is not None and parse_period(r.period).start > end:
                    continue
            except PerfmodelError:
                continue
            rows.append({"supervisor_id": r.supervisor_id, "period": r.period, "from_rating": r.from_rating,
                         "to_rating": r.to_rating, "reason": r.reason, "approved_by": r.approved_by,
                         "approved_on": r.approved_on, "report": f"{run.period}/{run.run_id}",
                         "notebook": run.notebook, "run_id": run.run_id, "status": status})
    out = pd.DataFrame(rows, columns=ADJUSTMENT_LIST_COLUMNS)
    return out.sort_values(["supervisor_id", "period", "report"], kind="mergesort").reset_index(drop=True)


def format_adjustments(adjustments: pd.DataFrame) -> str:
    """Render :func:`list_adjustments` as text: one block per supervisor, one line per adjustment.

    Examples
    --------
    >>> adjustments = pd.DataFrame([{
    ...     "supervisor_id": "S002", "period": "2026Q3", "from_rating": "B", "to_rating": "A",
    ...     "reason": "重大客户投诉妥善处理", "approved_by": "张总", "approved_on": "2026-10-08",
    ...     "report": "2026Q3/20261001T090000Z-c3", "notebook": "calibration",
    ...     "run_id": "20261001T090000Z-c3", "status": "complete"}])
    >>> print(format_adjustments(adjustments))
    S002
      2026Q3  B -> A  重大客户投诉妥善处理  approved by 张总 on 2026-10-08  (report 2026Q3/20261001T090000Z-c3, calibration)
    >>> format_adjustments(adjustments.iloc[:0])
    'no adjustments'
    """
    def line(r) -> str:
        flag = "" if r.status == "complete" else f"  [{r.status}]"
        return (f"  {r.period}  {r.from_rating} -> {r.to_rating}  {r.reason}  approved by {r.approved_by} "
                f"on {r.approved_on}  (report {r.report}, {r.notebook or '-'}){flag}")
    return _blocks(adjustments, "supervisor_id", line, empty="no adjustments")
