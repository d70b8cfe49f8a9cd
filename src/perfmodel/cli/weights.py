"""``perfmodel weights``: derive indicator weights and write them as a new policy version.

Pairwise CSV (``--method ahp --matrix FILE``, repeatable, one file per dimension): a square
table whose header row and first column list the same indicator ids in the same order;
cell (i, j) = how much more important i is than j on Saaty's 1–9 scale, fractions such as
``1/3`` allowed, diagonal 1, reciprocal (see :func:`perfmodel.analysis.weights.read_pairwise_csv`).
"""
from __future__ import annotations

import sys
import warnings as _warnings
from pathlib import Path

from perfmodel.core import messages
from perfmodel.core.errors import DataError, PerfmodelWarning, UsageError
from perfmodel.core.numbers import format_number

METHODS = ("ahp", "entropy", "critic", "pca", "evidence", "equal")
DATA_METHODS = ("entropy", "critic", "pca")


def register(subparsers) -> None:
    """Add the ``weights`` command.

    Returns
    -------
    None
        The ``weights`` parser is added to ``subparsers`` with :func:`handle` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["weights"].parse_args(["--method", "ahp", "--policy", "efficiency",
    ...                                           "--matrix", "result.csv", "--matrix", "process.csv",
    ...                                           "--out", "new.yaml"])
    >>> args.method, args.matrix, args.random_index, args.accept_inconsistent, args.out, args.lang
    ('ahp', ['result.csv', 'process.csv'], 'saaty', False, 'new.yaml', 'en')
    """
    p = subparsers.add_parser(
        "weights", help="derive indicator weights (AHP, entropy, CRITIC, PCA, evidence) into a new policy",
        description="Derive indicator weights and write a new policy version with a provenance "
                    "block (method, inputs with SHA-256, consistency ratio, data periods). Within "
                    "a dimension the new weights sum to 1; dimension weights are kept unless "
                    "--result-weight is given. AHP: --matrix pairwise.csv (square CSV, indicator "
                    "ids as header and first column, cells on Saaty's 1-9 scale, e.g. 3 or 1/3), "
                    "one file per dimension. entropy/critic/pca: --data DIR (or --panel FILE) and "
                    "--period-range. evidence: --validity FILE (output of perfmodel validity) or "
                    "--data DIR.")
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--policy", required=True, metavar="FILE|PRESET", help="base policy")
    p.add_argument("--out", required=True, metavar="FILE", help="new policy YAML to write")
    p.add_argument("--matrix", action="append", default=[], metavar="CSV",
                   help="pairwise comparison matrix (ahp); repeat for several dimensions")
    p.add_argument("--accept-inconsistent", action="store_true",
                   help="ahp: write the policy even when a matrix's consistency ratio is above 0.1 "
                        "(otherwise nothing is written and the exit code is 1)")
    p.add_argument("--random-index", default="saaty", choices=("saaty", "alonso_lamata"),
                   help="random-index table for the AHP consistency ratio (default saaty)")
    p.add_argument("--data", metavar="DIR", help="dataset folder (entropy/critic/pca/evidence)")
    p.add_argument("--panel", metavar="FILE", help="a wide indicator panel (.csv/.parquet) instead of --data")
    p.add_argument("--period-range", metavar="A:B", help="periods of the data to use, e.g. 2024Q4:2026Q3 "
                                                       "(default: all)")
    p.add_argument("--validity", metavar="FILE", help="predictive-validity table (evidence)")
    p.add_argument("--floor", type=float, default=0.0,
                   help="evidence: raw weight of indicators without evidence (default 0)")
    p.add_argument("--dimension", action="append", choices=("result", "process"), default=None,
                   help="dimensions to reweigh (default: both; evidence: process)")
    p.add_argument("--result-weight", type=float, default=None,
                   help="new weight of the result dimension (process = 1 - it)")
    p.add_argument("--version", default=None, help="version of the new policy (default: base version + method)")
    p.add_argument("--table", metavar="FILE", help="also write the weights table (.csv/.parquet/.xlsx)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--lang", default="en", choices=["en", "zh"],
                   help="language of the messages and of the table (default en)")
    p.set_defaults(func=handle)


# --------------------------------------------------------------------------- shared helpers

def period_ids(spec: str | None) -> list[str] | None:
    """Period ids from ``A:B`` / ``A..B`` / ``A`` (None = all).

    Returns
    -------
    list of str or None
        The ids from A to B inclusive, or the one id; None when ``spec`` is empty.

    Examples
    --------
    >>> period_ids("2025Q1:2025Q3")
    ['2025Q1', '2025Q2', '2025Q3']
    >>> period_ids("2025-01..2025-03")
    ['2025-01', '2025-02', '2025-03']
    >>> period_ids("2025Q2"), period_ids(None)
    (['2025Q2'], None)
    """
    from perfmodel.core.periods import parse_period, period_range

    if not spec:
        return None
    for sep in (":", ".."):
        if sep in spec:
            a, b = spec.split(sep, 1)
            return [p.id for p in period_range(a.strip(), b.strip())]
    return [parse_period(spec.strip()).id]


def load_panel(data: str | None, panel: str | None, periods, *, lang: str = "en") -> "object":
    """Wide panel from a dataset folder (computing the indicators) or a panel file.

    Rows quarantined while loading the folder are counted on stderr in ``lang``.

    Returns
    -------
    pandas.DataFrame
        supervisor_id, period and one column per indicator, restricted to ``periods``
        (None = all).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "panel.csv"
    >>> pd.DataFrame({"supervisor_id": ["S001", "S002", "S001"], "period": ["2025Q1", "2025Q1", "2025Q2"],
    ...               "csat": [4.1, 3.9, 4.3]}).to_csv(path, index=False, encoding="gb18030")
    >>> load_panel(None, str(path), ["2025Q2"])
      supervisor_id  period  csat
    0          S001  2025Q2   4.3
    >>> load_panel(None, str(path), ["2026Q1"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: ...panel.csv: no rows in period(s) 2026Q1
    """
    import pandas as pd

    if panel:
        path = Path(panel)
        if not path.is_file():
            raise DataError(f"{path}: panel file not found")
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        elif path.suffix.lower() == ".csv":
            df = read_panel_csv(path)
        else:
            raise DataError(f"{path}: give a .csv or .parquet panel")
        if {"indicator", "value"} <= set(df.columns):
            raise DataError(f"{path}: looks like a long table (supervisor_id, period, indicator, value); "
                            f"write it with perfmodel indicators --wide")
        for col in ("supervisor_id", "period"):
            if col not in df.columns:
                raise DataError(f"{path}: column {col!r} is missing; a wide panel has supervisor_id, "
                                f"period and one column per indicator")
        if periods is not None:
            df = df[df["period"].astype(str).isin(periods)]
            if df.empty:
                raise DataError(f"{path}: no rows in period(s) {', '.join(periods)}")
        return df.reset_index(drop=True)
    if not data:
        raise UsageError("give --data DIR (a dataset folder) or --panel FILE")
    from perfmodel.pipeline import run_pipeline
    from perfmodel.cli._guards import report_quarantine

    run = run_pipeline(data, periods=periods)
    report_quarantine(run.dataset, out_option=None, lang=lang)
    return run.wide


def read_panel_csv(path: Path):
    """Read a panel CSV saved as UTF-8 (with or without BOM) or GB18030/GBK, as the dataset reader does.

    Returns
    -------
    pandas.DataFrame
        The table, ``supervisor_id`` and ``period`` as text.

    Examples
    --------
    A panel saved by Excel in GB18030 reads as one saved in UTF-8:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "panel.csv"
    >>> pd.DataFrame({"supervisor_id": ["S001", "S002", "S001"], "period": ["2025Q1", "2025Q1", "2025Q2"],
    ...               "csat": [4.1, 3.9, 4.3]}).to_csv(path, index=False, encoding="gb18030")
    >>> read_panel_csv(path)
      supervisor_id  period  csat
    0          S001  2025Q1   4.1
    1          S002  2025Q1   3.9
    2          S001  2025Q2   4.3
    """
    import pandas as pd

    from perfmodel.data.readers import detect_encoding

    first = detect_encoding(path)  # "utf-8" or "gb18030" from the start of the file
    tried = [first] + [e for e in ("utf-8", "gb18030") if e != first]
    for encoding in tried:
        try:
            return pd.read_csv(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                               dtype={"supervisor_id": str, "period": str})
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path}: not a CSV table ({str(exc).splitlines()[0]}); save it as CSV") from None
    raise DataError(f"{path}: the text is neither UTF-8 nor GB18030/GBK; save the file as 'CSV UTF-8'")


def data_files(data: str | None, panel: str | None) -> list[dict]:
    """Files read, with SHA-256, for the provenance block.

    Returns
    -------
    list of dict
        One ``{"path": ..., "sha256": ...}`` per file: the panel file, or the tables of
        the dataset folder; empty when neither is given.

    Examples
    --------
    >>> import hashlib
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "panel.csv"
    >>> pd.DataFrame({"supervisor_id": ["S001", "S002", "S001"], "period": ["2025Q1", "2025Q1", "2025Q2"],
    ...               "csat": [4.1, 3.9, 4.3]}).to_csv(path, index=False, encoding="gb18030")
    >>> files = data_files(None, str(path))
    >>> files[0]["path"] == str(path), files[0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    (True, True)
    >>> data_files(None, None)
    []
    """
    from perfmodel.analysis.weights.proposal import dataset_files
    from perfmodel.analysis.weights import sha256_file

    if panel:
        return [{"path": str(panel), "sha256": sha256_file(panel)}]
    return dataset_files(data) if data else []


def write_table(df, path: str | Path) -> None:
    """Write a table by suffix (perfmodel.data.exports when present, else deterministic CSV).

    Returns
    -------
    None
        ``path`` is written (.csv as UTF-8 with BOM, .parquet or .xlsx).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.csv")
    >>> write_table(pd.DataFrame({"indicator": ["csat"], "weight": [0.3]}), path)
    >>> print(open(path, encoding="utf-8-sig").read(), end="")
    indicator,weight
    csat,0.3
    """
    try:
        from perfmodel.data.exports import write_table as _write
    except ImportError:
        _write = None
    if _write is not None:
        _write(df, path)
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        df.to_parquet(path, index=False)
    elif path.suffix.lower() == ".xlsx":
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.10g", lineterminator="\n")


# --------------------------------------------------------------------------- handler

def handle(args) -> int:
    """Run ``perfmodel weights``: derive the weights, write the new policy, print old and new.

    Returns
    -------
    int
        0 when the policy is written; 1 when an AHP matrix is inconsistent (nothing written,
        unless ``--accept-inconsistent``); bad input is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> out = os.path.join(tempfile.mkdtemp(), "equal.yaml")
    >>> main(["weights", "--method", "equal", "--policy", "efficiency", "--out", out])  # doctest: +ELLIPSIS
                    indicator dimension  old_weight  new_weight
                         csat    result      0.3000      0.2000
    ...
                promotion_rate   process      0.0200      0.0833
    dimensions: result 0.6500, process 0.3500
    wrote ...equal.yaml
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["weights", "--method", "ahp", "--policy", "efficiency", "--out", out])
    perfmodel: error: --method ahp needs --matrix pairwise.csv (one per dimension)
    2
    """
    import pandas as pd

    from perfmodel.analysis import weights as W
    from perfmodel.core.i18n import t
    from perfmodel.scoring.policy import presets as _presets

    lang = getattr(args, "lang", "en")

    def say(key, **values):
        return W.weights_text(key, lang=lang, **values)

    base, _ = W.read_policy_with_provenance(args.policy)  # a preset, a file, or a file written by `weights`
    from perfmodel.cli._guards import check_output

    check_output(args.table, option="--table", data=args.data, policy=args.policy,
                 inputs=[args.panel, args.validity, *args.matrix, args.out])
    dims = args.dimension or (["process"] if args.method == "evidence" else ["result", "process"])
    inputs: list[dict] = []
    ahp_results = {}
    panel = None
    tables = []
    warnings = []

    if args.method == "ahp":
        if not args.matrix:
            raise UsageError("--method ahp needs --matrix pairwise.csv (one per dimension)")
        bad = []
        for m in args.matrix:
            res = W.ahp(W.read_pairwise_csv(m), random_index=args.random_index)
            ids = res.weights["indicator"].tolist()
            dims_of = {base.indicators[i].dimension for i in ids if i in base.indicators}
            if len(dims_of) > 1:
                raise W.WeightsUsageError("ahp_mixed_dimensions", file=str(m))
            inputs.append({"path": str(m), "sha256": W.sha256_file(m)})
            ahp_results[next(iter(dims_of)) if dims_of else str(m)] = res
            print(say("ahp_cr_line", file=str(m), cr=format_number(res.consistency_ratio, ".3f"),
                      verdict=say("ahp_consistent" if res.consistent else "ahp_not_consistent"),
                      threshold=W.CR_THRESHOLD, lambda_max=format_number(res.lambda_max, ".4f"), n=res.n))
            if not res.consistent:
                bad.append((m, res.consistency_ratio))
            if res.warning:
                warnings.append(say("cli_warning", where=str(m), text=res.consistency_warning(lang=lang)))
            tables.append(res.weights.assign(**{"consistency_ratio": res.consistency_ratio}))
        if bad and not args.accept_inconsistent:  # one line: which matrix, its CR, what to do
            m, cr = bad[0]
            print("perfmodel: " + say("ahp_refused", file=str(m), cr=format_number(cr, ".3f"), threshold=W.CR_THRESHOLD),
                  file=sys.stderr)
            return 1
    elif args.method == "equal":
        for d in dims:
            tables.append(W.equal(base.of_dimension(d)))
    else:
        periods = period_ids(args.period_range)
        if args.method == "evidence" and args.validity:
            path = Path(args.validity)
            if not path.is_file():
                raise DataError(f"{path}: validity table not found")
            vt = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else \
                pd.read_csv(path, encoding="utf-8-sig")
            inputs.append({"path": str(path), "sha256": W.sha256_file(path)})
            tables.append(W.evidence(vt, base.of_dimension("process"), floor=args.floor))
        else:
            panel = load_panel(args.data, args.panel, periods, lang=lang)
            inputs.extend(data_files(args.data, args.panel))
            if args.method == "evidence":
                from perfmodel.analysis.stats import predictive_validity

                vt = predictive_validity(panel)
                tables.append(W.evidence(vt, base.of_dimension("process"), floor=args.floor))
            else:
                fn = getattr(W, args.method)
                for d in dims:
                    members = base.of_dimension(d)
                    if members:
                        with _warnings.catch_warnings(record=True) as caught:  # printed once below, one line each
                            _warnings.simplefilter("always", PerfmodelWarning)
                            table = fn(panel, members)
                        for w in caught:
                            if issubclass(w.category, PerfmodelWarning):
                                word = getattr(w.message, "text", None)
                                shown = word(lang=lang) if callable(word) else str(w.message)
                                warnings.append(say("cli_warning", where=t(d, lang=lang), text=shown))
                            else:  # any other warning goes on as it came
                                _warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                        tables.append(table)
    extra = {"floor": args.floor} if args.method == "evidence" else {}
    extra["dimension_weights"] = "given (--result-weight)" if args.result_weight is not None else "kept"
    prov = W.make_provenance(args.method, base, inputs=inputs, ahp_results=ahp_results,
                             panel=panel, **extra)
    if args.policy in _presets():
        prov["base_policy"]["preset"] = args.policy
    else:
        prov["base_policy"]["file_sha256"] = W.sha256_file(args.policy)
    new = W.apply_weights(base, tables, result_weight=args.result_weight,
                          version=args.version or f"{base.version}+{args.method}",
                          note=f"weights from perfmodel weights --method {args.method}")
    out = W.write_policy(new, args.out, prov, overwrite=args.force)

    rows = []
    for ind, rule in new.indicators.items():
        rows.append({"indicator": ind, "dimension": rule.dimension,
                     "old_weight": base.indicators[ind].weight, "new_weight": rule.weight})
    summary = pd.DataFrame(rows)
    if args.table:
        extra = pd.concat(tables, ignore_index=True)
        write_table(summary.merge(extra.drop(columns=["weight"]), on="indicator", how="left"), args.table)
    if lang == "en":
        print(summary.to_string(index=False, float_format=lambda v: format_number(v, ".4f")))
    else:  # Chinese headers and dimension names, aligned with wide characters counted double
        from perfmodel.cli.indicators import aligned

        shown = summary.assign(dimension=[t(d, lang=lang) for d in summary["dimension"]],
                               old_weight=[format_number(v, ".4f") for v in summary["old_weight"]],
                               new_weight=[format_number(v, ".4f") for v in summary["new_weight"]])
        shown.columns = say("cli_columns")
        print(aligned(shown))
    sep = messages.text("common.list_sep", lang=lang)
    print(say("cli_dimensions", weights=sep.join(f"{t(k, lang=lang)} {format_number(v, '.4f')}" for k, v in new.dimensions.items())))
    print(messages.text("cli.wrote", lang=lang, path=out))
    for w in warnings:
        print(f"perfmodel: warning: {w}", file=sys.stderr)
    return 0
