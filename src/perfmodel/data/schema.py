"""The data contract (SPEC §1) as data: tables, columns, types, ranges, keys.

Column kinds:

``id``        text identifier (kept as a string, never as a number)
``text``      free text (names, teams)
``timestamp`` ISO 8601 date-time; naive = local time; with an offset it is converted to
              the dataset's time zone and made naive
``date``      ``YYYY-MM-DD`` (held as a timestamp at 00:00)
``bool``      true/false, 1/0, yes/no, 是/否
``float``     a number
``period``    a period id (``2026Q3`` or ``2026-09``)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a table: its kind, whether it is required, and its allowed range.

    ``open_end`` marks an end date that may be empty (``left_on``, ``churned_on``): the
    sentinel ``9999-12-31`` that exports write for "not yet" is read as empty there.
    """

    name: str
    kind: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    nullable: bool = True
    open_end: bool = False


@dataclass(frozen=True)
class Table:
    """One table of a dataset.

    ``key`` lists the columns that identify a row (duplicates are quarantined);
    ``foreign`` maps a column to the table whose key it must match; ``order`` lists
    pairs (earlier, later) of timestamp columns where later must not precede earlier;
    ``not_above`` lists pairs (column, limit) of numbers where column must not exceed limit;
    ``after_parent`` lists triples (foreign-key column, parent column, column) of timestamps
    across tables: column must not precede ``parent column`` of the parent row that the
    foreign key names (a survey is not answered before its ticket was created). A row
    whose parent is unknown breaks the foreign key instead, and is not compared.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    foreign: dict[str, str] = field(default_factory=dict)
    order: tuple[tuple[str, str], ...] = ()
    not_above: tuple[tuple[str, str], ...] = ()
    after_parent: tuple[tuple[str, str, str], ...] = ()
    mandatory: bool = False

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind, required=False, **kw):
    return Column(name, kind, required, nullable=not required, **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "supervisors",
            (_c("supervisor_id", "id", True), _c("name", "text", True), _c("team", "text"),
             _c("region", "text")),
            key=("supervisor_id",),
            mandatory=True,
        ),
        Table(
            "staff",
            (_c("staff_id", "id", True), _c("supervisor_id", "id", True),
             _c("hired_on", "date", True), _c("left_on", "date", open_end=True), _c("promoted_on", "date")),
            key=("staff_id",),
            foreign={"supervisor_id": "supervisors"},
            order=(("hired_on", "left_on"), ("hired_on", "promoted_on")),
        ),
        Table(
            "tickets",
            (_c("ticket_id", "id", True), _c("supervisor_id", "id", True),
             _c("created_at", "timestamp", True), _c("staff_id", "id"), _c("customer_id", "id"),
             _c("first_response_at", "timestamp"), _c("resolved_at", "timestamp"),
             _c("due_at", "timestamp"), _c("is_complaint", "bool"),
             _c("reopened", "float", min=0), _c("cost", "float", min=0)),
            key=("ticket_id",),
            foreign={"supervisor_id": "supervisors"},
            order=(("created_at", "first_response_at"), ("created_at", "resolved_at"),
                   ("created_at", "due_at")),
            mandatory=True,
        ),
        Table(
            "surveys",
            (_c("ticket_id", "id", True), _c("responded_at", "timestamp", True),
             _c("overall", "float", True, min=1, max=5), _c("attitude", "float", min=1, max=5),
             _c("resolution", "float", min=1, max=5), _c("speed", "float", min=1, max=5)),
            key=("ticket_id",),
            foreign={"ticket_id": "tickets"},
            after_parent=(("ticket_id", "created_at", "responded_at"),),
        ),
        Table(
            "followups",
            (_c("ticket_id", "id", True), _c("called_at", "timestamp", True),
             _c("reached", "bool", True), _c("positive", "bool")),
            key=("ticket_id", "called_at"),
            foreign={"ticket_id": "tickets"},
            after_parent=(("ticket_id", "created_at", "called_at"),),
        ),
        Table(
            "customers",
            (_c("customer_id", "id", True), _c("supervisor_id", "id", True),
             _c("since", "date", True), _c("churned_on", "date", open_end=True)),
            key=("customer_id",),
            foreign={"supervisor_id": "supervisors"},
            order=(("since", "churned_on"),),
        ),
        Table(
            "training",
            (_c("staff_id", "id", True), _c("course_id", "id", True), _c("due_on", "date", True),
             _c("completed_on", "date"), _c("pre_score", "float", min=0, max=100),
             _c("post_score", "float", min=0, max=100)),
            key=("staff_id", "course_id"),
            foreign={"staff_id": "staff"},
        ),
        Table(
            "audits",
            (_c("supervisor_id", "id", True), _c("audited_on", "date", True),
             _c("items_checked", "float", True, min=1), _c("violations", "float", True, min=0)),
            key=("supervisor_id", "audited_on"),
            foreign={"supervisor_id": "supervisors"},
            not_above=(("violations", "items_checked"),),
        ),
        Table(
            "peer_reviews",
            (_c("supervisor_id", "id", True), _c("reviewer_id", "id", True),
             _c("reviewed_on", "date", True), _c("collaboration", "float", True, min=1, max=5)),
            key=("supervisor_id", "reviewer_id", "reviewed_on"),
            foreign={"supervisor_id": "supervisors"},
        ),
        Table(
            "budgets",
            (_c("supervisor_id", "id", True), _c("period", "period", True),
             _c("budget", "float", True, min=0)),
            key=("supervisor_id", "period"),
            foreign={"supervisor_id": "supervisors"},
        ),
        Table(
            "manager_ratings",
            (_c("rater_id", "id", True), _c("supervisor_id", "id", True),
             _c("rated_on", "date", True), _c("item", "text", True),
             _c("score", "float", True, min=1, max=5)),
            key=("rater_id", "supervisor_id", "rated_on", "item"),
            foreign={"supervisor_id": "supervisors"},
        ),
        Table(
            "self_assessments",
            (_c("supervisor_id", "id", True), _c("assessed_on", "date", True),
             _c("item", "text", True), _c("score", "float", True, min=1, max=5)),
            key=("supervisor_id", "assessed_on", "item"),
            foreign={"supervisor_id": "supervisors"},
        ),
        Table(
            "goals",
            (_c("supervisor_id", "id", True), _c("period", "period", True), _c("indicator", "id", True),
             _c("target", "float", True), _c("floor", "float"), _c("agreed_on", "date", True),
             _c("note", "text")),
            key=("supervisor_id", "period", "indicator"),
            foreign={"supervisor_id": "supervisors"},
        ),
    )
}

# Tables are validated in this order so that foreign keys point at cleaned tables.
LOAD_ORDER = ("supervisors", "staff", "customers", "tickets", "surveys", "followups",
              "training", "audits", "peer_reviews", "budgets", "manager_ratings", "self_assessments",
              "goals")
