"""Scoring policies (SPEC §4): a versioned YAML file, read as data and validated.

A policy says which indicators count, in which dimension (result or process), with what
weight, and how a value becomes a 0…cap score (``rule`` and its parameters). It is read
with ``yaml.safe_load`` only: no code or formula in a policy is ever evaluated.

Every problem is reported as one :class:`~perfmodel.core.errors.PolicyError` line that names
the source, the key path and the fix, e.g.::

    policy.yaml: indicators.csat.weight: weights in dimension 'result' sum to 0.95, not 1; make them sum to 1

Two presets ship with the package (``src/perfmodel/policies/``): ``efficiency`` (result
0.65 / process 0.35) and ``quality`` (result 0.55 / process 0.45). :func:`load_policy`
accepts a preset name wherever it accepts a file path.
"""
from __future__ import annotations

from perfmodel.core.errors import did_you_mean
import math
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from perfmodel.core import catalogue as cat
from perfmodel.core.errors import PolicyError, UsageError
from perfmodel.core.hashing import sha256_text

RULES = ("ratio", "linear", "bands", "gate", "deduction", "percentile")
WEIGHTED_DIMENSIONS = ("result", "process")
MISSING_MODES = ("renormalize", "zero", "fail")
PERIOD_KINDS = ("quarter", "month")
PHASES = ("efficiency", "quality", "custom")
DEFAULT_CAP = 120.0
#: ``goals: report`` shows agreed goals beside the policy's targets; ``replace`` scores with them.
GOALS_MODES = ("report", "replace")
#: Rules whose target (and floor) an agreed goal can replace.
GOAL_RULES = ("ratio", "linear", "gate", "deduction")
TOLERANCE = 1e-9
FORCED_BY = ("team", "region")  # groups within which forced-distribution quotas may apply

TOP_KEYS = ("name", "version", "description", "note", "period", "phase", "dimensions",
            "missing", "indicators", "ratings", "provenance", "goals")
INDICATOR_KEYS = ("dimension", "weight", "rule", "direction", "target", "floor", "cap",
                  "bands", "points", "relevance", "note", "within_hours")
# Indicators that take a parameter of their own (not a scoring-rule parameter).
INDICATOR_PARAMETERS = {"within_hours": ("timely_closure_business_rate",)}
# Parameters each rule needs (besides weight/dimension) and the ones it accepts.
RULE_REQUIRED = {
    "ratio": ("target",),
    "linear": ("floor", "target"),
    "bands": ("bands",),
    "gate": ("target",),
    "deduction": ("points",),
    "percentile": (),
}
RULE_ALLOWED = {
    "ratio": ("target", "cap"),
    "linear": ("floor", "target", "cap"),
    "bands": ("bands", "cap"),
    "gate": ("target", "cap"),
    "deduction": ("points", "target", "cap"),
    "percentile": ("cap",),
}


def presets() -> list[str]:
    """Return the names of the shipped presets, sorted.

    Examples
    --------
    >>> presets()
    ['efficiency', 'quality']
    """
    folder = resources.files("perfmodel.scoring").joinpath("policies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True)
class IndicatorRule:
    """How one indicator is scored.

    Attributes
    ----------
    indicator : str
        Catalogue id.
    dimension : str
        ``"result"`` or ``"process"``.
    weight : float
        Weight within its dimension (the weights of a dimension sum to 1).
    rule : str
        One of :data:`RULES`.
    direction : str
        ``"higher"`` or ``"lower"``: which way is better (from the catalogue unless the
        policy overrides it).
    target, floor, points : float or None
        Rule parameters (see SPEC §4).
    bands : tuple of (threshold, score) or None
        For ``rule: bands``, best band first.
    cap : float
        Upper clip of the score (default 120).
    relevance : str or None
        Declared reason why a process indicator drives results (SMART "Relevant").
    note : str or None
        Free text.
    within_hours : float or None
        For ``timely_closure_business_rate``: N, the working hours within which a ticket
        counts as closed in time (None: the catalogue's default).
    """

    indicator: str
    dimension: str
    weight: float
    rule: str
    direction: str
    target: float | None = None
    floor: float | None = None
    points: float | None = None
    bands: tuple[tuple[float, float], ...] | None = None
    cap: float = DEFAULT_CAP
    relevance: str | None = None
    note: str | None = None
    direction_override: bool = False
    dimension_override: bool = False
    known: bool = True
    within_hours: float | None = None

    def to_dict(self) -> dict:
        """Return the YAML mapping of this rule (only the keys that were set)."""
        out: dict[str, Any] = {"dimension": self.dimension, "weight": _num(self.weight),
                               "rule": self.rule}
        if self.direction_override:
            out["direction"] = self.direction
        for key in ("floor", "target", "points"):
            value = getattr(self, key)
            if value is not None:
                out[key] = _num(value)
        if self.bands is not None:
            out["bands"] = [[_num(t), _num(s)] for t, s in self.bands]
        if self.cap != DEFAULT_CAP:
            out["cap"] = _num(self.cap)
        if self.relevance is not None:
            out["relevance"] = self.relevance
        if self.note is not None:
            out["note"] = self.note
        if self.within_hours is not None:
            out["within_hours"] = _num(self.within_hours)
        return out


@dataclass(frozen=True)
class AgreedTarget:
    """A target (and optional floor) agreed with one supervisor for one period and indicator.

    Attributes
    ----------
    supervisor_id, period, indicator : str
    target : float
    floor : float or None
        None keeps the policy's floor.
    """

    supervisor_id: str
    period: str
    indicator: str
    target: float
    floor: float | None = None

    def apply(self, rule: IndicatorRule) -> IndicatorRule:
        """Return ``rule`` with this target (and floor, when set) in place of the policy's."""
        floor = self.floor if (self.floor is not None and rule.rule == "linear") else rule.floor
        return replace(rule, target=self.target, floor=floor)


@dataclass(frozen=True)
class Policy:
    """A validated scoring policy.

    Attributes
    ----------
    name, version : str
        Identify the policy; ``version`` is a string (quote it in YAML).
    period : str or None
        ``"quarter"`` or ``"month"`` (None when not set: the SMART check flags it).
    phase : str
        ``"efficiency"``, ``"quality"`` or ``"custom"``.
    dimensions : dict[str, float]
        Dimension weights (``result``, ``process``), summing to 1.
    missing : str
        ``"renormalize"``, ``"zero"`` or ``"fail"``.
    indicators : dict[str, IndicatorRule]
        In the policy's order.
    rating_bands : tuple of (label, threshold)
        Best first, thresholds strictly decreasing, the last one ≤ 0.
    forced_distribution : tuple of (label, quota) or None
        Quotas per rating label (same labels as the bands, same order), summing to 1.
    forced_by : str or None
        ``"team"`` or ``"region"`` when the quotas apply within each group of each period
        (``forced_distribution: {by: team, S: 0.1, ...}``); None when they apply to the
        whole population of a period.
    text : str
        The policy's text exactly as read (for audits).
    sha256 : str
        SHA-256 of ``text`` encoded in UTF-8.
    source : str
        The file path or ``preset <name>``.
    provenance : dict or None
        How the weights were obtained (written by ``perfmodel weights``); kept, not scored.
    goals : str
        ``"report"`` (default: agreed goals are shown beside the policy's targets) or
        ``"replace"`` (an agreed goal replaces the target, and floor, of its supervisor and
        period).
    agreed : tuple of AgreedTarget
        The dataset's agreed goals that apply to this policy (bound by
        :func:`perfmodel.scoring.goals.bind_goals`; empty for a policy read from its file alone).
    """

    name: str
    version: str
    period: str | None
    phase: str
    dimensions: dict[str, float]
    missing: str
    indicators: dict[str, IndicatorRule]
    rating_bands: tuple[tuple[str, float], ...]
    forced_distribution: tuple[tuple[str, float], ...] | None = None
    description: str | None = None
    note: str | None = None
    text: str = ""
    sha256: str = ""
    source: str = "policy"
    unknown_indicators: tuple[str, ...] = field(default=())
    provenance: dict | None = None
    forced_by: str | None = None
    goals: str = "report"
    agreed: tuple = field(default=(), compare=False)

    # -- views ---------------------------------------------------------------------------
    @property
    def weighted_indicators(self) -> list[str]:
        """Indicator ids of the policy in policy order (known to the catalogue)."""
        return [k for k, r in self.indicators.items() if r.known]

    def of_dimension(self, dim: str) -> list[str]:
        """Indicator ids of dimension ``dim`` in policy order."""
        return [k for k, r in self.indicators.items() if r.dimension == dim and r.known]

    def rule_for(self, indicator: str, supervisor_id, period) -> IndicatorRule:
        """The rule that scores ``indicator`` for one supervisor and period.

        Returns
        -------
        IndicatorRule
            The policy's rule, with the agreed target (and floor, when one was agreed) in
            place of the policy's when the policy says ``goals: replace`` and a goal for
            that supervisor, period and indicator applies.
        """
        rule = self.indicators[indicator]
        if self.goals != "replace":
            return rule
        for g in self.agreed:
            if g.indicator == indicator and g.supervisor_id == str(supervisor_id) and g.period == str(period):
                return g.apply(rule)
        return rule

    def agreed_for(self, indicator: str, supervisor_id, period):
        """The :class:`AgreedTarget` of one supervisor, period and indicator, or None."""
        for g in self.agreed:
            if g.indicator == indicator and g.supervisor_id == str(supervisor_id) and g.period == str(period):
                return g
        return None

    @property
    def ratings(self) -> list[str]:
        """Rating labels, best first."""
        return [label for label, _ in self.rating_bands]

    # -- writing -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Return the policy as a plain mapping in SPEC §4 layout (what :meth:`to_yaml` writes)."""
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description is not None:
            out["description"] = self.description
        if self.note is not None:
            out["note"] = self.note
        if self.period is not None:
            out["period"] = self.period
        out["phase"] = self.phase
        out["dimensions"] = {k: _num(v) for k, v in self.dimensions.items()}
        out["missing"] = self.missing
        if self.goals != "report":
            out["goals"] = self.goals
        out["indicators"] = {k: r.to_dict() for k, r in self.indicators.items()}
        fd = None if self.forced_distribution is None else {k: _num(v) for k, v in self.forced_distribution}
        if fd is not None and self.forced_by is not None:
            fd = {"by": self.forced_by, **fd}
        out["ratings"] = {"bands": {k: _num(v) for k, v in self.rating_bands},
                          "forced_distribution": fd}
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out

    def to_yaml(self) -> str:
        """Return the policy as YAML text that :func:`load_policy` reads back to an equal policy.

        Comments of the original file are not kept; the original text stays in ``text``.
        """
        return _dump(self.to_dict())

    def with_weights(self, dimensions: dict[str, float] | None = None,
                     indicators: dict[str, float] | None = None, *, version: str | None = None,
                     note: str | None = None, normalize: bool = False) -> "Policy":
        """Return a new validated policy with other weights.

        Parameters
        ----------
        dimensions : dict, optional
            New dimension weights, e.g. ``{"result": 0.6, "process": 0.4}`` (dimensions not
            named keep theirs).
        indicators : dict, optional
            New weights of some indicators of this policy (others keep theirs).
        version : str, optional
            Version of the new policy (default: this version).
        note : str, optional
            Why the weights changed (kept in the policy's ``note``).
        normalize : bool
            Rescale the dimension weights and the indicator weights of each dimension to
            sum to 1 (otherwise they must already sum to 1).

        Returns
        -------
        Policy
            Validated; its ``text`` and ``sha256`` are those of :meth:`to_yaml`.

        Raises
        ------
        PolicyError
            When a weight is unknown, negative, or the sums are not 1.
        """
        data = self.to_dict()
        if dimensions is not None:
            for k in dimensions:
                if k not in data["dimensions"] and k not in WEIGHTED_DIMENSIONS:
                    raise PolicyError(f"{self.source}: dimensions.{k}: unknown dimension; "
                                      f"use {' or '.join(WEIGHTED_DIMENSIONS)}")
            data["dimensions"].update({k: _as_number(v) for k, v in dimensions.items()})
        for k, w in (indicators or {}).items():
            if k not in data["indicators"]:
                raise PolicyError(f"{self.source}: indicators.{k}: not in this policy; "
                                  f"weights can only be changed for {', '.join(data['indicators'])}")
            data["indicators"][k]["weight"] = _as_number(w)
        if normalize:
            _normalize_weights(data)
        if version is not None:
            data["version"] = str(version)
        if note is not None:
            data["note"] = note
        return replace(policy_from_dict(data, source=f"{self.source} (reweighted)"), agreed=self.agreed)

    def summary(self) -> "pd.DataFrame":  # noqa: F821 - pandas is imported lazily
        """Return one row per indicator: indicator, dimension, weight, effective_weight, rule,
        direction, floor, target, points, bands, cap (a pandas DataFrame)."""
        import pandas as pd
        rows = []
        for k, r in self.indicators.items():
            rows.append({"indicator": k, "dimension": r.dimension, "weight": r.weight,
                         "effective_weight": r.weight * self.dimensions.get(r.dimension, 0.0),
                         "rule": r.rule, "direction": r.direction, "floor": r.floor,
                         "target": r.target, "points": r.points,
                         "bands": None if r.bands is None else _fmt_bands(r.bands), "cap": r.cap})
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------

class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (a silently overwritten weight is a bug)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}; keep only one", mark)
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


#: The largest policy file read (a policy is a few kilobytes).
MAX_POLICY_BYTES = 1 << 20
#: The most values a policy may hold once its aliases (``*name``) are expanded: an alias
#: bomb (nine aliases of nine aliases of ...) expands to billions from a few lines.
MAX_POLICY_VALUES = 100_000


def _parse_yaml(text: str, source: str):
    """The YAML document of ``text``, its expanded size checked before it is built."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_POLICY_VALUES:
            raise PolicyError(
                f"{source}: its aliases (*name) expand to more than {MAX_POLICY_VALUES:,} values; "
                f"a policy that large is an alias bomb, not a policy: write the values out or "
                f"remove the aliases")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node, memo: dict) -> int:
    """Values ``node`` holds with every alias expanded (an alias is its anchor's node)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_POLICY_VALUES + 1  # a node inside itself (a recursive alias) is too big
    total = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    for child in children:
        total += _expanded_size(child, memo)
        if total > MAX_POLICY_VALUES:
            break
    memo[key] = total
    return total


def load_policy(path_or_preset, *, strict: bool = True) -> Policy:
    """Read and validate a policy file or a shipped preset.

    Parameters
    ----------
    path_or_preset : str, pathlib.Path or Policy
        A YAML file, or a preset name (``efficiency``, ``quality``). A Policy is returned
        as is.
    strict : bool
        When False, indicators unknown to the catalogue are kept aside in
        ``unknown_indicators`` instead of raising (the SMART check reports them).

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        One line naming the file, the key path and the fix.

    Examples
    --------
    >>> pol = load_policy("efficiency")
    >>> pol.name, pol.sha256 == load_policy(pol).sha256
    ('after-sales-supervisor-efficiency', True)
    >>> load_policy("efficency")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PolicyError: policy 'efficency': no such file or preset; ...
    """
    if isinstance(path_or_preset, Policy):
        return path_or_preset
    text, source = read_policy_text(path_or_preset)
    return policy_from_text(text, source=source, strict=strict)


def split_provenance(policy: Policy) -> tuple[Policy, dict]:
    """Set aside the ``provenance`` block of a policy (written by ``perfmodel weights``).

    Returns
    -------
    (Policy, dict)
        ``policy`` unchanged and ``{}`` when it has no provenance; else the policy
        without it (its ``text`` the YAML of the remaining mapping) and the provenance.

    Examples
    --------
    >>> pol, prov = split_provenance(load_policy("efficiency"))
    >>> prov, pol.name
    ({}, 'after-sales-supervisor-efficiency')
    """
    if policy.provenance is None:
        return policy, {}
    data = policy.to_dict()
    data.pop("provenance", None)
    return policy_from_dict(data, source=policy.name), dict(policy.provenance)


def read_policy_text(path_or_preset) -> tuple[str, str]:
    """Return ``(text, source)`` of a policy file or preset (PolicyError when neither).

    Examples
    --------
    >>> text, source = read_policy_text("quality")
    >>> source, [line for line in text.splitlines() if line.startswith("name:")]
    ('preset quality', ['name: after-sales-supervisor-quality'])
    """
    p = Path(path_or_preset)
    raw = str(path_or_preset)
    looks_like_path = p.suffix.lower() in (".yaml", ".yml") or "/" in raw or "\\" in raw
    if looks_like_path or (p.is_file() and raw not in presets()):
        if not p.is_file():
            raise PolicyError.worded("errors.policy_file_not_found", file=p, presets=", ".join(presets()))
        try:
            return p.read_text(encoding="utf-8-sig"), str(p)
        except UnicodeDecodeError:
            raise PolicyError.worded("errors.policy_not_utf8", file=p) from None
    name = raw
    if name not in presets():
        import difflib

        close = difflib.get_close_matches(name, list(presets()), n=1, cutoff=0.6)  # as did_you_mean
        raise PolicyError.worded("errors.policy_unknown_close" if close else "errors.policy_unknown", name=repr(name),
                                 presets=", ".join(presets()), **({"close": repr(close[0])} if close else {}))
    text = resources.files("perfmodel.scoring").joinpath("policies", f"{name}.yaml").read_text(encoding="utf-8")
    return text, f"preset {name}"


def policy_from_text(text: str, source: str = "policy", *, strict: bool = True) -> Policy:
    """Parse and validate policy YAML text.

    Returns
    -------
    Policy
        With ``text`` and ``sha256`` of ``text``.

    Examples
    --------
    >>> import hashlib
    >>> text = (
    ...     "name: 试行方案\\nversion: '1'\\ndimensions: {result: 1.0, process: 0.0}\\n"
    ...     "indicators:\\n  csat: {dimension: result, weight: 1.0, rule: linear, floor: 3.8, target: 4.3}\\n"
    ...     "ratings:\\n  bands: {优: 85, 良: 70, 合格: 0}\\n")
    >>> pol = policy_from_text(text, "trial.yaml")
    >>> pol.name, pol.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    ('试行方案', True)
    >>> policy_from_text(text.replace("weight: 1.0", "weight: -1"), "trial.yaml")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PolicyError: trial.yaml: indicators.csat.weight: negative weight -1; weights must be 0 or more
    """
    data = parse_policy_yaml(text, source)
    policy = policy_from_dict(data, source=source, strict=strict)
    return replace(policy, text=text, sha256=sha256_text(text))


def parse_policy_yaml(text: str, source: str = "policy"):
    """The YAML document of a policy's text, before validation: the one YAML reader of policies.

    Plain values only (``yaml.safe_load`` semantics), duplicate keys refused, size and
    expanded aliases bounded (:data:`MAX_POLICY_BYTES`, :data:`MAX_POLICY_VALUES`).

    Returns
    -------
    object
        The document (a mapping for a policy; None for empty text).

    Raises
    ------
    PolicyError
        One line naming ``source``, the line and column, and the fix.

    Examples
    --------
    >>> parse_policy_yaml("{name: p, version: '1'}")
    {'name': 'p', 'version': '1'}
    """
    size = len(text.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise PolicyError(f"{source}: {size:,} bytes; a policy is at most {MAX_POLICY_BYTES:,} bytes "
                          f"of YAML: remove what is not part of the policy")
    try:
        data = _parse_yaml(text, source)
    except RecursionError:
        raise PolicyError(f"{source}: nested too deeply to be a policy; fix the YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if isinstance(exc, yaml.constructor.ConstructorError):
            if "duplicate key" in problem:
                raise PolicyError(f"{source}: {where}{problem}") from None
            raise PolicyError(f"{source}: {where}{problem}; a policy holds plain values only "
                              f"(no !!python or other tags)") from None
        raise PolicyError(f"{source}: {where}not valid YAML ({problem}); fix the syntax "
                          f"(indentation, colons, brackets)") from None
    return data


def policy_from_dict(data: Any, source: str = "policy", *, strict: bool = True) -> Policy:
    """Validate a policy given as a mapping (as ``yaml.safe_load`` returns it).

    Returns
    -------
    Policy
        ``text`` is the YAML dump of the mapping.

    Examples
    --------
    >>> pol = policy_from_dict({
    ...     "name": "东区试行", "version": "1",
    ...     "dimensions": {"result": 0.7, "process": 0.3},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
    ...                  "floor": 3.8, "target": 4.3},
    ...         "timely_closure_rate": {"dimension": "process", "weight": 1.0, "rule": "ratio",
    ...                                 "target": 0.9}},
    ...     "ratings": {"bands": {"优": 85, "良": 70, "合格": 0}}})
    >>> pol.name, pol.weighted_indicators, pol.ratings
    ('东区试行', ['csat', 'timely_closure_rate'], ['优', '良', '合格'])
    """
    v = _Validator(source, strict)
    policy = v.policy(data)
    if not policy.text:
        text = _dump(policy.to_dict())
        policy = replace(policy, text=text, sha256=sha256_text(text))
    return policy


class _Validator:
    def __init__(self, source: str, strict: bool):
        self.source = source
        self.strict = strict

    def fail(self, path: str, message: str):
        prefix = f"{self.source}: {path}: " if path else f"{self.source}: "
        raise PolicyError(prefix + message)

    def number(self, value, path, *, minimum=None, positive=False):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"{value!r} is not a number; write a number like 0.8")
        value = float(value)
        if not math.isfinite(value):
            self.fail(path, f"{value!r} is not finite; write a finite number")
        if positive and value <= 0:
            self.fail(path, f"must be greater than 0, got {_num(value)}")
        if minimum is not None and value < minimum:
            self.fail(path, f"must be at least {_num(minimum)}, got {_num(value)}")
        return value

    def text(self, value, path, *, required=False):
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            hint = ' (quote it, e.g. version: "2026.1")' if path == "version" else ""
            self.fail(path, f"{value!r} is not text; write a non-empty string{hint}")
        return value

    def choice(self, value, path, options):
        if value not in options:
            self.fail(path, f"{value!r} is not allowed; use one of {', '.join(options)}")
        return value

    def mapping(self, value, path):
        if not isinstance(value, dict):
            what = "empty" if value is None else f"a {type(value).__name__}"
            self.fail(path, f"is {what}, not a mapping; write key: value pairs")
        return value

    # ---------------------------------------------------------------------------------
    def policy(self, data) -> Policy:
        if data is None:
            self.fail("", "the policy is empty; see SPEC §4 or the presets for the layout")
        if not isinstance(data, dict):
            self.fail("", f"the policy must be a mapping of keys, not a {type(data).__name__}; "
                          f"see SPEC §4 for the layout")
        for key in data:
            if key not in TOP_KEYS:
                self.fail(str(key), f"unknown key; use one of {', '.join(TOP_KEYS)}")
        for key in ("name", "version", "dimensions", "indicators", "ratings"):
            if key not in data:
                self.fail(key, "missing; every policy needs name, version, dimensions, "
                               "indicators and ratings")
        name = self.text(data["name"], "name", required=True)
        version = self.text(data["version"], "version", required=True)
        period = data.get("period")
        if period is not None:
            self.choice(period, "period", PERIOD_KINDS)
        phase = self.choice(data.get("phase", "custom"), "phase", PHASES)
        missing = self.choice(data.get("missing", "renormalize"), "missing", MISSING_MODES)
        goals = self.choice(data.get("goals", "report"), "goals", GOALS_MODES)

        dims = self.mapping(data["dimensions"], "dimensions")
        dimensions = {}
        for d, w in dims.items():
            if d not in WEIGHTED_DIMENSIONS:
                self.fail(f"dimensions.{d}", f"unknown dimension; use {' and '.join(WEIGHTED_DIMENSIONS)}")
            dimensions[d] = self.number(w, f"dimensions.{d}", minimum=0)
        total = sum(dimensions.values())
        if abs(total - 1) > TOLERANCE:
            first = next(iter(dimensions), "result")
            self.fail(f"dimensions.{first}", f"dimension weights sum to {_sum(total)}, not 1; "
                                             f"make them sum to 1")

        inds = self.mapping(data["indicators"], "indicators")
        if not inds:
            self.fail("indicators", "no indicators; list at least one")
        indicators: dict[str, IndicatorRule] = {}
        unknown = []
        for ind, entry in inds.items():
            r = self.indicator(str(ind), entry, dimensions)
            indicators[str(ind)] = r
            if not r.known:
                unknown.append(str(ind))
        for d, dw in dimensions.items():
            members = [k for k, r in indicators.items() if r.dimension == d]
            if not members:
                if dw > 0:
                    self.fail(f"dimensions.{d}", f"has weight {_num(dw)} but no indicator; "
                                                 f"add indicators of dimension '{d}' or set its weight to 0")
                continue
            s = sum(indicators[k].weight for k in members)
            if abs(s - 1) > TOLERANCE:
                self.fail(f"indicators.{members[0]}.weight",
                          f"weights in dimension '{d}' sum to {_sum(s)}, not 1; make them sum to 1")

        bands, forced, forced_by = self.ratings(data["ratings"])
        return Policy(name=name, version=version, period=period, phase=phase,
                      dimensions=dimensions, missing=missing, indicators=indicators,
                      rating_bands=bands, forced_distribution=forced,
                      description=self.text(data.get("description"), "description"),
                      note=self.text(data.get("note"), "note"), source=self.source,
                      unknown_indicators=tuple(unknown),
                      provenance=self.provenance(data.get("provenance")), forced_by=forced_by,
                      goals=goals)

    def provenance(self, value) -> dict | None:
        # A record of how the weights were obtained: kept as data, never scored.
        if value is None:
            return None
        return dict(self.mapping(value, "provenance"))

    def indicator(self, ind: str, entry, dimensions) -> IndicatorRule:
        base = f"indicators.{ind}"
        known = ind in cat.indicator_ids()
        if not known and self.strict:
            self.fail(base, f"unknown indicator; {did_you_mean(ind, cat.indicator_ids())}use a catalogue "
                            f"id (see `perfmodel indicators --list`)")
        entry = self.mapping(entry, base)
        for key in entry:
            if key not in INDICATOR_KEYS:
                self.fail(f"{base}.{key}", f"unknown key; use one of {', '.join(INDICATOR_KEYS)}")
        # dimension
        dim_given = "dimension" in entry
        if dim_given:
            dim = self.choice(entry["dimension"], f"{base}.dimension", WEIGHTED_DIMENSIONS)
        elif known and cat.dimension(ind) in WEIGHTED_DIMENSIONS:
            dim = cat.dimension(ind)
        else:
            self.fail(f"{base}.dimension", "missing; write dimension: result or dimension: process")
        if dim not in dimensions:
            self.fail(f"{base}.dimension", f"dimension '{dim}' has no weight in dimensions; "
                                           f"add it to dimensions")
        dim_override = dim_given and not (known and cat.dimension(ind) == dim)
        # direction
        dir_given = "direction" in entry
        if dir_given:
            direction = self.choice(entry["direction"], f"{base}.direction", cat.DIRECTIONS)
        else:
            direction = cat.direction(ind) if known else "higher"
        dir_override = dir_given and not (known and cat.direction(ind) == direction)
        # weight
        if "weight" not in entry:
            self.fail(f"{base}.weight", "missing; give the indicator's weight within its dimension")
        weight = self.number(entry["weight"], f"{base}.weight")
        if weight < 0:
            self.fail(f"{base}.weight", f"negative weight {_num(weight)}; weights must be 0 or more")
        # rule
        if "rule" not in entry:
            self.fail(f"{base}.rule", f"missing; use one of {', '.join(RULES)}")
        rule = entry["rule"]
        if rule not in RULES:
            self.fail(f"{base}.rule", f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
        for key in RULE_REQUIRED[rule]:
            if key not in entry:
                self.fail(f"{base}.{key}", f"missing; rule '{rule}' needs {' and '.join(RULE_REQUIRED[rule])}")
        for key in ("target", "floor", "points", "bands"):
            if key in entry and key not in RULE_ALLOWED[rule]:
                self.fail(f"{base}.{key}", f"not used by rule '{rule}'; remove it "
                                           f"(rule '{rule}' takes {', '.join(RULE_ALLOWED[rule])})")
        cap = self.number(entry.get("cap", DEFAULT_CAP), f"{base}.cap")
        if cap < 100:
            self.fail(f"{base}.cap", f"cap {_num(cap)} is below 100; a cap is at least 100 "
                                     f"(100 = no credit above target)")
        target = floor = points = None
        bands = None
        if "target" in entry:
            target = self.number(entry["target"], f"{base}.target")
        if "floor" in entry:
            floor = self.number(entry["floor"], f"{base}.floor")
        if rule == "ratio" and target <= 0:
            self.fail(f"{base}.target", f"ratio target must be greater than 0, got {_num(target)}")
        if rule == "linear":
            if floor == target:
                self.fail(f"{base}.floor", f"floor equals target ({_num(target)}); set the floor "
                                           f"where the score is 0, apart from the target")
            if direction == "higher" and floor > target:
                self.fail(f"{base}.floor", f"floor {_num(floor)} is above target {_num(target)} but "
                                           f"higher is better; use a floor below the target")
            if direction == "lower" and floor < target:
                self.fail(f"{base}.floor", f"floor {_num(floor)} is below target {_num(target)} but "
                                           f"lower is better; use a floor above the target")
        if rule == "deduction":
            points = self.number(entry["points"], f"{base}.points", positive=True)
            if direction == "higher" and target is None:
                self.fail(f"{base}.target", "missing; a deduction on a higher-is-better indicator "
                                            "needs the target from which points are counted")
        if rule == "bands":
            bands = self.bands(entry["bands"], f"{base}.bands", direction, cap)
        relevance = self.text(entry.get("relevance"), f"{base}.relevance")
        note = self.text(entry.get("note"), f"{base}.note")
        hours = None
        if "within_hours" in entry:
            if ind not in INDICATOR_PARAMETERS["within_hours"]:
                self.fail(f"{base}.within_hours", f"only {', '.join(INDICATOR_PARAMETERS['within_hours'])} "
                                                  f"takes within_hours; remove it")
            hours = self.number(entry["within_hours"], f"{base}.within_hours", positive=True)
        return IndicatorRule(indicator=ind, dimension=dim, weight=weight, rule=rule,
                             direction=direction, target=target, floor=floor, points=points,
                             bands=bands, cap=cap, relevance=relevance, note=note,
                             direction_override=dir_override, dimension_override=dim_override,
                             known=known, within_hours=hours)

    def bands(self, value, path, direction, cap):
        if not isinstance(value, list) or not value:
            self.fail(path, "write a list of [threshold, score] pairs, best band first, "
                            "e.g. [[0.98, 100], [0.95, 80]]")
        out = []
        for i, pair in enumerate(value):
            if not isinstance(pair, list) or len(pair) != 2:
                self.fail(f"{path}[{i}]", f"{pair!r} is not a [threshold, score] pair; write e.g. [0.95, 80]")
            t = self.number(pair[0], f"{path}[{i}]")
            s = self.number(pair[1], f"{path}[{i}]", minimum=0)
            if s > cap:
                self.fail(f"{path}[{i}]", f"score {_num(s)} is above the cap {_num(cap)}; lower it or raise cap")
            out.append((t, s))
        for i in range(1, len(out)):
            (t0, s0), (t1, s1) = out[i - 1], out[i]
            bad = t1 >= t0 if direction == "higher" else t1 <= t0
            if bad:
                order = "decreasing" if direction == "higher" else "increasing"
                self.fail(f"{path}[{i}]", f"bands out of order: threshold {_num(t1)} after "
                                          f"{_num(t0)}; with {direction} is better list thresholds "
                                          f"in strictly {order} order, best band first")
            if s1 > s0:
                self.fail(f"{path}[{i}]", f"bands out of order: score {_num(s1)} after {_num(s0)}; "
                                          f"list the best band (highest score) first")
        return tuple(out)

    def ratings(self, value):
        value = self.mapping(value, "ratings")
        for key in value:
            if key not in ("bands", "forced_distribution"):
                self.fail(f"ratings.{key}", "unknown key; use bands and forced_distribution")
        if "bands" not in value:
            self.fail("ratings.bands", "missing; write e.g. {S: 90, A: 80, B: 70, C: 60, D: 0}")
        raw = self.mapping(value["bands"], "ratings.bands")
        if not raw:
            self.fail("ratings.bands", "empty; write e.g. {S: 90, A: 80, B: 70, C: 60, D: 0}")
        bands = []
        for label, t in raw.items():
            bands.append((str(label), self.number(t, f"ratings.bands.{label}")))
        for i in range(1, len(bands)):
            if bands[i][1] >= bands[i - 1][1]:
                self.fail(f"ratings.bands.{bands[i][0]}",
                          f"bands out of order: threshold {_num(bands[i][1])} after "
                          f"{_num(bands[i - 1][1])}; list ratings best first with strictly "
                          f"decreasing thresholds")
        if bands[-1][1] > 0:
            self.fail(f"ratings.bands.{bands[-1][0]}", f"the lowest threshold is {_num(bands[-1][1])}; "
                                                       f"set it to 0 so that every score gets a rating")
        fd = value.get("forced_distribution")
        forced = forced_by = None
        if fd is not None:
            fd = dict(self.mapping(fd, "ratings.forced_distribution"))
            if "by" in fd:
                forced_by = fd.pop("by")
                if forced_by not in FORCED_BY:
                    self.fail("ratings.forced_distribution.by",
                              f"{forced_by!r} is not a group; write by: team or by: region (or leave by "
                              f"out to apply the quotas to everyone of a period)")
            labels = [b[0] for b in bands]
            keys = [str(k) for k in fd]
            for k in keys:
                if k not in labels:
                    self.fail(f"ratings.forced_distribution.{k}",
                              f"unknown rating; use the labels of ratings.bands ({', '.join(labels)})")
            quotas = []
            for label in labels:
                if label not in keys:
                    self.fail(f"ratings.forced_distribution.{label}",
                              "missing; give a quota (0 allowed) for every rating label")
                q = self.number(fd[label] if label in fd else fd[_orig_key(fd, label)],
                                f"ratings.forced_distribution.{label}", minimum=0)
                if q > 1:
                    self.fail(f"ratings.forced_distribution.{label}", f"quota {_num(q)} is above 1; "
                                                                      f"write shares like 0.2")
                quotas.append((label, q))
            s = sum(q for _, q in quotas)
            if abs(s - 1) > TOLERANCE:
                self.fail(f"ratings.forced_distribution.{labels[0]}",
                          f"quotas sum to {_sum(s)}, not 1; make them sum to 1")
            forced = tuple(quotas)
        return tuple(bands), forced, forced_by


def _as_number(value):
    """numpy and other real numbers as float; anything else unchanged (the validator names it)."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _orig_key(mapping, label):
    return next(k for k in mapping if str(k) == label)


def _normalize_weights(data: dict) -> None:
    dims = data["dimensions"]
    s = sum(float(v) for v in dims.values())
    if s > 0:
        data["dimensions"] = {k: float(v) / s for k, v in dims.items()}
    for d in list(data["dimensions"]):
        members = [k for k, e in data["indicators"].items() if e.get("dimension") == d]
        total = sum(float(data["indicators"][k]["weight"]) for k in members)
        if total > 0:
            for k in members:
                data["indicators"][k]["weight"] = float(data["indicators"][k]["weight"]) / total


def _num(x):
    """A float as an int when it is whole (so YAML shows 100, not 100.0)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def _sum(x) -> str:
    """A sum of weights for a message, without float noise (1.0499999999999998 -> 1.05)."""
    return f"{float(x):.10g}"


def _fmt_bands(bands) -> str:
    return "; ".join(f"{_num(t)}→{_num(s)}" for t, s in bands)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper, data):
    # Short lists (band pairs) in flow style, as people write them by hand.
    flow = all(not isinstance(x, (list, dict)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def check_period_kind(policy, period: str) -> str:
    """Return the kind of ``period`` after checking that ``policy`` scores by that kind.

    A policy that sets ``period: quarter`` scores quarters only (its targets are quarterly
    values), and ``period: month`` months only; a policy without ``period`` takes either.

    Returns
    -------
    str
        ``"quarter"`` or ``"month"``.

    Raises
    ------
    PeriodError
        A bad period id (from :func:`perfmodel.core.periods.parse_period`).
    UsageError
        One line naming ``--period``, the policy and a period of the right kind, e.g.
        ``--period 2026-09: the policy preset efficiency scores by quarter; give a quarter
        such as 2026Q3``.

    Examples
    --------
    >>> policy = load_policy("efficiency")
    >>> check_period_kind(policy, "2026Q3")
    'quarter'
    >>> check_period_kind(policy, "2026-09")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --period 2026-09: the policy preset efficiency scores by quarter; give a quarter such as 2026Q3
    """
    from perfmodel.core.periods import parse_period, period_containing

    p = parse_period(period)
    want = getattr(policy, "period", None)
    if want and want != p.kind:
        example = period_containing(p.start, want).id
        raise UsageError(f"--period {period}: the policy {policy.source} scores by {want}; "
                         f"give a {want} such as {example}")
    return p.kind
