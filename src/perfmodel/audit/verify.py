"""Verification of a report run: its manifest, its inputs, its recomputed tables and its pages.

:func:`verify_run` (``perfmodel audit verify``) checks a run folder's manifest against its
ledger entry, re-reads the inputs the manifest names, recomputes the indicator and score
tables with the policy text the manifest records, compares every hash, and compares the
published workbook and pages with the recomputed tables (:mod:`perfmodel.audit.published`).
The manifest itself is written and read by :mod:`perfmodel.audit.manifest`.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from perfmodel.core.errors import CheckFailed, DataError, PerfmodelError, UsageError
from perfmodel.core.hashing import sha256_file, sha256_text
from perfmodel.audit.manifest import (
    ADJUSTMENTS_FILE, MANIFEST, POLICY_FILE, SCORE_PAGES, SCORES_CSV, WORKBOOK, compute_tables, hash_inputs,
    hash_outputs, is_pseudonymized, load_policy_text, pseudonymize_tables, read_manifest, write_tables,
)


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

    >>> from perfmodel.audit.manifest import build_manifest, write_manifest
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
        from perfmodel.pipeline import validate_source

        engine = manifest.get("engine") or "duckdb"
        as_of = (manifest.get("parameters") or {}).get("as_of")
        # validated as the run validated it: a Parquet folder inside the engine, any other in Python
        source = validate_source(folder, engine=engine, as_of=as_of or None)
        if as_of:  # a mid-period run saw the data as of that instant only
            from perfmodel.data.cut import cut_dataset

            source = cut_dataset(source, as_of)
        data = getattr(source, "dataset", source)  # quarantine, account, supervisors
        adjustments = _recorded_adjustments(run_dir, manifest, miss)
        try:
            tables = compute_tables(source, policy, manifest["period"], engine=engine, adjustments=adjustments)
        except DataError as exc:  # a tampered adjustments file may no longer apply at all
            if adjustments is None:
                raise
            miss.append(f"{ADJUSTMENTS_FILE}: cannot be applied again: {exc}")
            tables = compute_tables(source, policy, manifest["period"], engine=engine)
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

