"""The data contract's row rules as data: one list per table, in the order they are checked.

:mod:`perfmodel.data.schema` says what a table holds; this module spells out, once, every rule
a row can break, each with its quarantine reason code (SPEC §1, ``reason_code``) and the
columns it reads. :mod:`perfmodel.data.enginecheck` compiles the list to SQL; the order of the
list is the order in which the reasons of a row that breaks several rules are joined.

Kinds of rule (``Rule.check``):

``parse``       the cell cannot be read as its column's kind (codes ``unreadable``,
                ``date_field``, ``date_span``: the last two name why a date-shaped cell fails)
``too_large``   a number beyond :data:`perfmodel.data.parsing.MAX_ABS`
``lookalike``   an id that only looks like another (full-width or invisible characters)
``window``      a date outside the plausibility window (:mod:`perfmodel.data.plausible`)
``required``    a required cell is empty
``range``       a number outside the column's ``min``/``max``
``order``       ``columns[1]`` precedes ``columns[0]`` in the same row
``not_above``   ``columns[0]`` exceeds ``columns[1]`` in the same row
``key``         the key ``columns`` repeat an earlier row's
``foreign``     ``columns[0]`` is not a key of the validated table ``parent``
``after_parent`` ``columns[1]`` precedes ``other`` of the parent row ``columns[0]`` names
"""
from __future__ import annotations

from dataclasses import dataclass

from perfmodel.data.schema import TABLES


@dataclass(frozen=True)
class Rule:
    """One rule of one table.

    Attributes
    ----------
    check : str
        The kind of rule (see the module's docstring).
    code : str
        The quarantine reason code it gives (``parse``: ``unreadable``, refined per cell).
    columns : tuple of str
        The columns it reads; the quarantine's ``column`` is the first for most rules,
        the second for ``order`` and ``after_parent``, the key joined with ``+`` for ``key``.
    parent : str or None
        The parent table of ``foreign`` and ``after_parent``.
    other : str or None
        The parent's column of ``after_parent``.
    """

    check: str
    code: str
    columns: tuple[str, ...]
    parent: str | None = None
    other: str | None = None

    @property
    def column(self) -> str:
        """The quarantine ``column`` of a row breaking this rule."""
        if self.check == "key":
            return "+".join(self.columns)
        if self.check in ("order", "after_parent"):
            return self.columns[1]
        return self.columns[0]


def table_rules(name: str) -> tuple[Rule, ...]:
    """Every rule of table ``name``, in the order the validator reports them.

    Returns
    -------
    tuple of Rule
        Cell rules column by column (parse, too large, look-alike), then the date
        window column by column, then order rules, limits, required cells, ranges, the
        key, and each foreign key followed by its rules against the parent row.

    Examples
    --------
    >>> for rule in table_rules("budgets"):
    ...     print(rule.check, rule.code, rule.column, rule.parent or "")
    parse unreadable supervisor_id
    lookalike lookalike supervisor_id
    parse unreadable period
    parse unreadable budget
    too_large too_large budget
    required required_empty supervisor_id
    required required_empty period
    required required_empty budget
    range out_of_range budget
    key duplicate supervisor_id+period
    foreign not_in_parent supervisor_id supervisors
    """
    table = TABLES[name]
    rules: list[Rule] = []
    for col in table.columns:
        rules.append(Rule("parse", "unreadable", (col.name,)))
        if col.kind == "float":
            rules.append(Rule("too_large", "too_large", (col.name,)))
        if col.kind == "id":
            rules.append(Rule("lookalike", "lookalike", (col.name,)))
    rules += [Rule("window", "implausible_date", (c.name,)) for c in table.columns
              if c.kind in ("date", "timestamp")]
    # the rules between columns of a row come before the single-column ones, as pandera
    # (the pandas validator) reports them
    rules += [Rule("order", "before", (earlier, later)) for earlier, later in table.order]
    rules += [Rule("not_above", "above", (col, limit)) for col, limit in table.not_above]
    rules += [Rule("required", "required_empty", (c.name,)) for c in table.columns if c.required]
    rules += [Rule("range", "out_of_range", (c.name,)) for c in table.columns
              if c.min is not None or c.max is not None]
    if table.key:
        rules.append(Rule("key", "duplicate", tuple(table.key)))
    for column, parent in table.foreign.items():
        rules.append(Rule("foreign", "not_in_parent", (column,), parent=parent))
        rules += [Rule("after_parent", "before_parent", (fk, mine), parent=parent, other=theirs)
                  for fk, theirs, mine in table.after_parent if fk == column]
    return tuple(rules)


RULES: dict[str, tuple[Rule, ...]] = {name: table_rules(name) for name in TABLES}
