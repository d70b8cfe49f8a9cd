"""Run report notebooks into ``reports/<period>/<run_id>/`` with their data outputs and manifest.

One run: validate every parameter, create a new run folder atomically, compute and write
the data outputs (indicators and scores as CSV, a formatted workbook), execute the
notebook(s) with papermill on the current interpreter, convert each to an offline HTML
page, and write ``manifest.json`` last. A run that fails keeps the executed notebook with
its error, gets a ``FAILED`` file and a manifest with status ``failed``.
"""
from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pandas as pd

from perfmodel.audit import manifest as audit
from perfmodel.audit.runs import latest_run
from perfmodel.audit.verify import workbook_scores
from perfmodel.core import messages, settings
from perfmodel.core.errors import DataError, PeriodError, UsageError
from perfmodel.core.i18n import check_lang
from perfmodel.core.periods import (
    check_period, data_periods, latest_complete_period, parse_period, period_containing,
)
from perfmodel.scoring.policy import check_period_kind  # noqa: F401 - used here and by the report sections
from perfmodel.data.synthetic import is_synthetic
from perfmodel.reporting import cleanup
from perfmodel.reporting.paths import notebooks_dir, repo_root, resolve_path

NOTEBOOKS = {
    "quarterly": "quarterly_report.ipynb",
    "feedback": "supervisor_feedback.ipynb",
    "calibration": "weight_calibration.ipynb",
    "validity": "validity_study.ipynb",
    "audit": "policy_audit.ipynb",
}
ENGINES = ("duckdb", "spark")
DEFAULT_SEED = settings.SEED  # kept for callers of the runner
WORKBOOK = "scores.xlsx"
POLICY_FILE = "policy.yaml"
CACHE_DIR = ".cache"  # inside the run folder; removed when the run ends, never an output


@dataclass
class RunResult:
    """The outcome of one report run.

    Attributes
    ----------
    period, run_id : str
    run_dir : pathlib.Path
    status : str
        ``complete`` or ``failed``.
    html : pathlib.Path or None
        The main HTML page (for ``feedback`` the index of the pages).
    errors : list of str
        One line per failed notebook.

    Examples
    --------
    What :func:`run_report` returns; by hand, a run whose notebook failed:

    >>> result = RunResult("2026Q3", "20261127T101500Z-1a2b3c4d",
    ...                    Path("reports/2026Q3/20261127T101500Z-1a2b3c4d"), "failed", None,
    ...                    ["quarterly: NameError in cell 4"])
    >>> result.ok, result.html, result.errors
    (False, None, ['quarterly: NameError in cell 4'])
    >>> RunResult("2026Q3", "20261127T101500Z-1a2b3c4d", Path("."), "complete", Path("quarterly.html")).ok
    True
    """

    period: str
    run_id: str
    run_dir: Path
    status: str
    html: Path | None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "complete"


# --------------------------------------------------------------------------- run folders

def new_run_id(now: datetime | None = None) -> str:
    """Return a run id such as ``20261127T101500Z-1a2b3c4d`` (UTC time + 8 random hex digits).

    Returns
    -------
    str
        ``now`` (default: the current UTC time) as ``YYYYMMDDTHHMMSSZ``, a hyphen and 8
        random lower-case hex digits, so that ids sort by time.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> run_id = new_run_id(datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc))
    >>> run_id  # doctest: +ELLIPSIS
    '20261127T101500Z-...'
    >>> import re
    >>> bool(re.fullmatch(r"20261127T101500Z-[0-9a-f]{8}", run_id))
    True
    """
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"


def create_run_dir(out, period: str) -> tuple[str, Path]:
    """Create a new, empty run folder ``<out>/<period>/<run_id>`` atomically.

    ``os.mkdir`` fails if the folder exists, so two concurrent runs never share a folder
    and an earlier run is never written into.

    Returns
    -------
    (str, pathlib.Path)
        The run id and the folder.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> run_id, run_dir = create_run_dir(out, "2026Q3")
    >>> run_dir == out / "2026Q3" / run_id, list(run_dir.iterdir())
    (True, [])
    >>> create_run_dir(out, "2026Q3")[0] != run_id  # a second run gets its own folder
    True
    """
    parent = Path(out) / period
    for _ in range(100):
        run_id = new_run_id()
        path = parent / run_id
        try:
            parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(path)
        except FileExistsError:
            continue
        except OSError as exc:  # read-only file system, no space, a file in the way
            raise UsageError(f"{parent}: cannot create a run folder ({exc.strerror or type(exc).__name__}); "
                             f"give --out a folder you can write to") from None
        return run_id, path
    raise UsageError(f"{parent}: could not create a new run folder")  # pragma: no cover


# --------------------------------------------------------------------------- validation

def _data_source(data_dir) -> Path | str:
    """The dataset ``--data`` names: a folder or DuckDB file (resolved), or a PostgreSQL URL."""
    from perfmodel.data.dbsource import as_database

    if "://" in str(data_dir):
        return as_database(str(data_dir)).target
    folder = resolve_path(data_dir)
    if as_database(folder) is not None:
        return folder
    if not folder.is_dir():
        raise DataError.worded("errors.data_not_found", data=data_dir)
    return folder


@dataclass
class ReportSpec:
    """Validated parameters of a report run (see :func:`validate`).

    Examples
    --------
    Made by :func:`validate`; by hand, the quarterly report of 2026Q3. The secrets of
    ``--pseudonymize`` and ``--sign-key`` never show in its repr (nor in a log that prints it):

    >>> spec = ReportSpec("quarterly", "data/sample", "efficiency", "en", "duckdb", Path("reports"),
    ...                   1, 42, ["2026Q3"], "2026Q3", salt="s3cret", sign_key=b"k3y")
    >>> spec.periods, spec.synthetic, spec.adjustments
    (['2026Q3'], False, None)
    >>> "s3cret" in repr(spec), "k3y" in repr(spec), spec.salt
    (False, False, 's3cret')
    """

    notebook: str
    data_dir: Path | str  # a folder or DuckDB file, or a PostgreSQL URL
    policy: str
    lang: str
    engine: str
    out: Path
    jobs: int
    seed: int
    periods: list[str]
    period_arg: str
    audit_run: Path | None = None
    other_policy: str | None = None
    command: list[str] = field(default_factory=list)
    as_of: str | None = None
    # The secret of --pseudonymize (never written anywhere; kept out of the repr).
    salt: str | None = field(default=None, repr=False)
    # The key of --sign-key: ledger entries carry an HMAC made with it (kept out of the repr).
    sign_key: bytes | None = field(default=None, repr=False)
    # True when the data folder was written by ``perfmodel synth`` (every page carries a banner)
    synthetic: bool = False
    # The pairwise matrix of --matrix (calibration notebook only)
    matrix: Path | None = None
    # The review meeting's adjustments.csv (--adjustments; quarterly and feedback notebooks)
    adjustments: Path | None = None


def validate(*, period: str | None = None, all_periods: bool = False, notebook: str = "quarterly",
             data_dir="data/sample", policy="efficiency", lang: str = "en", engine: str = "duckdb",
             out="reports", jobs: int = 1, seed: int = DEFAULT_SEED, audit_run=None,
             other_policy=None, command=None, dataset=None, as_of=None,
             salt: str | None = None, matrix=None, adjustments=None) -> tuple[ReportSpec, object]:
    """Check every parameter before anything runs.

    With ``as_of`` (feedback notebook only) the run is mid-period coaching: the period is
    the one in progress at the as-of instant (``period`` may be omitted) and must be in
    the data.

    With ``matrix`` (calibration notebook only) the page judges with that pairwise CSV
    file instead of the notebook's own matrix; it must read as a valid reciprocal matrix
    (an inconsistent one, CR > 0.1, is shown on the page and proposes no policy).

    With ``adjustments`` (quarterly and feedback notebooks) the review meeting's file is
    read and checked first (:func:`perfmodel.scoring.adjustments.read_adjustments`), copied into
    each run folder, recorded in the manifest with its sha256 and applied after scoring.

    With ``salt`` (from :func:`perfmodel.data.privacy.salt_for`) every output of the run names
    nobody: the data outputs (indicators and scores CSV and workbook) carry pseudonyms
    instead of supervisor ids, and the notebooks read a pseudonymized dataset and panel
    (:func:`perfmodel.data.privacy.pseudonymize_dataset`); the feedback notebook is refused.

    The data is validated once, here (:func:`perfmodel.pipeline.validate_source`): a folder of
    Parquet tables on DuckDB inside the engine, so that neither this process nor a page's
    kernel ever holds its raw rows; any other source in Python.

    Returns
    -------
    (ReportSpec, Dataset or CheckedFolder)
        The validated parameters (with ``period latest`` resolved) and the validated data,
        to hand to :func:`run_reports`.

    Raises
    ------
    PerfmodelError
        One line naming the bad parameter (unknown notebook, language or engine, missing
        data folder, unknown policy, bad or uncovered period, nothing to audit).

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.synth import generate
    >>> data = Path(tempfile.mkdtemp())
    >>> _ = generate(data, supervisors=4, start="2026Q3", end="2026Q3", tickets=100)
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> spec, dataset = validate(period="2026Q3", data_dir=data, out=out)
    >>> spec.notebook, spec.periods, spec.policy, spec.lang, spec.synthetic, spec.out == out
    ('quarterly', ['2026Q3'], 'efficiency', 'en', True, True)
    >>> validate(period="2026Q3", notebook="weekly", data_dir=data, out=out)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --notebook 'weekly': use one of quarterly, feedback, calibration, validity, audit
    >>> validate(period="2026Q3", lang="fr", data_dir=data, out=out)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: lang 'fr': use 'en' or 'zh'
    >>> validate(period="2027Q1", data_dir=data, out=out)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PeriodError: period 2027Q1: not in the data at ... (the data covers 2026Q2..2026Q3); pick a period in that range
    """
    from perfmodel.pipeline import validate_source
    from perfmodel.scoring.policy import load_policy

    if notebook not in NOTEBOOKS:
        raise UsageError.worded("errors.unknown_notebook", notebook=repr(notebook), choices=", ".join(NOTEBOOKS))
    nb_path = notebooks_dir() / NOTEBOOKS[notebook]
    if not nb_path.is_file():
        raise UsageError(f"{nb_path}: notebook not found; run from the repository")
    check_lang(lang)
    if salt is not None and notebook == "feedback":
        raise UsageError.worded("errors.pseudonymize_feedback")
    if salt is not None and notebook == "audit":
        raise UsageError.worded("errors.pseudonymize_audit")
    matrix_path = _check_matrix(matrix, notebook) if matrix not in (None, "") else None
    adjustments_path = None
    if adjustments not in (None, ""):
        from perfmodel.scoring.adjustments import read_adjustments

        if notebook not in audit.SCORE_PAGES:
            raise UsageError(f"--adjustments: for --notebook quarterly or feedback (the pages with the run's "
                             f"ratings), not --notebook {notebook}")
        if salt is not None:
            raise UsageError("--adjustments: the file names supervisors and approvers and is kept in the run "
                             "folder; not with --pseudonymize")
        if as_of not in (None, ""):
            raise UsageError("--adjustments: a period in progress (--as-of) has no final ratings to adjust; "
                             "leave one of them out")
        adjustments_path = read_adjustments(resolve_path(adjustments)).path.resolve()
    if engine not in ENGINES:
        raise UsageError.worded("errors.unknown_engine", engine=repr(engine), choices=", ".join(ENGINES))
    if int(jobs) < 1:
        raise UsageError.worded("errors.jobs_too_few", jobs=jobs)
    as_of_ts = None
    if as_of not in (None, ""):
        from perfmodel.analysis.watch import as_of_timestamp

        if notebook != "feedback":
            raise UsageError.worded("errors.as_of_feedback_only", notebook=notebook)
        if all_periods:
            raise UsageError.worded("errors.as_of_not_all")
        as_of_ts = as_of_timestamp(as_of)
    elif bool(period) == bool(all_periods):
        raise UsageError.worded("errors.period_or_all")
    out = writable_folder(out)
    folder = _data_source(data_dir)
    policy_spec = _policy_spec(policy)
    pol = load_policy(policy_spec)
    other_spec = _policy_spec(other_policy) if other_policy else None
    if other_spec:
        load_policy(other_spec)
    if period and period != "latest":
        check_period_kind(pol, period)  # syntax and kind before loading any data
    dataset = dataset if dataset is not None else validate_source(folder, engine=engine, as_of=as_of_ts)
    where, span = _coverage(dataset)
    kind = getattr(pol, "period", None) or "quarter"
    if as_of_ts is not None:
        # the as-of instant is exclusive: as of 2026-10-01 00:00 the period in progress is Q3
        current = period_containing(as_of_ts - pd.Timedelta(microseconds=1), kind).id
        if period and period != "latest" and parse_period(period).id != current:
            raise UsageError.worded("errors.period_as_of_differ", period=period, as_of=as_of, current=current)
        periods = [check_period(where, current, first=span[0], last=span[1])]
    elif all_periods:
        periods = data_periods(where, kind, complete_only=True, span=span if span[0] is not None else None)
        if not periods:
            raise PeriodError(f"{folder}: no complete {kind} in the data")
    elif period == "latest":
        periods = [latest_complete_period(where, kind, span=span if span[0] is not None else None)]
    else:
        periods = [check_period(where, period, first=span[0], last=span[1])]
    audit_dir = None
    if notebook == "audit":
        if audit_run:
            audit_dir = resolve_path(audit_run)
            audit.read_manifest(audit_dir)
        elif len(periods) == 1:
            # the published report of the period, not a calibration or another audit
            audit_dir = latest_run(Path(out), periods[0], notebook="quarterly")
            if audit_dir is None:
                raise UsageError(f"{Path(out) / periods[0]}: no complete run to audit (the latest quarterly "
                                 f"report of the period, unless --run names another); run perfmodel report "
                                 f"--period {periods[0]} first")
        else:
            raise UsageError("--notebook audit audits one run: give --period P, not --all")
    spec = ReportSpec(notebook=notebook, data_dir=folder, policy=policy_spec, lang=lang, engine=engine,
                      out=Path(out), jobs=int(jobs), seed=int(seed), periods=periods,
                      period_arg="--all" if all_periods else str(period or "--as-of"), audit_run=audit_dir,
                      other_policy=other_spec, command=list(command or []),
                      as_of=None if as_of_ts is None else as_of_ts.isoformat(), salt=salt,
                      synthetic=is_synthetic(folder), matrix=matrix_path, adjustments=adjustments_path)
    return spec, dataset


def _coverage(source) -> tuple[object, tuple]:
    """(what a period check names, (first, last) event) of validated data.

    A Dataset gives its own coverage ((None, None)); a folder checked in the engine gives
    the span of its clean rows.
    """
    from perfmodel.data.enginecheck import CheckedFolder

    if isinstance(source, CheckedFolder):
        return source.coverage()
    return source, (None, None)


def _check_matrix(matrix, notebook: str) -> Path:
    """The --matrix file, absolute, after checking it reads as a valid pairwise matrix."""
    from perfmodel.analysis.weights.pairwise import ahp

    if notebook != "calibration":
        raise UsageError.worded("errors.matrix_calibration_only", notebook=notebook)
    path = resolve_path(matrix)
    if not path.is_file():
        raise UsageError.worded("errors.matrix_not_found", matrix=matrix)
    ahp(path)  # a malformed or non-reciprocal matrix is one line here, not a failed notebook
    return path


def writable_folder(out) -> Path:
    """Return ``out`` as an absolute path after checking that run folders can be made in it.

    The nearest existing folder on the way must be a folder (not a file) that this user
    may write to. As root, ``os.access`` allows writing into any folder of a read-write
    file system; a read-only file system is then caught when the run folder is created
    (:func:`create_run_dir`), before any notebook runs.

    Returns
    -------
    pathlib.Path
        ``out`` made absolute (it need not exist yet).

    Raises
    ------
    UsageError
        One line naming ``--out`` and the reason.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> writable_folder(folder / "reports") == folder / "reports"
    True
    >>> _ = (folder / "notes.txt").write_text("not a folder")
    >>> writable_folder(folder / "notes.txt" / "reports")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --out .../notes.txt/reports: .../notes.txt is a file, not a folder; give a folder for the reports
    """
    path = Path(str(out)).expanduser().absolute()
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError.worded("errors.out_is_a_file", out=out, probe=probe)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError.worded("errors.out_read_only", out=out, probe=probe)
    return path


def _policy_spec(policy) -> str:
    # A file is made absolute (notebooks run elsewhere); a preset name stays a name.
    text = str(policy)
    if Path(text).suffix.lower() in (".yaml", ".yml") or os.sep in text:
        return str(resolve_path(text))
    return text


# --------------------------------------------------------------------------- notebooks

def kernel_name() -> str:
    """Return the name of a Jupyter kernel that runs on this interpreter (``sys.executable``).

    The ``python3`` kernelspec qualifies when its command is ``python`` (jupyter_client
    replaces that with the running interpreter) or this interpreter. Otherwise a
    ``perfmodel`` kernelspec pointing at ``sys.executable`` is installed under
    ``sys.prefix`` (what ``python -m ipykernel install --sys-prefix`` does).

    Returns
    -------
    str
        ``python3`` or ``perfmodel``.

    Examples
    --------
    >>> import sys
    >>> from jupyter_client.kernelspec import KernelSpecManager
    >>> name = kernel_name()
    >>> name in ("python3", "perfmodel")
    True
    >>> argv0 = KernelSpecManager().get_kernel_spec(name).argv[0]
    >>> argv0.startswith("python") or _same_file(argv0, sys.executable)
    True
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    ksm = KernelSpecManager()
    plain = {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}
    for name in ("python3", "perfmodel"):
        try:
            argv0 = ksm.get_kernel_spec(name).argv[0]
        except NoSuchKernel:
            continue
        if argv0 in plain or _same_file(argv0, sys.executable):
            return name
    from ipykernel.kernelspec import install

    install(kernel_name="perfmodel", display_name="Python (perfmodel)", prefix=sys.prefix)
    return "perfmodel"


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def notebook_parameters(path) -> set[str]:
    """Return the names assigned in a notebook's cell tagged ``parameters``.

    The cell is parsed with :mod:`ast` (comments may hold any text).

    Returns
    -------
    set of str
        The names (empty when no cell is tagged ``parameters``).

    Examples
    --------
    >>> from perfmodel.reporting.paths import notebooks_dir
    >>> sorted(notebook_parameters(notebooks_dir() / "quarterly_report.ipynb"))  # doctest: +NORMALIZE_WHITESPACE
    ['cache', 'data_dir', 'engine', 'lang', 'period', 'policy', 'pseudonymized', 'run_id',
     'seed']
    """
    import ast

    nb = nbformat.read(str(path), as_version=4)
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            for node in ast.parse(cell.source).body:
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, ast.AnnAssign) else [])
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def execute_notebook(source, target, parameters: dict, html_path=None, title=None,
                     kernel: str | None = None, banner: str | None = None) -> str | None:
    """Execute one notebook with papermill and convert it to offline HTML.

    Parameters the notebook does not declare are left out. The executed notebook is
    written to ``target`` even when a cell fails. With ``banner`` (the synthetic-data
    notice) the executed notebook, and so its page, starts with that text.

    Returns
    -------
    str or None
        None on success, else one line naming the notebook and the error.

    Examples
    --------
    A two-cell notebook run with ``x = 4`` (``unused`` is not declared, so it is left
    out), then with a value that makes its last cell fail:

    >>> import tempfile
    >>> import nbformat
    >>> folder = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("print(x * 2)"),
    ...     nbformat.v4.new_code_cell("1 / (x - 21) if x == 21 else None")])
    >>> nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    >>> nbformat.write(nb, folder / "demo.ipynb")
    >>> execute_notebook(folder / "demo.ipynb", folder / "out.ipynb", {"x": 4, "unused": 5},
    ...                  html_path=folder / "out.html", title="Demo") is None
    True
    >>> out = nbformat.read(folder / "out.ipynb", as_version=4)
    >>> out.cells[1].source, [o["text"] for o in out.cells[2].outputs]
    ('# Parameters\\nx = 4\\n', ['8\\n'])
    >>> "<title>Demo</title>" in (folder / "out.html").read_text(encoding="utf-8")
    True
    >>> error = execute_notebook(folder / "demo.ipynb", folder / "bad.ipynb", {"x": 21})
    >>> print(error.replace(str(folder), "<folder>"))
    <folder>/bad.ipynb: cell 4 raised ZeroDivisionError: division by zero
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from perfmodel.reporting.html import notebook_to_html

    declared = notebook_parameters(source)
    params = {k: v for k, v in parameters.items() if k in declared}
    error = None
    try:
        # The kernel's own log stays out of the user's terminal: its start-up notices (it
        # listens on localhost only, unencrypted), its log of sockets closed under it when
        # Ctrl-C stops a run and, on a successful run, "KeyboardInterrupt caught in kernel",
        # logged when the interrupt jupyter_client sends before every shutdown finds the
        # kernel still inside a message handler. A failing cell is reported through the
        # notebook, never through this log.
        with _quiet_interrupted_cell():
            papermill.execute_notebook(str(source), str(target), parameters=params,
                                       kernel_name=kernel or kernel_name(), cwd=str(repo_root()),
                                       progress_bar=False, log_output=False, language="python",
                                       extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except PapermillExecutionError as exc:
        error = f"{target}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - a kernel that dies must still mark the run failed
        error = f"{target}: {type(exc).__name__}: {exc}"
    if banner and Path(target).is_file():
        add_banner(target, banner)
    if html_path is not None and Path(target).is_file():
        try:
            notebook_to_html(target, html_path, title=title)
        except Exception as exc:  # noqa: BLE001
            error = error or f"{html_path}: HTML conversion failed: {type(exc).__name__}: {exc}"
    return error


@contextlib.contextmanager
def _quiet_interrupted_cell():
    """Keep a Ctrl-C during a cell to the one line the command prints.

    The interrupt leaves the cell's task pending in jupyter's event loop; nbclient's kernel
    shutdown then runs that loop again, the task finds the kernel gone, logs "Kernel died
    while waiting for execute reply" and ends with an error nobody retrieves, which asyncio
    prints as a traceback when the task is collected. During the run the papermill logger
    (nbclient's) prints only critical records, a failing or dead cell still reaches the
    caller as an exception, and the loop drops the report of a task that ended because its
    kernel was shut down. Inside a running loop (a notebook calling the runner) nothing is
    changed.
    """
    import asyncio
    import logging

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        from jupyter_core.utils import ensure_event_loop

        loop = ensure_event_loop()  # the loop papermill's synchronous calls run on
        if loop.get_exception_handler() is None:
            loop.set_exception_handler(_drop_dead_kernel_task)
    else:
        yield
        return
    log = logging.getLogger("papermill")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _drop_dead_kernel_task(loop, context: dict) -> None:
    from nbclient.exceptions import DeadKernelError

    if isinstance(context.get("exception"), DeadKernelError) and "future" in context:
        return  # a cell abandoned by an interrupt: its kernel was shut down on purpose
    loop.default_exception_handler(context)


BANNER_TAG = "synthetic-banner"


def add_banner(notebook_path, text: str) -> None:
    """Put the banner ``text`` first in the executed notebook at ``notebook_path`` (in place).

    The banner is an output cell tagged ``synthetic-banner``; a notebook that has one
    already is left as it is.

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "quarterly_report.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2026Q3")]),
    ...                str(path))
    >>> add_banner(path, "Synthetic data")
    >>> add_banner(path, "Synthetic data")  # once only
    >>> nb = nbformat.read(str(path), as_version=4)
    >>> len(nb.cells), nb.cells[0].metadata.tags, nb.cells[0].outputs[0].data["text/plain"]
    (2, ['synthetic-banner'], 'Synthetic data')
    """
    from perfmodel.reporting.html import banner_html

    nb = nbformat.read(str(notebook_path), as_version=4)
    if nb.cells and BANNER_TAG in nb.cells[0].get("metadata", {}).get("tags", []):
        return
    # an output, not a Markdown cell: the pages show outputs only, never an input area
    cell = nbformat.v4.new_code_cell("# notice added by perfmodel report: the data are synthetic",
                                     metadata={"tags": [BANNER_TAG]},
                                     outputs=[nbformat.v4.new_output("display_data", data={
                                         "text/html": banner_html(text), "text/plain": text})])
    cell.pop("id", None)
    if nb.nbformat_minor >= 5:
        cell["id"] = BANNER_TAG
    nb.cells.insert(0, cell)
    nbformat.write(nb, str(notebook_path))


def _execute_task(task: dict) -> tuple[str, str | None]:
    return task["key"], execute_notebook(task["source"], task["target"], task["parameters"],
                                         task.get("html"), task.get("title"), task.get("kernel"),
                                         task.get("banner"))


@contextlib.contextmanager
def _pool(jobs: int):
    """A pool of worker processes that Ctrl-C stops at once, in one line from the parent.

    Workers ignore SIGINT: Ctrl-C reaches the whole process group, and a worker torn out of
    a running notebook prints asyncio and ZMQ tracebacks. The parent, interrupted, ends the
    workers instead of waiting for their notebooks, and the interrupt goes on up (the CLI
    prints one line; the runs stay incomplete).
    """
    # spawn: the parent may hold DuckDB threads, which must not be forked.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_ctrl_c)
    try:
        yield pool
    except BaseException:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        raise
    pool.shutdown(wait=True)


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _progress(total: int, desc: str, show: bool | None):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="nb", disable=(not show) if show is not None else None,
                file=sys.stderr, leave=False)


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", str(text), flags=re.UNICODE).strip("._") or "x"


# --------------------------------------------------------------------------- one run

def run_period(spec: ReportSpec, period: str, dataset=None, *, progress: bool | None = None) -> RunResult:
    """Run the chosen notebook for one period into a new run folder.

    Returns
    -------
    RunResult
        With status ``complete`` or ``failed``; the manifest is written in both cases.

    Examples
    --------
    The validity study of a small synthetic company for 2026Q2, from the parameters
    :func:`validate` checked (about 10 seconds):

    >>> import json
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_history
    >>> folder, out = str(demo_history(tempfile.mkdtemp(), end="2026Q2")), tempfile.mkdtemp()
    >>> spec, dataset = validate(period="2026Q2", notebook="validity", data_dir=folder, out=out)
    >>> result = run_period(spec, "2026Q2", dataset, progress=False)
    >>> result.status, result.errors, result.html.name
    ('complete', [], 'validity_study.html')
    >>> result.run_dir.parent == (Path(out) / "2026Q2").absolute()
    True
    >>> manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    >>> manifest["status"], manifest["period"], manifest["run_id"] == result.run_id
    ('complete', '2026Q2', True)
    """
    from perfmodel.pipeline import validate_source
    from perfmodel.scoring.policy import load_policy
    from perfmodel.reporting.excel import write_workbook

    inputs = audit.describe_inputs(spec.data_dir, spec.policy, spec.adjustments)
    run_id, run_dir = create_run_dir(spec.out, period)
    errors: list[str] = []
    html = None
    cache = None
    params = {"notebook": spec.notebook, "period": period, "period_arg": spec.period_arg,
              "data_dir": inputs["data_dir"], "policy": spec.policy, "lang": spec.lang,
              "engine": spec.engine, "jobs": spec.jobs, "seed": spec.seed, "out": str(spec.out)}
    if spec.audit_run:
        params["run_dir"] = str(spec.audit_run)
    if spec.other_policy:
        params["other_policy"] = spec.other_policy
    if spec.as_of:
        params["as_of"] = spec.as_of  # audit verify cuts the data at it again
    if spec.matrix is not None:
        params["matrix"] = str(spec.matrix)  # copied and hashed into the run folder by the page
    if spec.synthetic:
        params["synthetic"] = True  # the data folder was written by perfmodel synth
    if spec.salt is not None:
        params["pseudonymized"] = True  # the salt itself (and its hash) is never recorded
    if spec.adjustments is not None:
        params["adjustments"] = str(spec.adjustments)
    try:
        cleanup.claim(run_dir)  # before the cache: a run killed later leaves a cache known to be stale
        (run_dir / POLICY_FILE).write_text(inputs["policy"]["text"], encoding="utf-8")
        policy = load_policy(str(run_dir / POLICY_FILE))
        # validated once (by validate, or here in a worker of --jobs): a Parquet folder stays in
        # its files, checked in the engine; this process then holds only the quarantine, the
        # row account and the small tables, and the pages read the pipeline's outputs
        source = dataset if dataset is not None else validate_source(spec.data_dir, engine=spec.engine,
                                                                      as_of=spec.as_of)
        if spec.as_of:  # mid-period: nothing after the as-of instant reaches any table or page
            from perfmodel.data.cut import cut_dataset

            source = cut_dataset(source, spec.as_of)
        dataset = getattr(source, "dataset", source)  # the summary a checked folder keeps
        adjustments = None
        if spec.adjustments is not None:  # the bytes the manifest hashed, kept beside the outputs
            adjustments = run_dir / audit.ADJUSTMENTS_FILE
            data = Path(spec.adjustments).read_bytes()
            if hashlib.sha256(data).hexdigest() != inputs["adjustments"]["sha256"]:
                raise UsageError(f"{spec.adjustments}: changed while the run started; run the report again")
            adjustments.write_bytes(data)
        tables = audit.compute_tables(source, policy, period, engine=spec.engine, adjustments=adjustments)
        del source
        if spec.salt is not None:
            tables = audit.pseudonymize_tables(tables, spec.salt)
        audit.write_tables(tables, run_dir)
        # The notebooks read the loaded dataset and the indicator panel from a cache instead
        # of computing them again (a notebook run on its own computes them). The cache lies
        # inside the run folder, so a killed run leaves nothing with personal data elsewhere.
        cached, panel = dataset, tables["panel"]
        if spec.salt is not None:  # the notebooks get pseudonyms only, never the real ids and names
            from perfmodel.data.privacy import pseudonymize, pseudonymize_dataset

            cached, panel = pseudonymize_dataset(dataset, spec.salt), pseudonymize(panel, spec.salt)
        mid = None
        if spec.notebook == "feedback" and spec.as_of:  # once here; every page reads it from the cache
            from perfmodel.reporting.mid_period import compute_mid_period

            mid = compute_mid_period(cached, period, spec.as_of, policy, engine=spec.engine)
        cache = write_cache(cached, panel, run_dir / CACHE_DIR, mid_period=mid)
        del cached, panel
        sheets = _workbook_sheets(tables, dataset, inputs, params, run_id, pseudonymized=spec.salt is not None,
                                  lang=spec.lang, salt=spec.salt)
        write_workbook(run_dir / WORKBOOK, sheets, headers=_workbook_headers(sheets, lang=spec.lang))
        nb_params = {"data_dir": inputs["data_dir"], "policy": str(run_dir / POLICY_FILE),
                     "period": period, "lang": spec.lang, "engine": spec.engine, "seed": spec.seed,
                     "run_id": run_id, "run_dir": str(spec.audit_run or ""), "cache": str(cache),
                     "other_policy": spec.other_policy or "", "as_of": spec.as_of or "",
                     "pseudonymized": spec.salt is not None}
        if spec.notebook == "calibration":  # the proposed policy and its matrix stay in the run folder
            nb_params.update(pairwise_csv=str(spec.matrix or ""), out_policy=str(run_dir))
        source = notebooks_dir() / NOTEBOOKS[spec.notebook]
        kernel = kernel_name()
        if spec.notebook == "feedback":
            from perfmodel.analysis.provisional import FEEDBACK_SCORES, period_scores, write_scores

            # the pages' per-indicator scores: provisional mid-period, final for a closed period
            if mid is not None and spec.salt is None:
                feedback_scores = mid["table"]
            else:
                feedback_scores = period_scores(dataset, period, spec.as_of, policy, engine=spec.engine,
                                                panel=tables["panel"])
            write_scores(feedback_scores, run_dir / FEEDBACK_SCORES)
            del mid, feedback_scores
            from perfmodel.pipeline import supervisor_names

            html, errors = _run_feedback(spec, source, run_dir, nb_params, tables["scores"], kernel, progress,
                                         names=supervisor_names(dataset))
        else:
            stem = Path(NOTEBOOKS[spec.notebook]).stem
            html = run_dir / f"{stem}.html"
            err = execute_notebook(source, run_dir / NOTEBOOKS[spec.notebook], nb_params, html,
                                   title=f"{stem} {period}", kernel=kernel, banner=_banner(spec))
            if err:
                errors.append(err)
    except Exception as exc:  # noqa: BLE001 - recorded in the run folder, then re-raised for the CLI
        errors.append(f"{type(exc).__name__}: {exc}")
        shutil.rmtree(run_dir / CACHE_DIR, ignore_errors=True)
        _finish(run_dir, run_id, spec, period, params, inputs, errors)
        raise
    finally:
        cleanup.release(run_dir)  # the cache, then the owner record
    status = _finish(run_dir, run_id, spec, period, params, inputs, errors)
    return RunResult(period, run_id, run_dir, status, html if html and html.is_file() else None, errors)


def write_cache(dataset, panel: pd.DataFrame, folder, *, mid_period: dict | None = None) -> Path:
    """Write what the pages show into ``folder``: the pipeline's outputs, not the raw tables.

    ``folder`` is made private (mode 0700); the runner uses ``<run_dir>/.cache``, which
    :func:`perfmodel.audit.manifest.hash_outputs` never counts as an output. The files are those of
    :func:`perfmodel.results.save_results` (the indicator panel, the quarantine, the row
    account, the supervisors' names, the tables present, and ``mid_period`` when given).

    Returns
    -------
    pathlib.Path
        The folder; the caller removes it.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel import dataset_from_frames
    >>> from perfmodel.results import has_results, load_results
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"],
    ...                              "created_at": ["2026-07-02 09:00"]})})
    >>> panel = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"],
    ...                       "indicator": ["backlog_ratio"], "value": [0.5], "numerator": [1.0],
    ...                       "denominator": [2.0], "available": [True]})
    >>> folder = write_cache(ds, panel, Path(tempfile.mkdtemp()) / CACHE_DIR)
    >>> sorted(p.name for p in folder.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['account.parquet', 'panel.parquet', 'quarantine.parquet', 'results.json',
     'supervisors.parquet']
    >>> has_results(folder), oct(folder.stat().st_mode & 0o777)
    (True, '0o700')
    >>> summary, long, mid = load_results(folder)
    >>> long[["supervisor_id", "indicator", "value"]], mid
    (  supervisor_id      indicator  value
    0            S1  backlog_ratio    0.5, None)
    """
    from perfmodel.results import save_results, summarize

    return save_results(folder, summarize(dataset), panel, mid_period=mid_period)


def _finish(run_dir, run_id, spec, period, params, inputs, errors) -> str:
    status = "failed" if errors else "complete"
    if errors:
        (run_dir / audit.FAILED).write_text("\n".join(errors) + "\n", encoding="utf-8")
    manifest = audit.build_manifest(run_dir, run_id=run_id, data_dir=spec.data_dir,
                                    policy_spec=spec.policy, parameters=params, seed=spec.seed,
                                    engine=spec.engine, period=period, status=status, errors=errors,
                                    inputs=inputs, command=spec.command)
    # last: a run without a manifest is incomplete; then sealed in the reports folder's ledger
    audit.write_manifest(run_dir, manifest, key=spec.sign_key)
    return status


def _banner(spec: ReportSpec) -> str | None:
    from perfmodel.core.i18n import t

    return t("synthetic_banner", lang=spec.lang) if spec.synthetic else None


def _index_columns(scores: pd.DataFrame, names: pd.DataFrame, *, with_scores: bool) -> pd.DataFrame:
    """Per supervisor the name and team, and (for a closed period) the total score and rating."""
    out = scores[["supervisor_id"]].drop_duplicates().astype({"supervisor_id": str})
    if not names.empty:
        named = names[["supervisor_id", "name", "team"]].astype({"supervisor_id": str})
        out = out.merge(named.drop_duplicates("supervisor_id"), on="supervisor_id", how="left")
    # mid-period totals are provisional: the pages explain them, the index does not rank on them
    if with_scores:
        keep = [c for c in ("supervisor_id", "score", "rating") if c in scores.columns]
        out = out.merge(scores[keep].astype({"supervisor_id": str}).drop_duplicates("supervisor_id"),
                        on="supervisor_id", how="left")
    return out


def _run_feedback(spec, source, run_dir, nb_params, scores, kernel, progress, names=None):
    from perfmodel.reporting.html import feedback_index

    names = names if names is not None else pd.DataFrame(columns=["supervisor_id", "name", "team"])
    folder = run_dir / "feedback"
    folder.mkdir()
    ids = sorted(scores["supervisor_id"].astype(str).unique())
    tasks = []
    for sid in ids:
        name = _safe_name(sid)
        tasks.append({"key": sid, "source": str(source), "target": str(folder / f"{name}.ipynb"),
                      "html": str(folder / f"{name}.html"), "title": f"{sid} {nb_params['period']}",
                      "kernel": kernel, "banner": _banner(spec),
                      "parameters": {**nb_params, "supervisor_id": sid}})
    errors = _run_tasks(tasks, spec.jobs, f"feedback {nb_params['period']}", progress)
    index = folder / "index.html"
    listed = pd.DataFrame({"supervisor_id": [t["key"] for t in tasks],
                           "href": [Path(t["html"]).name for t in tasks]})
    listed = listed.merge(_index_columns(scores, names, with_scores=not spec.as_of), on="supervisor_id",
                          how="left")
    feedback_index(index, listed, nb_params["period"], lang=spec.lang, banner=_banner(spec))
    return index, errors


def _run_tasks(tasks: list[dict], jobs: int, desc: str, progress) -> list[str]:
    errors: list[str] = []
    bar = _progress(len(tasks), desc, progress)
    try:
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                _, err = _execute_task(task)
                if err:
                    errors.append(err)
                bar.update(1)
        else:
            with _pool(min(jobs, len(tasks))) as pool:
                futures = [pool.submit(_execute_task, t) for t in tasks]
                for fut in as_completed(futures):
                    _, err = fut.result()
                    if err:
                        errors.append(err)
                    bar.update(1)
    finally:
        bar.close()
    return sorted(errors)


WORKBOOK_SHEETS = ("scores", "indicators", "quarantine", "manifest")


def _workbook_sheets(tables, dataset, inputs, params, run_id, *, pseudonymized: bool = False,
                     lang: str = "en", salt: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``scores.xlsx``, named in ``lang`` (``scores``/``得分`` ...), in order.

    The quarantine sheet names tables and words reasons in ``lang`` (from ``reason_code``
    and ``reason_params``, which it keeps). The scores sheet adds the supervisor's ``name``
    and ``team`` after ``supervisor_id``
    (pseudonyms in a pseudonymized run, given its ``salt``; withheld without it). The
    indicators sheet keeps the indicator id (``indicator``) and adds its name in
    ``lang`` (``indicator_name``) beside it.
    """
    from perfmodel.core.i18n import indicator_label, t

    from perfmodel.data.dataset import QUARANTINE_COLUMNS
    from perfmodel.core.i18n import reason_text, table_label

    quarantine = getattr(dataset, "quarantine", None)
    if quarantine is None:
        quarantine = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    elif pseudonymized:  # the reasons and raw records may name people: keep only where
        from perfmodel.data.privacy import withhold_quarantine

        quarantine = withhold_quarantine(quarantine)
        for col in ("reason", "record"):
            if col in quarantine.columns:
                quarantine[col] = "(withheld: pseudonymized run)"
    elif lang != "en" and "reason_code" in quarantine.columns:  # reasons worded in the page's language
        quarantine = quarantine.copy()
        quarantine["reason"] = [reason_text(c, p, lang=lang, english=r) for c, p, r in zip(
            quarantine["reason_code"], quarantine["reason_params"], quarantine["reason"])]
    if lang != "en" and "table" in quarantine.columns:
        quarantine = quarantine.copy()
        quarantine["table"] = quarantine["table"].map(lambda x: table_label(x, lang=lang))
    rows = [("run_id", run_id), ("period", params["period"]), ("data_dir", inputs["data_dir"]),
            ("policy_source", inputs["policy"]["source"]), ("policy_name", inputs["policy"]["name"]),
            ("policy_version", inputs["policy"]["version"]), ("policy_sha256", inputs["policy"]["sha256"])]
    rows += [(f"parameter.{k}", str(v)) for k, v in params.items()]
    rows += [(f"input.{i['path']}", i["sha256"]) for i in inputs["inputs"]]
    rows += [(f"version.{k}", v or "") for k, v in audit.library_versions().items()]
    manifest = pd.DataFrame(rows, columns=["item", "value"])
    indicators = tables["indicators"]
    if "indicator" in indicators.columns:
        at = list(indicators.columns).index("indicator") + 1
        indicators = indicators.copy()
        indicators.insert(at, "indicator_name", indicators["indicator"].map(
            lambda i: indicator_label(str(i), lang=lang) if pd.notna(i) else ""))
    scores = workbook_scores(tables["scores"], dataset, salt=salt, pseudonymized=pseudonymized)
    frames = {"scores": scores, "indicators": indicators, "quarantine": quarantine,
              "manifest": manifest}
    return {t(f"sheet_{name}", lang=lang): frames[name] for name in WORKBOOK_SHEETS}


# Workbook headers that differ from the pages' column labels (an id column beside a name column).
_WORKBOOK_LABELS = {"indicator": "indicator_id", "denominator": "wb_denominator"}


def _workbook_headers(sheets: dict[str, pd.DataFrame], *, lang: str) -> dict[str, dict[str, str]]:
    """Per sheet, the header of each column in ``lang`` (see :func:`perfmodel.core.i18n.columns`)."""
    from perfmodel.core.i18n import columns, indicator_label, t

    out = {}
    for name, df in sheets.items():
        cols = list(df.columns)
        labels = dict(zip(cols, columns(pd.DataFrame(columns=cols), lang=lang).columns))
        labels.update({c: t(key, lang=lang) for c, key in _WORKBOOK_LABELS.items() if c in labels})
        # a per-indicator score is points, not the indicator's value: say so in the header
        labels.update({c: t("wb_indicator_score", lang=lang, name=indicator_label(c[len("score_"):], lang=lang))
                       for c in cols if isinstance(c, str) and c.startswith("score_")})
        if name == t("sheet_manifest", lang=lang) and "value" in labels:  # a setting's value, not an indicator's
            labels["value"] = t("wb_setting_value", lang=lang)
        out[name] = labels
    return out


# --------------------------------------------------------------------------- many runs

def _run_period_task(args) -> RunResult:
    spec, period = args
    try:
        return run_period(spec, period, progress=False)
    except Exception as exc:  # noqa: BLE001 - the error is in the run folder; report it here
        return RunResult(period, "", Path(spec.out) / period, "failed", None,
                         [f"{period}: {type(exc).__name__}: {exc}"])


def run_reports(spec: ReportSpec, dataset=None, *, progress: bool | None = None) -> list[RunResult]:
    """Run every period of ``spec``: one after the other, or ``spec.jobs`` at a time.

    Returns
    -------
    list of RunResult
        In period order.

    Examples
    --------
    The validity study for the last two of the four complete quarters of a small synthetic
    company, one after the other (about 20 seconds): one run folder per period.

    >>> import dataclasses
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_history
    >>> folder, out = str(demo_history(tempfile.mkdtemp(), end="2026Q2")), tempfile.mkdtemp()
    >>> spec, dataset = validate(all_periods=True, notebook="validity", data_dir=folder, out=out)
    >>> spec.periods
    ['2025Q3', '2025Q4', '2026Q1', '2026Q2']
    >>> spec = dataclasses.replace(spec, periods=spec.periods[-2:])
    >>> results = run_reports(spec, dataset, progress=False)
    >>> [(r.period, r.status, r.run_dir.parent.name) for r in results]
    [('2026Q1', 'complete', '2026Q1'), ('2026Q2', 'complete', '2026Q2')]
    >>> sorted(p.name for p in Path(out).iterdir() if p.is_dir())
    ['2026Q1', '2026Q2']
    """
    stale = cleanup.clean_stale(spec.out, key=spec.sign_key)  # caches left by killed runs (their processes are gone)
    for path in stale.removed:
        print("perfmodel: " + messages.text("cli.stale_cache_removed", lang=spec.lang, path=path), file=sys.stderr)
    if len(spec.periods) == 1:
        return [run_period(spec, spec.periods[0], dataset, progress=progress)]
    results = []
    bar = _progress(len(spec.periods), "periods", progress)
    try:
        if spec.jobs <= 1:
            for p in spec.periods:
                results.append(_run_period_task((spec, p)))
                bar.update(1)
        else:
            inner = ReportSpec(**{**spec.__dict__, "jobs": 1})
            with _pool(min(spec.jobs, len(spec.periods))) as pool:
                futures = [pool.submit(_run_period_task, (inner, p)) for p in spec.periods]
                for fut in as_completed(futures):
                    results.append(fut.result())
                    bar.update(1)
    finally:
        bar.close()
    return sorted(results, key=lambda r: r.period)


def run_report(period: str | None = "latest", *, all_periods: bool = False, notebook: str = "quarterly",
               data_dir="data/sample", policy="efficiency", lang: str = "en", engine: str = "duckdb",
               out="reports", jobs: int = 1, seed: int = DEFAULT_SEED, audit_run=None,
               other_policy=None, progress: bool | None = None, as_of=None) -> list[RunResult]:
    """Validate the parameters, then run the report for one period or for every period.

    Parameters
    ----------
    period : str or None
        A period id, or ``"latest"`` (the latest complete period in the data).
    all_periods : bool
        Run every complete period instead (``period`` must be None).
    notebook : {"quarterly", "feedback", "calibration", "validity", "audit"}
    data_dir, policy, lang, engine, out, jobs, seed
        As on the command line.
    audit_run : path, optional
        For ``notebook="audit"``: the run to audit (default the latest complete
        quarterly report run of the period under ``out``).
    other_policy : str, optional
        For ``notebook="audit"``: a second policy whose effect on ratings is shown.
    as_of : str, optional
        For ``notebook="feedback"``: mid-period coaching as of this date; the period is
        the one in progress then (``period="latest"`` is ignored).

    Returns
    -------
    list of RunResult
        One per period, in period order.

    Raises
    ------
    PerfmodelError
        When a parameter is bad (before any folder is created).

    Examples
    --------
    The quarterly report of a small synthetic company (about 15 seconds): one run folder
    with the page, its notebook, the tables, the workbook and the manifest, and the ledger
    beside the period folders. A period outside the data stops before anything is written.

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_history
    >>> folder, out = str(demo_history(tempfile.mkdtemp(), end="2026Q2")), tempfile.mkdtemp()
    >>> [result] = run_report("2026Q2", data_dir=folder, out=out, progress=False)
    >>> result.period, result.status, result.errors, result.html.name
    ('2026Q2', 'complete', [], 'quarterly_report.html')
    >>> sorted(os.listdir(result.run_dir))  # doctest: +NORMALIZE_WHITESPACE
    ['indicators.csv', 'manifest.json', 'policy.yaml', 'quarterly_report.html',
     'quarterly_report.ipynb', 'scores.csv', 'scores.xlsx']
    >>> sorted(os.listdir(out))
    ['.ledger.lock', '2026Q2', 'ledger.jsonl']
    >>> try:
    ...     run_report("2027Q1", data_dir=folder, out=tempfile.mkdtemp())
    ... except PeriodError as exc:
    ...     print(str(exc).replace(folder, "<data>"))
    period 2027Q1: not in the data at <data> (the data covers 2025Q2..2026Q2); pick a period in that range
    """
    if as_of and period == "latest":
        period = None
    spec, dataset = validate(period=None if all_periods else period, all_periods=all_periods,
                             notebook=notebook, data_dir=data_dir, policy=policy, lang=lang, engine=engine,
                             out=out, jobs=jobs, seed=seed, audit_run=audit_run, other_policy=other_policy,
                             as_of=as_of)
    return run_reports(spec, dataset, progress=progress)
