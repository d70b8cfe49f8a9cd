"""Write docs/api.md: the public API of perfmodel, layer by layer, read from the sources.

    python docs/make_api.py          # rewrite docs/api.md
    python docs/make_api.py --check  # exit 1 when docs/api.md is not what the sources say

Public means a top-level function or class whose name does not start with an underscore,
in a module whose name does not either. The first line of each docstring is the summary.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "perfmodel"
OUT = ROOT / "docs" / "api.md"
LAYERS = [
    ("core", "Foundations every layer uses."),
    ("data", "The data contract, reading, parsing, validating, loading and writing tables; the synthetic company."),
    ("indicators", "The indicator definitions and the query engines that compute them."),
    ("scoring", "Policies, scores, agreed goals, quotas and adjustments."),
    ("pipeline", "The one pipeline: load, validate, periods, indicators, scores."),
    ("results", "What a run hands to its pages."),
    ("analysis", "Statistics, weights, sensitivity, profiling, lint, explain, watch."),
    ("audit", "Run manifests, their verification, the ledger."),
    ("reporting", "Notebook runs, pages, workbooks and charts."),
    ("cli", "The command line: each command parses, calls the library, prints."),
]
HEADER = """# The public API, layer by layer

Written by `python docs/make_api.py` from the sources (a test checks it is current).
A layer imports only the layers above it in this list (checked by import-linter; see
`[tool.importlinter]` in pyproject.toml). The names of SPEC §5 (`perfmodel.load_dataset`,
`perfmodel.compute_indicators`, `perfmodel.load_policy`, `perfmodel.score`,
`perfmodel.stats`, `perfmodel.weights`, `perfmodel.sensitivity`, `perfmodel.profiling`) stay
importable as they are; other module paths of earlier versions import with a
`DeprecationWarning` that names the new path.
"""


def _summary(node) -> str:
    doc = ast.get_docstring(node) or ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def _signature(node) -> str:
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    args = ast.unparse(node.args)
    if len(args) > 70:
        args = args[:67].rsplit(",", 1)[0] + ", ..."
    return f"{node.name}({args})"


def _modules(layer: str):
    single = PKG / f"{layer}.py"
    if single.exists():
        yield f"perfmodel.{layer}", single
        return
    for path in sorted((PKG / layer).rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield "perfmodel." + ".".join(parts), path


def render() -> str:
    out = [HEADER]
    for layer, about in LAYERS:
        out.append(f"\n## {layer}\n\n{about}\n")
        for name, path in _modules(layer):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            items = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                     and not n.name.startswith("_")]
            if not items:
                continue
            out.append(f"\n### `{name}`\n\n{_summary(tree)}\n")
            out.append("| name | summary |\n|---|---|")
            for n in items:
                sig = _signature(n).replace("|", "\\|")
                out.append(f"| `{sig}` | {_summary(n).replace('|', chr(92) + '|')} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT}: not current; run python docs/make_api.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
