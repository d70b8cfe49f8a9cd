"""Old module paths, kept importable after the package was arranged by layer.

``perfmodel.stats``, ``perfmodel.weights``, ``perfmodel.sensitivity`` and
``perfmodel.profiling`` are names of the product contract (SPEC §5) and stay without a
warning. Every other module path of the flat layout (``perfmodel.policy``,
``perfmodel.reports.sections``, ...) still imports, with a ``DeprecationWarning`` naming the
new path; these old paths go in the next version.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

STABLE = {
    'profiling': 'perfmodel.analysis.profiling',
    'sensitivity': 'perfmodel.analysis.sensitivity',
    'stats': 'perfmodel.analysis.stats',
    'weights': 'perfmodel.analysis.weights',
}
MOVED = {
    'adjustments': 'perfmodel.scoring.adjustments',
    'atomic': 'perfmodel.core.atomic',
    'catalogue': 'perfmodel.core.catalogue',
    'dataset': 'perfmodel.data.dataset',
    'dbsource': 'perfmodel.data.dbsource',
    'deprecation': 'perfmodel.core.deprecation',
    'enginecheck': 'perfmodel.data.enginecheck',
    'engines': 'perfmodel.indicators.engines',
    'errors': 'perfmodel.core.errors',
    'explain': 'perfmodel.analysis.explain',
    'explain_text': 'perfmodel.analysis.explain_text',
    'exports': 'perfmodel.data.exports',
    'goal_suggest': 'perfmodel.analysis.goal_suggest',
    'goals': 'perfmodel.scoring.goals',
    'hashing': 'perfmodel.core.hashing',
    'i18n': 'perfmodel.core.i18n',
    'ledger': 'perfmodel.audit.ledger',
    'leniency': 'perfmodel.indicators.leniency',
    'loader': 'perfmodel.data.loader',
    'lookalike': 'perfmodel.data.lookalike',
    'owners': 'perfmodel.core.owners',
    'parsing': 'perfmodel.data.parsing',
    'periods': 'perfmodel.core.periods',
    'plausible': 'perfmodel.data.plausible',
    'plotting': 'perfmodel.reporting.plotting',
    'policy': 'perfmodel.scoring.policy',
    'policy_diff': 'perfmodel.scoring.diff',
    'privacy': 'perfmodel.data.privacy',
    'provisional': 'perfmodel.analysis.provisional',
    'published': 'perfmodel.audit.published',
    'quotas': 'perfmodel.scoring.quotas',
    'rating_review': 'perfmodel.analysis.rating_review',
    'readers': 'perfmodel.data.readers',
    'result': 'perfmodel.core.result',
    'rules': 'perfmodel.data.rules',
    'schema': 'perfmodel.data.schema',
    'settings': 'perfmodel.core.settings',
    'smart': 'perfmodel.analysis.lint',
    'smart_goals': 'perfmodel.analysis.lint_goals',
    'sqlcells': 'perfmodel.data.sqlcells',
    'synthetic': 'perfmodel.data.synthetic',
    'targets': 'perfmodel.scoring.targets',
    'validation': 'perfmodel.data.validation',
    'watch.cut': 'perfmodel.data.cut',
    'workcalendar': 'perfmodel.data.workcalendar',
    'xlsx_guard': 'perfmodel.data.xlsx_guard',
}
PACKAGES = {
    'messages': 'perfmodel.core.messages',
    'reports': 'perfmodel.reporting',
    'synth': 'perfmodel.data.synth',
    'watch': 'perfmodel.analysis.watch',
}


def new_path(name: str) -> str | None:
    """The new dotted path of an old module path, or None when ``name`` did not move."""
    rest = name[len("perfmodel."):]
    if rest in STABLE:
        return STABLE[rest]
    if rest in MOVED:
        return MOVED[rest]
    first, _, tail = rest.partition(".")
    if first in PACKAGES:
        return PACKAGES[first] + ("." + tail if tail else "")
    if first in STABLE:
        return STABLE[first] + "." + tail
    return None


class _Loader(importlib.abc.Loader):
    # The import system gets a blank module and, from exec_module, the real one in
    # sys.modules: it returns that one and leaves its name and spec as they are.
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        sys.modules[module.__name__] = importlib.import_module(self.target)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("perfmodel."):
            return None
        new = new_path(fullname)
        if new is None:
            return None
        if fullname[len("perfmodel."):] not in STABLE:
            warnings.warn(f"{fullname} is now {new}; the old path goes in the next version",
                          DeprecationWarning, stacklevel=3)
        return importlib.util.spec_from_loader(fullname, _Loader(new))


def former_module(old: str, *new: str):
    """Return a module ``__getattr__`` giving the names of the former module ``old`` from ``new``.

    For a package that replaced a module of the same name (``perfmodel.scoring``,
    ``perfmodel.audit``): ``perfmodel.scoring.score`` still answers, with a warning naming
    ``perfmodel.scoring.scores.score``. With several new modules, the first that defines
    the name answers.
    """
    def __getattr__(name):
        if not name.startswith("__"):
            for path in new:
                module = importlib.import_module(path)
                if name in vars(module):
                    warnings.warn(f"{old}.{name} is now {path}.{name}", DeprecationWarning, stacklevel=2)
                    return vars(module)[name]
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__


def install() -> None:
    """Let the old module paths import (once per interpreter)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
