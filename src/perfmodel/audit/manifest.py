"""Run manifests: what went into a report run and what came out.

A run folder ``reports/<period>/<run_id>/`` holds the outputs of one ``perfmodel report``
run and, written last, ``manifest.json``: the SHA-256 of every input file, the full policy
text and its hash, package and library versions, the parameters, the seed, the engine and
the SHA-256 of every output. A run folder without a manifest is incomplete.

The manifest is then sealed in the ledger of the reports folder (:mod:`perfmodel.audit.ledger`),
verified by :mod:`perfmodel.audit.verify` and listed with the folder's other runs by
:mod:`perfmodel.audit.runs`.
"""
from __future__ import annotations

import json
import platform
import sys
import tempfile  # noqa: F401 - the Examples use it
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from perfmodel.core.atomic import write_atomic
from perfmodel.core.errors import CheckFailed, PerfmodelError, UsageError
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

    This one function is used both by the report runner and by :func:`~perfmodel.audit.verify.verify_run`, so a
    verification recomputes exactly what the run wrote; both go through
    :func:`perfmodel.pipeline.run_pipeline`. The indicators are computed for every period of
    the data up to ``period`` (the report's trends need them); the outputs keep ``period``.

    Parameters
    ----------
    data : Dataset, CheckedFolder or path
        The dataset, validated (:func:`perfmodel.pipeline.validate_source`), or its folder.
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

    Used by the report runner with ``--pseudonymize`` and by :func:`~perfmodel.audit.verify.verify_run` for such
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

    Every field :func:`~perfmodel.audit.verify.check_run` reads must be present with its type: ``run_id``,
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


#: Names that moved out of this module, by their new module; they still resolve here for one
#: version, with a DeprecationWarning.
_MOVED = {**dict.fromkeys(("Verification", "check_run", "page_name", "quarantine_findings", "workbook_scores",
                           "unescape_formula", "verify_run"), "perfmodel.audit.verify"),
          **dict.fromkeys(("list_runs", "latest_run", "format_runs", "list_adjustments", "format_adjustments",
                           "ADJUSTMENT_LIST_COLUMNS"), "perfmodel.audit.runs")}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(f"perfmodel.audit.manifest.{name} is now {_MOVED[name]}.{name}", DeprecationWarning,
                      stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
