"""The simulation of the synthetic company, table by table (see the package docstring)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa

from perfmodel.data.synth.arrays import (
    _Clip, _date, _group_mean, _ids, _integer_with_mean, _lookup, _rank_within, _score_1_5, _secs, _ts,
    _width,
)
from perfmodel.data.synth.effects import CENTRES, _effect_term

#: Ordinary tickets per supervisor per 91.25 days when ``tickets`` is not given.
TICKETS_PER_SUPERVISOR_QUARTER = 300

_DAY = 86400
_HOUR = 3600

_SURNAMES = list("张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
          "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕",
          "文博", "子涵", "欣怡", "浩然", "宇轩", "雨桐", "佳琪", "俊杰", "婷婷", "思远",
          "晨曦", "嘉怡", "立新", "国栋"]
_REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]
_GROUP_NUMERALS = list("一二三四五六七八九十")
# Ticket volume by calendar month (Spring Festival dip in Feb, Double 11 and year end).
_MONTH_SEASON = np.array([1.10, 0.75, 1.00, 0.95, 1.00, 1.05, 1.05, 1.00, 0.95, 0.90, 1.20, 1.15])
_WEEKDAY = np.array([1.10, 1.05, 1.00, 1.00, 1.05, 0.75, 0.60])  # Monday first
_HOUR_PROFILE = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.6, 2.2, 2.4, 2.2,
                          1.6, 1.9, 2.2, 2.1, 1.9, 1.6, 1.2, 1.0, 0.9, 0.7, 0.5, 0.3])



class _Company:
    """Holds the random generator, the calendar and the generated columns."""

    def __init__(self, rng, n_sup: int, periods, tickets: int | None, betas: dict):
        self.rng = rng
        self.S = n_sup
        self.periods = periods
        self.T = len(periods)
        self.betas = betas
        self.clip = _Clip()
        self.p_start = np.array([_secs(p.start) for p in periods], dtype=np.int64)
        self.p_end = np.array([_secs(p.end) for p in periods], dtype=np.int64)
        self.p_start_day = self.p_start // _DAY
        self.p_days = (self.p_end - self.p_start) // _DAY
        self.horizon = int(self.p_end[-1])
        total_days = int(self.p_days.sum())
        if tickets is None:
            tickets = int(round(TICKETS_PER_SUPERVISOR_QUARTER * n_sup * total_days / 91.25))
        self.n_tickets = int(tickets)
        self.tables: dict[str, pa.Table] = {}
        self.realised: dict[str, np.ndarray] = {}

    # -- latents ---------------------------------------------------------------------
    def latent(self) -> np.ndarray:
        """A standard-normal persistent level plus period shock, (S, T)."""
        level = self.rng.standard_normal(self.S)[:, None]
        shock = self.rng.standard_normal((self.S, self.T))
        return level, shock

    def period_of(self, secs: np.ndarray) -> np.ndarray:
        """Index of the period containing each timestamp (-1 before, T after)."""
        idx = np.searchsorted(self.p_start, secs, side="right") - 1
        return np.where(secs >= self.horizon, self.T, idx)

    # -- supervisors -------------------------------------------------------------------
    def supervisors(self):
        rng, S = self.rng, self.S
        grid = len(_SURNAMES) * len(_GIVEN)
        pick = rng.choice(grid, size=S, replace=S > grid)
        names = [_SURNAMES[i // len(_GIVEN)] + _GIVEN[i % len(_GIVEN)] for i in pick]
        region_idx = rng.integers(0, len(_REGIONS), S)
        group = np.zeros(S, dtype=np.int64)
        for r in range(len(_REGIONS)):  # number the groups within each region
            sel = np.flatnonzero(region_idx == r)
            group[sel] = np.arange(sel.size) // 3
        teams = [f"{_REGIONS[r]}售后{_GROUP_NUMERALS[g] if g < 10 else g + 1}组"
                 for r, g in zip(region_idx, group)]
        self.sup_w = _width(S)
        self.tables["supervisors"] = pa.table({
            "supervisor_id": _ids("S", np.arange(1, S + 1), self.sup_w),
            "name": pa.array(names, pa.string()),
            "team": pa.array(teams, pa.string()),
            "region": pa.array([_REGIONS[r] for r in region_idx], pa.string()),
        })

    def sup_ids(self, sup: np.ndarray) -> pa.Array:
        return _lookup(self.tables["supervisors"]["supervisor_id"], sup)

    # -- staff -----------------------------------------------------------------------
    def staff(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        to_level, to_shock = self.latent()
        pr_level, pr_shock = self.latent()
        p_leave = np.clip(np.exp(np.log(0.06) + 0.35 * to_level + 0.45 * to_shock), 0.0, 0.6)
        p_promote = np.clip(np.exp(np.log(0.03) + 0.35 * pr_level + 0.45 * pr_shock), 0.0, 0.5)
        team = rng.integers(7, 15, S)
        slot_sup = np.repeat(np.arange(S), team)
        n_slots = slot_sup.size
        # initial staff
        hired = [self.p_start_day[0] - rng.integers(30, 2000, n_slots)]
        sup = [slot_sup]
        left = [np.full(n_slots, -1, dtype=np.int64)]
        promoted = [np.full(n_slots, -1, dtype=np.int64)]
        occupant = np.arange(n_slots)  # staff row index holding each slot
        n_staff = n_slots
        self.occupants_at_start = []   # per period: staff row per slot at start
        self.leave_day = []            # per period: leave day per slot (-1 none)
        self.replacement = []          # per period: staff row of the replacement (-1 none)
        leavers = np.zeros((S, T))
        promotions = np.zeros((S, T))
        for t in range(T):
            d0, nd = self.p_start_day[t], self.p_days[t]
            self.occupants_at_start.append(occupant.copy())
            leaves = rng.random(n_slots) < p_leave[slot_sup, t]
            day = d0 + rng.integers(0, nd, n_slots)
            # the number promoted is drawn per team, independent of who leaves; it goes
            # to staff not yet promoted (a leaver is promoted before leaving)
            n_prom = rng.binomial(team, p_promote[:, t])
            prom_day = d0 + rng.integers(0, nd, n_slots)
            prom_day = np.where(leaves, np.minimum(prom_day, day), prom_day)
            all_left = np.concatenate(left)
            all_prom = np.concatenate(promoted)
            eligible = all_prom[occupant] < 0
            rank = _rank_within(slot_sup, eligible, rng)
            promote = eligible & (rank < n_prom[slot_sup])
            # write leave and promotion dates into the staff rows
            flat_left = all_left
            flat_left[occupant[leaves]] = day[leaves]
            all_prom[occupant[promote]] = prom_day[promote]
            k = int(leaves.sum())
            new_rows = n_staff + np.arange(k)
            left = [flat_left, np.full(k, -1, dtype=np.int64)]
            promoted = [all_prom, np.full(k, -1, dtype=np.int64)]
            hired = [np.concatenate(hired), day[leaves]]
            sup = [np.concatenate(sup), slot_sup[leaves]]
            repl = np.full(n_slots, -1, dtype=np.int64)
            repl[leaves] = new_rows
            self.leave_day.append(np.where(leaves, day, -1))
            self.replacement.append(repl)
            occupant = occupant.copy()
            occupant[leaves] = new_rows
            n_staff += k
            np.add.at(leavers[:, t], slot_sup[leaves], 1)
            np.add.at(promotions[:, t], slot_sup[promote], 1)
        self.slot_sup = slot_sup
        self.team = team
        self.staff_sup = np.concatenate(sup)
        hired_on = np.concatenate(hired)
        left_on = np.concatenate(left)
        promoted_on = np.concatenate(promoted)
        self.n_staff = n_staff
        self.staff_w = _width(n_staff)
        # headcount is constant (same-day replacement), so both rates divide by team size
        self.realised["staff_turnover_rate"] = leavers / team[:, None]
        self.realised["promotion_rate"] = promotions / team[:, None]
        self.tables["staff"] = pa.table({
            "staff_id": _ids("E", np.arange(1, n_staff + 1), self.staff_w),
            "supervisor_id": self.sup_ids(self.staff_sup),
            "hired_on": _date(hired_on),
            "left_on": _date(np.maximum(left_on, 0), left_on < 0),
            "promoted_on": _date(np.maximum(promoted_on, 0), promoted_on < 0),
        })

    # -- training --------------------------------------------------------------------
    def training(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        tr_level, tr_shock = self.latent()
        sg_level, sg_shock = self.latent()
        p_done = np.clip(0.80 + 0.05 * tr_level + 0.06 * tr_shock, 0.3, 0.99)
        gain = 8.0 + 2.5 * sg_level + 2.5 * sg_shock
        cols = {k: [] for k in ("staff", "course", "due", "done", "pre", "post")}
        n_courses = 6
        for t in range(T):
            occ = self.occupants_at_start[t]
            n = occ.size
            k = 1 + (rng.random(n) < 0.5)
            order = np.argsort(rng.random((n, n_courses)), axis=1)
            take = np.arange(n_courses)[None, :] < k[:, None]
            staff_row = np.broadcast_to(occ[:, None], (n, n_courses))[take]
            course = order[take] + t * n_courses
            m = staff_row.size
            sup = self.staff_sup[staff_row]
            due = self.p_start_day[t] + rng.integers(0, self.p_days[t], m)
            on_time = rng.random(m) < p_done[sup, t]
            late = ~on_time & (rng.random(m) < 0.6)
            done = np.where(on_time, due - rng.integers(0, 31, m),
                            np.where(late, due + rng.integers(1, 46, m), -1))
            done = np.where(done >= self.horizon // _DAY, -1, done)
            pre = np.clip(np.round(rng.normal(62, 12, m)), 0, 100)
            done_t = np.clip(np.searchsorted(self.p_start_day, done, side="right") - 1, 0, T - 1)
            post = np.clip(pre + np.round(rng.normal(gain[sup, done_t], 6.0)), 0, 100)
            post = np.where(done >= 0, post, np.nan)
            pre = np.where(rng.random(m) < 0.04, np.nan, pre)
            for key, val in zip(cols, (staff_row, course, due, done, pre, post)):
                cols[key].append(val)
        c = {k: np.concatenate(v) for k, v in cols.items()}
        sup = self.staff_sup[c["staff"]]
        due_t = np.searchsorted(self.p_start_day, c["due"], side="right") - 1
        on_time = (c["done"] >= 0) & (c["done"] <= c["due"])
        g = sup * T + due_t
        self.realised["training_completion_rate"] = _group_mean(g, on_time.astype(float), S * T).reshape(S, T)
        both = (c["done"] >= 0) & ~np.isnan(c["pre"]) & ~np.isnan(c["post"])
        done_t = np.searchsorted(self.p_start_day, c["done"], side="right") - 1
        inside = both & (done_t >= 0) & (done_t < T)
        gsk = (sup * T + done_t)[inside]
        self.realised["skill_gain"] = _group_mean(
            gsk, (c["post"] - c["pre"])[inside], S * T).reshape(S, T)
        order = np.lexsort((c["course"], c["staff"]))
        c = {k: v[order] for k, v in c.items()}
        period_ids = [p.id for p in self.periods]
        course_ids = [f"TR{period_ids[i // n_courses]}-{i % n_courses + 1:02d}" for i in range(T * n_courses)]
        self.tables["training"] = pa.table({
            "staff_id": _ids("E", c["staff"] + 1, self.staff_w),
            "course_id": pa.array(np.array(course_ids, dtype=object)[c["course"]], pa.string()),
            "due_on": _date(c["due"]),
            "completed_on": _date(np.maximum(c["done"], 0), c["done"] < 0),
            "pre_score": pa.array(np.nan_to_num(c["pre"]).astype(np.int64), mask=np.isnan(c["pre"])),
            "post_score": pa.array(np.nan_to_num(c["post"]).astype(np.int64), mask=np.isnan(c["post"])),
        })

    # -- audits and peer reviews ---------------------------------------------------------
    def audits(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        lv, sh = self.latent()
        p_violation = np.clip(np.exp(np.log(0.05) + 0.3 * lv + 0.35 * sh), 0.002, 0.5)
        sup_l, day_l, items_l, viol_l = [], [], [], []
        for t in range(T):
            nd = int(self.p_days[t])
            k = rng.integers(2, 5, S)
            order = np.argsort(rng.random((S, nd)), axis=1)[:, :4]
            take = np.arange(4)[None, :] < k[:, None]
            sup = np.broadcast_to(np.arange(S)[:, None], (S, 4))[take]
            day = self.p_start_day[t] + order[take]
            items = rng.integers(20, 61, sup.size)
            viol = rng.binomial(items, p_violation[sup, t])
            sup_l.append(sup); day_l.append(day); items_l.append(items); viol_l.append(viol)
        sup, day, items, viol = (np.concatenate(x) for x in (sup_l, day_l, items_l, viol_l))
        t_idx = np.searchsorted(self.p_start_day, day, side="right") - 1
        g = sup * T + t_idx
        v = np.bincount(g, weights=viol, minlength=S * T)
        n = np.bincount(g, weights=items, minlength=S * T)
        self.realised["compliance_rate"] = (1 - v / n).reshape(S, T)
        order = np.lexsort((day, sup))
        self.tables["audits"] = pa.table({
            "supervisor_id": self.sup_ids(sup[order]),
            "audited_on": _date(day[order]),
            "items_checked": pa.array(items[order]),
            "violations": pa.array(viol[order]),
        })

    def peer_reviews(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        lv, sh = self.latent()
        mean = np.clip(3.8 + 0.25 * lv + 0.25 * sh, 1.5, 4.8)
        sup_l, rev_l, day_l, score_l = [], [], [], []
        for t in range(T):
            occ = self.occupants_at_start[t]
            # at least two reviewers per team and period
            reviews = (rng.random(occ.size) < 0.6) | (
                _rank_within(self.slot_sup, np.ones(occ.size, dtype=bool), rng) < 2)
            sup = self.slot_sup[reviews]
            day = self.p_end[t] // _DAY - rng.integers(1, 15, sup.size)
            mu = np.clip(mean[sup, t] + rng.normal(0, 0.4, sup.size), 1.0, 5.0)
            score = _integer_with_mean(rng, mu)
            sup_l.append(sup); rev_l.append(occ[reviews]); day_l.append(day); score_l.append(score)
        sup, rev, day, score = (np.concatenate(x) for x in (sup_l, rev_l, day_l, score_l))
        t_idx = np.searchsorted(self.p_start_day, day, side="right") - 1
        self.realised["collaboration_score"] = _group_mean(sup * T + t_idx, score.astype(float),
                                                          S * T).reshape(S, T)
        order = np.lexsort((rev, day, sup))
        self.tables["peer_reviews"] = pa.table({
            "supervisor_id": self.sup_ids(sup[order]),
            "reviewer_id": _ids("E", rev[order] + 1, self.staff_w),
            "reviewed_on": _date(day[order]),
            "collaboration": pa.array(score[order]),
        })

    # -- customers ---------------------------------------------------------------------
    def customers(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        base = rng.uniform(0.02, 0.04, S)[:, None]
        time = rng.normal(0, 0.003, T)[None, :]
        term = _effect_term(self.realised["staff_turnover_rate"], "staff_turnover_rate",
                            "customer_churn_rate", self.betas)
        hazard = clip(base + time + term, 0.0, 1.0)
        n0 = rng.integers(80, 161, S)
        sup = [np.repeat(np.arange(S), n0)]
        since = [self.p_start_day[0] - rng.integers(1, 1500, sup[0].size)]
        churn = np.full(sup[0].size, -1, dtype=np.int64)
        self.alive_at_start = []
        for t in range(T):
            all_sup = np.concatenate(sup)
            all_since = np.concatenate(since)
            d0 = self.p_start_day[t]
            alive = (all_since < d0) & ((churn < 0) | (churn >= d0))
            self.alive_at_start.append(np.flatnonzero(alive))
            goes = alive & (rng.random(all_sup.size) < hazard[all_sup, t])
            churn[goes] = d0 + rng.integers(0, self.p_days[t], int(goes.sum()))
            k = rng.poisson(12 * self.p_days[t] / 91.25, S)
            new_sup = np.repeat(np.arange(S), k)
            sup.append(new_sup)
            since.append(d0 + rng.integers(0, self.p_days[t], new_sup.size))
            churn = np.concatenate([churn, np.full(new_sup.size, -1, dtype=np.int64)])
        self.cust_sup = np.concatenate(sup)
        since = np.concatenate(since)
        n = self.cust_sup.size
        self.cust_w = _width(n)
        # realised churn per SPEC: on the books at start(P), share churned in P
        den = np.zeros((S, T))
        num = np.zeros((S, T))
        for t in range(T):
            d0, d1 = self.p_start_day[t], self.p_start_day[t] + self.p_days[t]
            book = (since < d0) & ((churn < 0) | (churn >= d0))
            np.add.at(den[:, t], self.cust_sup[book], 1)
            np.add.at(num[:, t], self.cust_sup[book & (churn >= d0) & (churn < d1)], 1)
        self.realised["customer_churn_rate"] = num / den
        self.tables["customers"] = pa.table({
            "customer_id": _ids("C", np.arange(1, n + 1), self.cust_w),
            "supervisor_id": self.sup_ids(self.cust_sup),
            "since": _date(since),
            "churned_on": _date(np.maximum(churn, 0), churn < 0),
        })

    # -- tickets ---------------------------------------------------------------------
    def tickets(self):
        rng, S, T, clip = self.rng, self.S, self.T, self.clip
        fr_l, fr_s = self.latent()
        tc_l, tc_s = self.latent()
        st_l, st_s = self.latent()
        vol_l, vol_s = self.latent()
        ro_l, ro_s = self.latent()
        ch_l, ch_s = self.latent()
        fr_median_h = np.exp(np.log(4.0) + 0.3 * fr_l + 0.4 * fr_s)
        p_timely = np.clip(0.85 + 0.03 * tc_l + 0.03 * tc_s, 0.3, 0.995)
        p_stall = np.clip(np.exp(np.log(0.10) + 0.3 * st_l + 0.4 * st_s), 0.0, 0.9)
        p_carry = np.clip(np.exp(np.log(0.05) + 0.25 * st_l + 0.3 * st_s), 0.0, 0.5)
        p_reopen = np.clip(np.exp(np.log(0.06) + 0.25 * ro_l + 0.3 * ro_s), 0.0, 0.9)
        ch_median_h = np.exp(np.log(36.0) + 0.25 * ch_l + 0.25 * ch_s)
        p_complaint = rng.uniform(0.09, 0.15, S)
        cr_base = rng.uniform(0.80, 0.90, S)[:, None]
        cr_time = rng.normal(0, 0.01, T)[None, :]
        # volume: team size x seasonality x volume latent; the total is exact
        season = np.zeros(T)
        day_weights = []
        for t in range(T):
            days = self.p_start_day[t] + np.arange(self.p_days[t])
            dts = days.astype("datetime64[D]")
            month = dts.astype("datetime64[M]").astype(np.int64) % 12
            weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
            w = _MONTH_SEASON[month] * _WEEKDAY[weekday]
            season[t] = w.sum()
            day_weights.append(np.cumsum(w) / w.sum())
        weight = self.team[:, None] * season[None, :] * np.exp(0.15 * vol_l + 0.15 * vol_s)
        counts = rng.multinomial(self.n_tickets, (weight / weight.sum()).ravel()).reshape(S, T)
        hour_cdf = np.cumsum(_HOUR_PROFILE) / _HOUR_PROFILE.sum()
        slot_offset = np.concatenate([[0], np.cumsum(self.team)[:-1]])
        blocks = []
        timely_prev = np.full(S, np.nan)
        self.realised["timely_closure_rate"] = np.full((S, T), np.nan)
        for t in range(T):
            n = int(counts[:, t].sum())
            sup = np.repeat(np.arange(S), counts[:, t])
            start, end = int(self.p_start[t]), int(self.p_end[t])
            day = np.searchsorted(day_weights[t], rng.random(n), side="right")
            hour = np.searchsorted(hour_cdf, rng.random(n), side="right")
            created = start + day * _DAY + hour * _HOUR + rng.integers(0, _HOUR, n)
            complaint = rng.random(n) < p_complaint[sup]
            resp = np.maximum(60, (rng.lognormal(0, 0.9, n) * fr_median_h[sup, t] * _HOUR)).astype(np.int64)
            # ordinary tickets: 80 % carry a due_at (SLA 24/48/72 h)
            has_due = ~complaint & (rng.random(n) < 0.8)
            sla = rng.choice(np.array([24, 48, 72]), n, p=[0.3, 0.4, 0.3]) * _HOUR
            on_time = rng.random(n) < p_timely[sup, t]
            frac = rng.beta(2.0, 2.0, n)
            within = np.where(resp < sla, resp + (sla - resp) * frac, sla * (0.5 + 0.5 * frac))
            excess = rng.lognormal(np.log(20 * _HOUR), 1.0, n)
            late = np.maximum(sla + excess, resp) + 1
            no_due = ~complaint & ~has_due
            stall = no_due & (rng.random(n) < p_stall[sup, t])
            normal_nd = resp + rng.lognormal(np.log(30 * _HOUR), 1.0, n)
            stalled_res = resp + rng.lognormal(np.log(40 * _DAY), 0.6, n)
            never = stall & (rng.random(n) < 0.2)
            silent = never & (rng.random(n) < 0.6)
            # complaints: success probability from last period's realised timely closure
            term = 0.0 if t == 0 else self.betas.get(
                ("timely_closure_rate", "complaint_resolution_rate"), 0.0) * np.nan_to_num(
                timely_prev - CENTRES["timely_closure_rate"], nan=0.0)
            q = clip(cr_base[:, 0] + cr_time[0, t] + term, 0.0, 1.0)
            success = complaint & (rng.random(n) < q[sup])
            fail = complaint & ~success
            handle = rng.lognormal(0, 0.8, n) * ch_median_h[sup, t] * _HOUR
            room = end - 1 - created
            handle_ok = np.where(handle < room, handle, room * rng.uniform(0.3, 1.0, n))
            # Period-end carry-over: K[s, t] tickets straddle end(P) (backlog latent). The
            # failed complaints come first, ordinary tickets without due_at fill up the
            # rest, so the number straddling does not depend on complaint outcomes. A
            # straddling ticket keeps its own duration and is placed across end(P).
            n_fail = np.bincount(sup[fail], minlength=S)
            need = np.maximum(np.round(counts[:, t] * p_carry[:, t]).astype(np.int64) - n_fail, 0)
            fill_ok = no_due & ~stall
            # tickets of a supervisor are in random order here: take the first eligible ones
            seen = np.concatenate([[0], np.cumsum(fill_ok)])
            first_row = np.repeat(np.concatenate([[0], np.cumsum(counts[:, t])[:-1]]), counts[:, t])
            fill = fill_ok & ((seen[:-1] - seen[first_row]) < need[sup])
            straddle = fail | fill
            dur = np.select([has_due & on_time, has_due, stall, no_due, success],
                            [within, late, stalled_res, normal_nd, handle_ok], handle)
            dur = np.maximum(dur.astype(np.int64), 2)
            placed = end - np.maximum(1, (dur * rng.uniform(0.05, 0.95, n)).astype(np.int64))
            created = np.where(straddle, np.maximum(placed, start), created)
            resolved = np.where(never, -1, np.maximum(created + dur, np.where(straddle, end, 0)))
            first = np.where(silent, -1, created + np.minimum(resp, np.maximum(resolved - created, 0)))
            first = np.where(silent, -1, np.where(never, created + resp, first))
            resolved = np.where(resolved >= self.horizon, -1, resolved)
            first = np.where(first >= self.horizon, -1, first)
            due = np.where(has_due, created + sla, -1)
            # realised timely closure of this period (SPEC: created in P with a due_at)
            timely = (resolved >= 0) & (resolved <= due)
            tc = _group_mean(sup[has_due], timely[has_due].astype(float), S)
            self.realised["timely_closure_rate"][:, t] = tc
            timely_prev = tc
            # staff: a slot of the team; the replacement if the holder had left by then
            slot = slot_offset[sup] + (rng.random(n) * self.team[sup]).astype(np.int64)
            cday = created // _DAY
            left_day = self.leave_day[t][slot]
            staff = np.where((left_day >= 0) & (cday >= left_day), self.replacement[t][slot],
                             self.occupants_at_start[t][slot])
            # customer: one on the supervisor's books at the start of the period
            alive = self.alive_at_start[t]
            alive = alive[np.argsort(self.cust_sup[alive], kind="stable")]
            per_sup = np.bincount(self.cust_sup[alive], minlength=S)
            off = np.concatenate([[0], np.cumsum(per_sup)[:-1]])
            pick = off[sup] + (rng.random(n) * per_sup[sup]).astype(np.int64)
            customer = np.where(per_sup[sup] > 0, alive[np.minimum(pick, max(alive.size - 1, 0))], -1)
            cost = np.round(np.maximum(5.0, rng.lognormal(np.log(180), 0.7, n)
                                       * np.where(complaint, 1.8, 1.0)), 2)
            # ticket ids follow creation time; blocks are disjoint in time, so sorting
            # each block gives the global order
            order = np.lexsort((sup, created))
            blocks.append({k: v[order] for k, v in dict(
                sup=sup, created=created, staff=staff, customer=customer, first=first,
                resolved=resolved, due=due, complaint=complaint, cost=cost).items()})
        tk = {}
        for k in list(blocks[0]):
            tk[k] = np.concatenate([b.pop(k) for b in blocks])
        del blocks
        n = tk["sup"].size
        # reopened: drawn by the period in which the ticket was resolved
        rt = self.period_of(tk["resolved"])
        ok = (tk["resolved"] >= 0) & (rt >= 0) & (rt < T)
        p_ro = np.where(ok, p_reopen[tk["sup"], np.clip(rt, 0, T - 1)], 0.0)
        reopened = (rng.random(n) < p_ro) * (1 + rng.poisson(0.25, n))
        tk["reopened"] = np.where(tk["resolved"] >= 0, reopened, 0)
        self.tk = tk
        self.counts = counts
        self.ticket_w = _width(n)
        self.tables["tickets"] = pa.table({
            "ticket_id": _ids("T", np.arange(1, n + 1), self.ticket_w),
            "supervisor_id": _lookup(self.tables["supervisors"]["supervisor_id"], tk["sup"]),
            "created_at": _ts(tk["created"]),
            "staff_id": _lookup(self.tables["staff"]["staff_id"], tk["staff"]),
            "customer_id": _lookup(self.tables["customers"]["customer_id"], tk["customer"]),
            "first_response_at": _ts(tk["first"], tk["first"] < 0),
            "resolved_at": _ts(tk["resolved"], tk["resolved"] < 0),
            "due_at": _ts(tk["due"], tk["due"] < 0),
            "is_complaint": pa.array(tk["complaint"]),
            "reopened": pa.array(tk["reopened"].astype(np.int64)),
            "cost": pa.array(tk["cost"]),
        })
        self._ticket_indicators()

    def _ticket_indicators(self):
        """Realised ticket-based process indicators (SPEC §3), for the ground truth."""
        S, T, tk = self.S, self.T, self.tk
        ct = self.period_of(tk["created"])
        g = tk["sup"] * T + ct
        has = tk["first"] >= 0
        hours = (tk["first"] - tk["created"]) / _HOUR
        med = pd.Series(hours[has]).groupby(g[has]).median()
        fr = np.full(S * T, np.nan)
        fr[med.index.to_numpy()] = med.to_numpy()
        self.realised["first_response_hours"] = fr.reshape(S, T)
        res = tk["resolved"] >= 0
        rt = self.period_of(tk["resolved"])
        inside = res & (rt >= 0) & (rt < T)
        gr = tk["sup"] * T + np.clip(rt, 0, T - 1)
        comp = inside & tk["complaint"]
        self.realised["complaint_handling_hours"] = _group_mean(
            gr[comp], ((tk["resolved"] - tk["created"]) / _HOUR)[comp], S * T).reshape(S, T)
        self.realised["reopen_rate"] = _group_mean(
            gr[inside], (tk["reopened"] > 0)[inside].astype(float), S * T).reshape(S, T)
        n_res = np.bincount(gr[inside], minlength=S * T).reshape(S, T)
        staff_days = self.team[:, None] * self.p_days[None, :]
        self.realised["tickets_per_staff_day"] = n_res / staff_days
        created_n = np.bincount(g, minlength=S * T).reshape(S, T)
        backlog = np.zeros((S, T))
        for t in range(T):
            e = self.p_end[t]
            open_ = (tk["created"] < e) & ((tk["resolved"] < 0) | (tk["resolved"] >= e))
            backlog[:, t] = np.bincount(tk["sup"][open_], minlength=S)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.realised["backlog_ratio"] = np.where(created_n > 0, backlog / created_n, np.nan)
        comp_c = tk["complaint"]
        done = (tk["resolved"] >= 0) & (tk["resolved"] < self.p_end[np.clip(ct, 0, T - 1)])
        self.realised["complaint_resolution_rate"] = _group_mean(
            g[comp_c], done[comp_c].astype(float), S * T).reshape(S, T)

    # -- surveys and return visits ----------------------------------------------------------
    def surveys(self):
        rng, S, T, clip, tk = self.rng, self.S, self.T, self.clip, self.tk
        base = rng.normal(4.15, 0.12, S)[:, None]
        time = rng.normal(0, 0.04, T)[None, :]
        mu = base + time
        for proc in ("training_completion_rate", "compliance_rate", "first_response_hours"):
            mu = mu + _effect_term(self.realised[proc], proc, "csat", self.betas)
        mu = clip(mu, 1.3, 4.8)
        res = np.flatnonzero(tk["resolved"] >= 0)
        take = res[rng.random(res.size) < 0.35]
        when = tk["resolved"][take] + (rng.lognormal(np.log(18 * _HOUR), 0.8, take.size)).astype(np.int64)
        keep = when < self.horizon
        take, when = take[keep], when[keep]
        rt = self.period_of(when)
        m = take.size
        overall = _score_1_5(rng, mu[tk["sup"][take], rt])

        def sub(missing_share):
            step = rng.choice(np.array([-1, 0, 0, 0, 0, 1]), m)
            val = np.clip(overall + step, 1, 5)
            return pa.array(val, mask=rng.random(m) < missing_share)

        self.tables["surveys"] = pa.table({
            "ticket_id": _ids("T", take + 1, self.ticket_w),
            "responded_at": _ts(when),
            "overall": pa.array(overall),
            "attitude": sub(0.02), "resolution": sub(0.02), "speed": sub(0.05),
        })
        g = tk["sup"][take] * T + rt
        self.realised["csat"] = _group_mean(g, overall.astype(float), S * T).reshape(S, T)

    def followups(self):
        rng, S, T, clip, tk = self.rng, self.S, self.T, self.clip, self.tk
        base = rng.uniform(0.78, 0.88, S)[:, None]
        time = rng.normal(0, 0.01, T)[None, :]
        p_pos = clip(base + time + _effect_term(self.realised["collaboration_score"],
                                                "collaboration_score", "followup_positive_rate",
                                                self.betas), 0.0, 1.0)
        res = np.flatnonzero(tk["resolved"] >= 0)
        take = res[rng.random(res.size) < 0.25]
        day = (tk["resolved"][take] // _DAY) + rng.integers(1, 8, take.size)
        call = day * _DAY + rng.integers(9 * _HOUR, 18 * _HOUR, take.size)
        reached = rng.random(take.size) < 0.72
        again = ~reached & (rng.random(take.size) < 0.4)
        take2 = take[again]
        call2 = call[again] + _DAY + rng.integers(-2 * _HOUR, 2 * _HOUR, take2.size)
        reached2 = rng.random(take2.size) < 0.72
        ticket = np.concatenate([take, take2])
        called = np.concatenate([call, call2])
        reach = np.concatenate([reached, reached2])
        keep = called < self.horizon
        ticket, called, reach = ticket[keep], called[keep], reach[keep]
        ct = self.period_of(called)
        positive = rng.random(ticket.size) < p_pos[tk["sup"][ticket], ct]
        order = np.lexsort((called, ticket))
        ticket, called, reach, positive, ct = (x[order] for x in (ticket, called, reach, positive, ct))
        self.tables["followups"] = pa.table({
            "ticket_id": _ids("T", ticket + 1, self.ticket_w),
            "called_at": _ts(called),
            "reached": pa.array(reach),
            "positive": pa.array(positive, mask=~reach),
        })
        g = (tk["sup"][ticket] * T + ct)[reach]
        self.realised["followup_positive_rate"] = _group_mean(
            g, positive[reach].astype(float), S * T).reshape(S, T)

    def budgets(self):
        rng, S, T = self.rng, self.S, self.T
        expected = self.counts * 180 * math.exp(0.7 ** 2 / 2) * 1.1
        budget = np.round(expected * rng.uniform(0.9, 1.15, (S, T)), -2)
        ct = self.period_of(self.tk["created"])
        spent = np.bincount(self.tk["sup"] * T + ct, weights=self.tk["cost"], minlength=S * T)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.realised["cost_control_rate"] = np.where(budget > 0, spent.reshape(S, T) / budget, np.nan)
        sup = np.repeat(np.arange(S), T)
        period = np.tile(np.array([p.id for p in self.periods], dtype=object), S)
        self.tables["budgets"] = pa.table({
            "supervisor_id": self.sup_ids(sup),
            "period": pa.array(period, pa.string()),
            "budget": pa.array(budget.ravel()),
        })

    def run(self):
        self.supervisors()
        self.staff()
        self.training()
        self.audits()
        self.peer_reviews()
        self.customers()
        self.tickets()
        self.surveys()
        self.followups()
        self.budgets()
        return self


