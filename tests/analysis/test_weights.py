"""perfmodel.analysis.weights against published worked examples, hand calculations and other libraries."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path



import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis import weights as W
from perfmodel.core.errors import DataError, UsageError


def _m(text: str) -> np.ndarray:
    return np.array([[float(Fraction(c)) for c in row.split()] for row in text.strip().splitlines()])


# Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. European
# Journal of Operational Research 48, 9-26; the house example (Table 2): eight criteria
# (size, transportation, neighbourhood, age, yard, modern facilities, condition, financing).
# Published: weights .173 .054 .188 .018 .031 .036 .167 .333, lambda_max 9.669,
# CI 0.238, CR 0.169 (Saaty's RI 1.41 for n = 8) — an inconsistent matrix.
HOUSE = _m("""
1   5   3   7 6   6   1/3 1/4
1/5 1   1/3 5 3   3   1/5 1/7
1/3 3   1   6 3   4   6   1/5
1/7 1/5 1/6 1 1/3 1/4 1/7 1/8
1/6 1/3 1/3 3 1   1/2 1/5 1/6
1/6 1/3 1/4 4 2   1   1/5 1/6
3   5   1/6 7 5   5   1   1/2
4   7   5   8 6   6   2   1
""")

# Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J.
# Services Sciences 1(1), 83-98: relative consumption of drinks in the US. Published
# derived weights (coffee, wine, tea, beer, sodas, milk, water) = .177 .019 .042 .116 .190
# .129 .327; CR 0.022 as reproduced in the AHPy documentation.
DRINKS = _m("""
1   9 5   2   1   1   1/2
1/9 1 1/3 1/9 1/9 1/9 1/9
1/5 3 1   1/3 1/4 1/3 1/9
1/2 9 3   1   1/2 1   1/3
1   9 4   2   1   2   1/2
1   9 3   1   1/2 1   1/3
2   9 9   3   2   3   1
""")

# Wikipedia, "Analytic hierarchy process – leader example", criteria matrix (experience,
# education, charisma, age); weights .548 .127 .270 .056 and CR 0.044 as given in the
# AHPy documentation (Saaty RI).
LEADER = _m("""
1   4   3   7
1/4 1   1/3 3
1/3 3   1   5
1/7 1/3 1/5 1
""")


class TestAhp:
    def test_saaty_1990_house_example(self):
        res = W.ahp(HOUSE)
        assert res.weights.weight.round(3).tolist() == [.173, .054, .188, .018, .031, .036, .167, .333]
        assert res.lambda_max == pytest.approx(9.669, abs=5e-4)
        assert res.consistency_index == pytest.approx(0.238, abs=5e-4)
        assert res.consistency_ratio == pytest.approx(0.169, abs=5e-4)
        assert res.random_index == 1.41
        assert not res.consistent
        assert "0.169" in res.warning and "> 0.1" in res.warning

    def test_saaty_2008_drinks(self):
        labels = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
        res = W.ahp(pd.DataFrame(DRINKS, index=labels, columns=labels))
        published = dict(zip(labels, [.177, .019, .042, .116, .190, .129, .327]))
        got = dict(zip(res.weights.indicator, res.weights.weight.round(3)))
        assert got == published
        assert round(res.consistency_ratio, 3) == 0.022
        assert res.consistent and res.warning is None

    def test_leader_criteria(self):
        res = W.ahp(LEADER, labels=["experience", "education", "charisma", "age"])
        assert res.weights.weight.round(3).tolist() == [.548, .127, .270, .056]
        assert round(res.consistency_ratio, 3) == 0.044

    def test_alonso_lamata_table(self):
        # Alonso & Lamata (2006), Table 3, RI for n = 3..15 from 100 000 matrices each.
        published = [0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141,
                     1.5365, 1.5551, 1.5713, 1.5838]
        assert [W.RANDOM_INDEX["alonso_lamata"][n] for n in range(3, 16)] == published
        res = W.ahp(HOUSE, random_index="alonso_lamata")
        assert res.random_index == 1.4056
        assert res.consistency_ratio == pytest.approx(0.23841 / 1.4056, abs=1e-4)
        assert res.random_index_table == "alonso_lamata"

    def test_saaty_table(self):
        # Saaty (1980), n = 1..10.
        assert [W.RANDOM_INDEX["saaty"][n] for n in range(1, 11)] == \
            [0, 0, .58, .90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]

    def test_consistent_matrix_recovers_weights(self):
        w = np.array([0.5, 0.25, 0.15, 0.1])
        res = W.ahp(np.outer(w, 1 / w))
        np.testing.assert_allclose(res.weights.weight, w, atol=1e-12)
        assert res.lambda_max == pytest.approx(4.0)
        assert res.consistency_ratio == pytest.approx(0.0, abs=1e-12)

    def test_unpacks_and_two_by_two(self):
        with pytest.warns(DeprecationWarning):  # unpacking kept for one version
            weights, cr, lam = W.ahp([[1, 3], [1 / 3, 1]], labels=["csat", "reopen_rate"])
        assert weights.weight.tolist() == pytest.approx([0.75, 0.25])
        assert cr == 0.0 and lam == pytest.approx(2.0)

    def test_custom_table(self):
        res = W.ahp(LEADER, random_index={4: 0.5})
        assert res.consistency_ratio == pytest.approx(res.consistency_index / 0.5)

    @pytest.mark.parametrize("matrix, msg", [
        ([[1, 3], [3, 1]], "not reciprocal"),
        ([[2, 3], [1 / 3, 1]], "diagonal"),
        ([[1, -3], [-1 / 3, 1]], "positive"),
        ([[1, 2, 3], [1 / 2, 1, 4]], "square"),
    ])
    def test_bad_matrices(self, matrix, msg):
        with pytest.raises(UsageError, match=msg):
            W.ahp(matrix)

    def test_too_large_for_table(self):
        with pytest.raises(UsageError, match="stops at n = 15"):
            W.ahp(np.ones((16, 16)))

    def test_unknown_table(self):
        with pytest.raises(UsageError, match="random_index"):
            W.ahp(LEADER, random_index="nope")

    def test_rounded_reciprocals_accepted(self):
        m = [[1, 3, 0.2], [0.33, 1, 0.5], [5, 2, 1]]
        assert W.ahp(m).n == 3


class TestPairwiseCsv:
    def test_reads_fractions_bom_and_orders(self, tmp_path):
        p = tmp_path / "pairwise.csv"
        p.write_text("\ufeffindicator,csat,complaint_resolution_rate,customer_churn_rate\n"
                     "csat,1,3,5\ncomplaint_resolution_rate,1/3,1,2\n"
                     "customer_churn_rate,1/5,1/2,1\n", encoding="utf-8")
        m = W.read_pairwise_csv(p)
        assert list(m.index) == list(m.columns) == ["csat", "complaint_resolution_rate",
                                                    "customer_churn_rate"]
        assert m.loc["complaint_resolution_rate", "csat"] == pytest.approx(1 / 3)
        res = W.ahp(p)
        assert res.weights.indicator.tolist() == list(m.index)
        assert res.weights.weight.iloc[0] > 0.6

    def test_bad_cell_names_row_and_column(self, tmp_path):
        p = tmp_path / "pairwise.csv"
        p.write_text("id,a,b\na,1,x\nb,1,1\n", encoding="utf-8")
        with pytest.raises(DataError, match=r"row 2 \(a\), column 'b'"):
            W.read_pairwise_csv(p)

    def test_labels_must_match_header(self, tmp_path):
        p = tmp_path / "pairwise.csv"
        p.write_text("id,a,b\nb,1,1\na,1,1\n", encoding="utf-8")
        with pytest.raises(DataError, match="same order"):
            W.read_pairwise_csv(p)


# The decision matrix of the entropy example in the R package CPP (Entrop.weights, after
# Pomerol & Barba-Romero 2012), the fourth criterion taken as positive.
POMEROL = np.array([[2, 30, 86, 5], [4, 26, 77, 12], [3, 22, 93, 4], [6, 34, 65, 10],
                    [5, 31, 80, 8], [6, 29, 79, 9], [8, 37, 55, 15], [10, 21, 69, 11]], float)
COLS = ["a", "b", "c", "d"]
HIGHER = dict.fromkeys(COLS, "higher")


def _panel(x=POMEROL):
    return pd.DataFrame(x.copy(), columns=COLS[: x.shape[1]])


class TestEntropy:
    def test_matches_pymcdm_sum_normalised(self):
        # pymcdm 1.4.0 pymcdm.weights.entropy_weights(POMEROL) (sum normalisation):
        expected = [0.5050834661, 0.0829860361, 0.0576902772, 0.3542402206]
        got = W.entropy(_panel(), COLS, HIGHER, normalization="none")
        np.testing.assert_allclose(got.weight, expected, atol=1e-9)
        pymcdm = pytest.importorskip("pymcdm")
        np.testing.assert_allclose(got.weight, pymcdm.weights.entropy_weights(POMEROL), atol=1e-12)

    def test_hand_worked_minmax(self):
        # column a: 0, 1, 2 -> 0, .5, 1 -> p = 0, 1/3, 2/3 ; column b: 0, 0, 1 -> p = 0, 0, 1
        x = np.array([[0.0, 5.0], [1.0, 5.0], [2.0, 7.0]])
        got = W.entropy(_panel(x), ["a", "b"], HIGHER)
        e_a = -(1 / 3 * np.log(1 / 3) + 2 / 3 * np.log(2 / 3)) / np.log(3)
        e_b = 0.0
        d = np.array([1 - e_a, 1 - e_b])
        np.testing.assert_allclose(got.weight, d / d.sum(), atol=1e-12)
        np.testing.assert_allclose(got.entropy, [e_a, e_b], atol=1e-12)

    def test_lower_is_better_is_reversed(self):
        lower = W.entropy(_panel(), COLS, {**HIGHER, "b": "lower"})
        flipped = _panel()
        flipped["b"] = -flipped["b"]
        higher = W.entropy(flipped, COLS, HIGHER)
        np.testing.assert_allclose(lower.weight, higher.weight, atol=1e-12)
        assert not np.allclose(lower.weight, W.entropy(_panel(), COLS, HIGHER).weight)

    def test_constant_indicator_gets_zero_and_missing_rows_dropped(self):
        df = _panel()
        df["c"] = 3.0
        df.loc[0, "a"] = np.nan
        got = W.entropy(df, COLS, HIGHER)
        assert got.set_index("indicator").weight["c"] == 0
        assert (got.n_obs == 7).all()
        assert got.weight.sum() == pytest.approx(1)

    def test_catalogue_directions_by_default(self):
        df = pd.DataFrame({"csat": [4.1, 4.5, 3.9, 4.8], "reopen_rate": [0.1, 0.05, 0.2, 0.02]})
        got = W.entropy(df)
        assert got.direction.tolist() == ["higher", "lower"]

    def test_unknown_indicator_needs_direction(self):
        with pytest.raises(UsageError, match="direction"):
            W.entropy(_panel(), COLS)


class TestCritic:
    def test_matches_pymcdm(self):
        # pymcdm 1.4.0 pymcdm.weights.critic_weights(POMEROL):
        expected = [0.2118986015, 0.2331667794, 0.3584541272, 0.1964804919]
        got = W.critic(_panel(), COLS, HIGHER)
        np.testing.assert_allclose(got.weight, expected, atol=1e-9)
        pymcdm = pytest.importorskip("pymcdm")
        np.testing.assert_allclose(got.weight, pymcdm.weights.critic_weights(POMEROL), atol=1e-12)

    def test_hand_worked(self):
        # a -> 0, .5, 1 (sd .5); b -> 0, 1, 0 (sd sqrt(1/3)); r_ab = 0
        x = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
        got = W.critic(_panel(x), ["a", "b"], HIGHER)
        c = np.array([0.5, np.sqrt(1 / 3)])
        np.testing.assert_allclose(got.weight, c / c.sum(), atol=1e-12)
        np.testing.assert_allclose(got.conflict, [1.0, 1.0], atol=1e-12)

    def test_direction_changes_conflict(self):
        # two indicators that agree when both are read "higher is better"
        x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 35.0], [4.0, 38.0]])
        agree = W.critic(_panel(x), ["a", "b"], HIGHER)
        opposed = W.critic(_panel(x), ["a", "b"], {"a": "higher", "b": "lower"})
        assert (agree.conflict < 1).all() and (opposed.conflict > 1).all()


class TestPca:
    @staticmethod
    def _exact(corr: np.ndarray, m: int = 50, seed: int = 1) -> np.ndarray:
        """Data whose sample correlation matrix is exactly ``corr``."""
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((m, corr.shape[0]))
        z -= z.mean(axis=0)
        q, _ = np.linalg.qr(z)  # orthonormal, centred columns
        return q @ np.linalg.cholesky(corr).T * np.sqrt(m - 1) + 5

    def test_hand_worked_two_blocks(self):
        # Block 1: a, b with r = .8 (eigenvalues 1.8, .2); block 2: c, d, e with r = .6
        # (eigenvalues 2.2, .4, .4); blocks uncorrelated. Shares 44 %, 36 %, 8 %, 8 %, 4 %:
        # two components are retained. After varimax each block loads on its own component:
        # squared loadings .9, .9 (sum 1.8, scaled .5 each) and 2.2/3 (sum 2.2, scaled 1/3).
        # Component shares 2.2/4 and 1.8/4 -> weights a, b = .5 * .45 = .225 and
        # c, d, e = (1/3) * .55 = .18333.
        corr = np.eye(5)
        corr[0, 1] = corr[1, 0] = .8
        for i in (2, 3, 4):
            for j in (2, 3, 4):
                if i != j:
                    corr[i, j] = .6
        cols = ["a", "b", "c", "d", "e"]
        df = pd.DataFrame(self._exact(corr), columns=cols)
        got = W.pca(df, cols, dict.fromkeys(cols, "higher"))
        np.testing.assert_allclose(got.weight, [.225, .225, .55 / 3, .55 / 3, .55 / 3], atol=1e-6)
        assert got.attrs["n_components"] == 2
        np.testing.assert_allclose(sorted(got.attrs["eigenvalues"], reverse=True),
                                   [2.2, 1.8, .4, .4, .2], atol=1e-9)
        assert got.component.nunique() == 2 and got.component[0] == got.component[1]

    def test_retention_as_in_handbook_tai_example(self):
        # OECD/JRC Handbook (2008), Table 16: eigenvalues of the TAI data set 3.3, 1.7, 1.0,
        # 0.9, 0.5, 0.3, 0.2, 0.1 (variance 41.9, 21.8, 12.3, 11.1, 6.0, ... %); Table 17
        # keeps four components. Data with exactly that correlation spectrum:
        from scipy.stats import random_correlation

        eig = np.array([3.3, 1.7, 1.0, 0.9, 0.5, 0.3, 0.2, 0.1])
        corr = random_correlation.rvs(eig, random_state=np.random.default_rng(4))
        cols = [f"x{i}" for i in range(8)]
        df = pd.DataFrame(self._exact(corr, m=60), columns=cols)
        got = W.pca(df, cols, dict.fromkeys(cols, "higher"))
        np.testing.assert_allclose(got.attrs["eigenvalues"], eig, atol=1e-8)
        assert got.attrs["n_components"] == 4
        assert got.weight.sum() == pytest.approx(1) and (got.weight > 0).all()

    def test_eigenvalues_match_svd(self):
        x = POMEROL
        z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
        sv = np.linalg.svd(z, compute_uv=False)
        got = W.pca(_panel(), COLS, HIGHER, n_components=1)
        np.testing.assert_allclose(got.attrs["eigenvalues"], sv ** 2 / (len(x) - 1), atol=1e-9)
        # one component: weights = squared entries of the first right singular vector
        v = np.linalg.svd(z)[2][0]
        np.testing.assert_allclose(got.weight, v ** 2 / (v ** 2).sum(), atol=1e-9)

    def test_negative_loading_does_not_give_negative_weight(self):
        # b is strongly negatively correlated with a when both are read "higher"
        corr = np.array([[1, -.8, .1], [-.8, 1, 0], [.1, 0, 1]])
        got = W.pca(_panel(self._exact(corr)), ["a", "b", "c"], HIGHER)
        assert (got.weight > 0).all() and got.weight.sum() == pytest.approx(1)

    def test_varimax_matches_statsmodels(self):
        from statsmodels.multivariate.factor_rotation import rotate_factors
        rng = np.random.default_rng(3)
        a = rng.normal(size=(8, 3))
        ours = W.varimax(a)
        theirs = rotate_factors(a, "varimax")[0]
        # equal up to the order and sign of the columns (statsmodels stops at tol 1e-6)
        for col in theirs.T:
            assert min(np.abs(ours - col[:, None]).sum(axis=0).min(),
                       np.abs(ours + col[:, None]).sum(axis=0).min()) < 1e-4

    def test_varimax_reaches_the_optimum_of_kaisers_algorithm(self):
        # Kaiser's SVD iteration (as R's stats::varimax, without normalisation), written out
        # here, run to a fixed point: the criterion of our rotation must be as high, and the
        # loadings equal up to the order and sign of the columns.
        rng = np.random.default_rng(11)
        a = rng.normal(size=(20, 5))
        p, k = a.shape
        r = np.eye(k)
        for _ in range(2000):
            lam = a @ r
            u, _s, vt = np.linalg.svd(a.T @ (lam ** 3 - lam * (lam ** 2).sum(axis=0) / p))
            new = u @ vt
            if np.abs(new - r).max() < 1e-14:
                break
            r = new
        kaiser = a @ r

        def criterion(lam):
            return ((lam ** 4).sum() - ((lam ** 2).sum(axis=0) ** 2).sum() / p) / 4

        ours = W.varimax(a)
        assert criterion(ours) == pytest.approx(criterion(kaiser), rel=1e-9)
        for col in kaiser.T:
            assert min(np.abs(ours - col[:, None]).max(axis=0).min(),
                       np.abs(ours + col[:, None]).max(axis=0).min()) < 1e-4

    def test_constant_column_is_an_error(self):
        df = _panel()
        df["a"] = 1.0
        with pytest.raises(DataError, match="'a' is constant"):
            W.pca(df, COLS, HIGHER)


class TestEvidence:
    TABLE = pd.DataFrame({
        "process": ["first_response_hours", "first_response_hours", "reopen_rate",
                    "reopen_rate", "skill_gain"],
        "result": ["csat", "customer_churn_rate", "csat", "customer_churn_rate", "csat"],
        "std_effect": [-0.30, 0.10, -0.20, 0.05, 0.40],
        "p_adj": [0.001, 0.03, 0.01, 0.40, 0.20],
        "verdict": ["predicts", "predicts", "predicts", "no evidence", "no evidence"],
    })

    def test_proportional_to_abs_effect(self):
        got = W.evidence(self.TABLE).set_index("indicator")
        # |-.3| + |.1| = .4 and |-.2| = .2 ; skill_gain has no evidence -> 0
        assert got.weight.to_dict() == pytest.approx(
            {"first_response_hours": 2 / 3, "reopen_rate": 1 / 3, "skill_gain": 0.0})
        assert got.loc["first_response_hours", "predicts"] == "csat,customer_churn_rate"
        assert bool(got.loc["skill_gain", "floored"])

    def test_floor_and_max(self):
        got = W.evidence(self.TABLE, floor=0.1, aggregate="max").set_index("indicator")
        raw = {"first_response_hours": 0.3, "reopen_rate": 0.2, "skill_gain": 0.1}
        assert got.weight.to_dict() == pytest.approx({k: v / 0.6 for k, v in raw.items()})

    def test_floor_is_a_minimum(self):
        # reopen_rate's evidence (.2) is below the floor (.25): it gets the floor, like
        # skill_gain (no evidence); first_response_hours keeps .4
        got = W.evidence(self.TABLE, floor=0.25).set_index("indicator")
        assert got.weight.to_dict() == pytest.approx(
            {"first_response_hours": .4 / .9, "reopen_rate": .25 / .9, "skill_gain": .25 / .9})
        assert got.floored.tolist() == [False, True, True]

    def test_indicator_absent_from_table(self):
        got = W.evidence(self.TABLE, ["reopen_rate", "compliance_rate"], floor=0.2)
        assert got.weight.tolist() == pytest.approx([0.5, 0.5])
        assert got.n_pairs.tolist() == [2, 0]

    def test_no_evidence(self):
        with pytest.raises(DataError, match="predicts"):
            W.evidence(self.TABLE.assign(verdict="no evidence"))

    def test_missing_column(self):
        with pytest.raises(DataError, match="std_effect"):
            W.evidence(self.TABLE.drop(columns="std_effect"))


def test_equal():
    got = W.equal(["a", "b", "c", "d"])
    assert got.weight.tolist() == [0.25] * 4


# --------------------------------------------------------------------------- command line

def _cli(argv):
    from perfmodel.cli import _Parser
    from perfmodel.cli import weights as cmd

    parser = _Parser(prog="perfmodel")
    cmd.register(parser.add_subparsers(parser_class=_Parser))
    args = parser.parse_args(argv)
    return args.func(args)


RESULT_IDS = ["csat", "complaint_resolution_rate", "cost_control_rate", "followup_positive_rate",
              "customer_churn_rate"]


def _pairwise(path, matrix, ids):
    rows = ["indicator," + ",".join(ids)]
    for i, row in zip(ids, matrix):
        rows.append(i + "," + ",".join(str(Fraction(v).limit_denominator(100)) for v in row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


class TestCli:
    def test_ahp_writes_policy_with_provenance(self, tmp_path, capsys):
        import hashlib

        from perfmodel.scoring.policy import load_policy

        w = np.array([8.0, 4, 2, 2, 1])
        m = _pairwise(tmp_path / "pairwise.csv", np.outer(w, 1 / w), RESULT_IDS)
        out = tmp_path / "new.yaml"
        assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                     "--out", str(out)]) == 0
        new, prov = W.read_policy_with_provenance(out)
        base = load_policy("efficiency")
        got = [new.indicators[i].weight for i in RESULT_IDS]
        np.testing.assert_allclose(got, w / w.sum(), atol=1e-4)  # a consistent matrix, 4 decimals
        assert sum(new.indicators[i].weight for i in new.of_dimension("result")) == pytest.approx(1)
        for i in base.of_dimension("process"):
            assert new.indicators[i].weight == pytest.approx(base.indicators[i].weight)
        assert new.dimensions == pytest.approx(base.dimensions)
        assert prov["method"] == "ahp"
        assert prov["inputs"][0]["sha256"] == hashlib.sha256(m.read_bytes()).hexdigest()
        assert prov["consistency"]["result"]["consistent"] is True
        assert prov["base_policy"]["sha256"] == base.sha256
        assert new.version == "2026.1+ahp"
        assert "wrote" in capsys.readouterr().out

    def test_inconsistent_matrix_warns(self, tmp_path, capsys):
        # intransitive: each beats the next by 5 and loses to the one after by 5
        cyc = np.ones((5, 5))
        for i in range(5):
            cyc[i, (i + 1) % 5], cyc[(i + 1) % 5, i] = 5, 1 / 5
            cyc[i, (i + 2) % 5], cyc[(i + 2) % 5, i] = 1 / 5, 5
        m = _pairwise(tmp_path / "p.csv", cyc, RESULT_IDS)
        assert not W.ahp(cyc).consistent
        _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
              "--out", str(tmp_path / "n.yaml")])
        assert "consistency ratio" in capsys.readouterr().err
        assert not (tmp_path / "n.yaml").exists()  # refused without --accept-inconsistent
        assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                     "--out", str(tmp_path / "n.yaml"), "--accept-inconsistent"]) == 0
        _, prov = W.read_policy_with_provenance(tmp_path / "n.yaml")
        assert prov["consistency"]["result"]["consistent"] is False

    def test_mixed_dimensions_refused(self, tmp_path):
        m = _pairwise(tmp_path / "p.csv", np.ones((2, 2)), ["csat", "reopen_rate"])
        with pytest.raises(UsageError, match="one matrix per dimension"):
            _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                  "--out", str(tmp_path / "n.yaml")])

    def test_never_overwrites_presets_or_files(self, tmp_path):
        from importlib import resources

        preset = Path(str(resources.files("perfmodel.scoring").joinpath("policies", "efficiency.yaml")))
        with pytest.raises(UsageError, match="preset"):
            _cli(["weights", "--method", "equal", "--policy", "efficiency", "--out", str(preset)])
        out = tmp_path / "n.yaml"
        out.write_text("x", encoding="utf-8")
        with pytest.raises(UsageError, match="exists"):
            _cli(["weights", "--method", "equal", "--policy", "efficiency", "--out", str(out)])

    def test_entropy_from_panel_with_result_weight(self, tmp_path):
        rng = np.random.default_rng(0)
        from perfmodel.scoring.policy import load_policy

        base = load_policy("quality")
        ids = base.weighted_indicators
        panel = pd.DataFrame(rng.uniform(0.1, 1, (40, len(ids))), columns=ids)
        panel.insert(0, "period", ["2026Q2"] * 20 + ["2026Q3"] * 20)
        panel.insert(0, "supervisor_id", [f"S{i % 20:02d}" for i in range(40)])
        pfile = tmp_path / "panel.csv"
        panel.to_csv(pfile, index=False)
        out = tmp_path / "n.yaml"
        assert _cli(["weights", "--method", "entropy", "--panel", str(pfile), "--period-range",
                     "2026Q3", "--policy", "quality", "--out", str(out), "--result-weight", "0.6",
                     "--table", str(tmp_path / "w.csv")]) == 0
        new, prov = W.read_policy_with_provenance(out)
        assert new.dimensions == pytest.approx({"result": 0.6, "process": 0.4})
        q3 = panel[panel.period == "2026Q3"]
        for dim in ("result", "process"):
            members = base.of_dimension(dim)
            expected = W.entropy(q3, members).set_index("indicator").weight
            for i in members:
                assert new.indicators[i].weight == pytest.approx(expected[i], abs=1e-4)  # 4 decimals
        assert prov["data"]["periods"] == "2026Q3..2026Q3" and prov["data"]["n_rows"] == 20
        assert prov["dimension_weights"].startswith("given")
        table = pd.read_csv(tmp_path / "w.csv")
        assert {"indicator", "old_weight", "new_weight", "entropy"} <= set(table.columns)


def test_apply_weights_partial_dimension():
    from perfmodel.scoring.policy import load_policy

    base = load_policy("efficiency")  # result: csat .30, crr .25, ccr .20, fpr .15, churn .10
    new = W.apply_weights(base, {"csat": 1.0, "complaint_resolution_rate": 3.0})
    # the two share 1 - (.20 + .15 + .10) = .55 in the ratio 1 : 3
    assert new.indicators["csat"].weight == pytest.approx(0.55 / 4)
    assert new.indicators["complaint_resolution_rate"].weight == pytest.approx(0.55 * 3 / 4)
    assert new.indicators["cost_control_rate"].weight == pytest.approx(0.20)
    with pytest.raises(UsageError, match="not in policy"):
        W.apply_weights(base, {"csat_speed": 1.0})


def test_compare_methods():
    from perfmodel.scoring.policy import load_policy

    base = load_policy("efficiency")
    rng = np.random.default_rng(2)
    ids = base.weighted_indicators
    panel = pd.DataFrame(rng.uniform(0.1, 1, (30, len(ids))), columns=ids)
    panel.insert(0, "period", "2026Q3")
    panel.insert(0, "supervisor_id", [f"S{i:02d}" for i in range(30)])
    res = W.ahp(LEADER[:4, :4], labels=base.of_dimension("result")[:4])
    t = W.compare_methods(panel, base, ahp_result=res, methods=("equal", "entropy", "critic"))
    sums = t.groupby(["method", "dimension"]).weight.sum()
    np.testing.assert_allclose(sums, 1.0)
    assert set(t.method) == {"policy", "ahp", "equal", "entropy", "critic"}
    pol = t[t.method == "policy"].set_index("indicator").weight
    assert pol.to_dict() == {i: base.indicators[i].weight for i in ids}
    ent = t[t.method == "entropy"].set_index("indicator").weight
    expected = W.entropy(panel, base.of_dimension("process")).set_index("indicator").weight
    np.testing.assert_allclose(ent[expected.index], expected, atol=1e-4)  # written with 4 decimals
    # AHP covered 4 of 5 result indicators: the fifth keeps its weight
    ahp = t[t.method == "ahp"].set_index("indicator").weight
    fifth = base.of_dimension("result")[4]
    assert ahp[fifth] == pytest.approx(base.indicators[fifth].weight)
    assert W.write_policy(base, "", {"method": "none"}).is_file()  # empty path: a temp file


@pytest.mark.slow
def test_calibration_notebook_runs(tmp_path):
    """The calibration notebook runs top to bottom on data/sample and saves a loadable policy."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "data" / "sample" / "tickets.csv").is_file():
        pytest.skip("data/sample is not there")
    papermill = pytest.importorskip("papermill")
    papermill.execute_notebook(str(root / "notebooks" / "weight_calibration.ipynb"),
                               str(tmp_path / "out.ipynb"), cwd=str(root), progress_bar=False,
                               parameters={"draws": 300, "out_policy": str(tmp_path / "proposed")},
                               kernel_name="python3")
    new, prov = W.read_policy_with_provenance(tmp_path / "proposed" / "calibrated_policy.yaml")
    assert prov["method"] == "ahp" and prov["consistency"]["result"]["consistent"] is True
    assert sum(new.indicators[i].weight for i in new.of_dimension("result")) == pytest.approx(1)


# --------------------------------------------------------------------------- item 9: weights for people

def _decimals(x: float) -> Decimal:
    return Decimal(repr(float(x)))


@pytest.mark.parametrize("raw, expected", [
    # 2/7, 2/7, 3/7 = .285714.., .285714.., .428571..: floors 2857 + 2857 + 4285 = 9999 units,
    # the missing unit goes to the largest remainder (.71 of the third)
    ([2, 2, 3], [0.2857, 0.2857, 0.4286]),
    # thirds: one unit missing, equal remainders: the first one gets it
    ([1, 1, 1], [0.3334, 0.3333, 0.3333]),
    # already at four decimals: unchanged
    ([0.3, 0.25, 0.2, 0.15, 0.1], [0.3, 0.25, 0.2, 0.15, 0.1]),
])
def test_round_weights_largest_remainder(raw, expected):
    got = W.round_weights(raw)
    assert got == expected
    assert sum(_decimals(g) for g in got) == Decimal(1)


def test_written_weights_have_four_decimals_and_sum_exactly_to_one(tmp_path):
    import yaml

    w = np.array([7.0, 3, 3, 1, 1])  # 7/15 = 0.46666.., 3/15 = 0.2, 1/15 = 0.0666..
    m = _pairwise(tmp_path / "pairwise.csv", np.outer(w, 1 / w), RESULT_IDS)
    out = tmp_path / "new.yaml"
    assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                 "--out", str(out)]) == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    got = [data["indicators"][i]["weight"] for i in RESULT_IDS]
    # 4666.67 + 2000 + 2000 + 666.67 + 666.67: floors 4666+2000+2000+666+666 = 9998, the two
    # missing units go to the largest remainders (.67 each: the first and fourth)
    assert got == [0.4667, 0.2, 0.2, 0.0667, 0.0666]
    assert sum(_decimals(g) for g in got) == Decimal(1)
    process = [e["weight"] for e in data["indicators"].values() if e["dimension"] == "process"]
    assert sum(_decimals(g) for g in process) == Decimal(1)
    assert all(_decimals(g).as_tuple().exponent >= -4 for g in got + process)


def test_cr_is_printed_for_a_consistent_matrix(tmp_path, capsys):
    # Saaty's textbook 3x3 example: a12 = 3, a13 = 5, a23 = 3. For a 3x3 reciprocal matrix
    # lambda_max = 1 + r^(1/3) + r^(-1/3) with r = a12 a23 / a13 = 1.8: 3.0385,
    # CI = 0.0193, CR = CI / 0.58 = 0.033 (the published value).
    mat = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    m = _pairwise(tmp_path / "p.csv", mat, RESULT_IDS[:3])
    assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                 "--out", str(tmp_path / "n.yaml")]) == 0
    out = capsys.readouterr().out
    assert f"{m}: consistency ratio CR = 0.033 (consistent" in out


def test_inconsistent_matrix_exits_1_and_names_its_cr(tmp_path, capsys):
    # cyclic judgements a12 = 9, a23 = 9, a13 = 1/9: r = 9 * 9 * 9 = 729, r^(1/3) = 9,
    # lambda_max = 1 + 9 + 1/9 = 10.111, CI = 7.111 / 2 = 3.5556, CR = 3.5556 / 0.58 = 6.130
    mat = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    m = _pairwise(tmp_path / "p.csv", mat, RESULT_IDS[:3])
    out = tmp_path / "n.yaml"
    assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                 "--out", str(out)]) == 1
    cap = capsys.readouterr()
    assert "consistency ratio CR = 6.130 (inconsistent" in cap.out
    assert cap.err.splitlines() == [f"perfmodel: {m}: consistency ratio 6.130 > 0.1: the pairwise judgements "
                                    f"contradict each other; no policy written: revise the matrix, or pass "
                                    f"--accept-inconsistent to use it anyway"]
    assert not out.exists()
    assert _cli(["weights", "--method", "ahp", "--matrix", str(m), "--policy", "efficiency",
                 "--out", str(out), "--accept-inconsistent"]) == 0
    assert out.exists()


def _mostly_zero_panel(ids):
    rng = np.random.default_rng(7)
    n = 25
    panel = pd.DataFrame({i: rng.uniform(0.2, 0.9, n) for i in ids})
    zeros = np.zeros(n)
    zeros[:7] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]  # 18 of 25 values are 0: 72 %
    panel[ids[-1]] = zeros
    return panel


def test_entropy_warns_why_a_mostly_zero_indicator_dominates():
    from perfmodel.core.errors import PerfmodelWarning

    ids = ["first_response_hours", "timely_closure_rate", "promotion_rate"]
    panel = _mostly_zero_panel(ids)
    with pytest.warns(PerfmodelWarning, match=r"entropy weight of promotion_rate is 0\.\d\d of the 3 "
                                              r"indicators .*72% of its 25 values are 0"):
        table = W.entropy(panel, ids, directions={i: "higher" for i in ids})
    assert table.set_index("indicator").weight["promotion_rate"] >= 0.5
    assert len(table.attrs["warnings"]) == 1


def test_balanced_weights_do_not_warn():
    import warnings

    rng = np.random.default_rng(3)
    ids = ["a", "b", "c"]
    panel = pd.DataFrame({i: rng.uniform(0.1, 1, 40) for i in ids})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = W.entropy(panel, ids, directions={i: "higher" for i in ids})
    assert table.attrs["warnings"] == []


def test_cli_prints_the_lopsided_weight_warning_once(tmp_path, capsys):
    from perfmodel.scoring.policy import load_policy

    base = load_policy("quality")
    ids = base.weighted_indicators
    panel = _mostly_zero_panel(ids)
    panel.insert(0, "period", "2026Q2")
    panel.insert(0, "supervisor_id", [f"S{i:02d}" for i in range(len(panel))])
    pfile = tmp_path / "panel.csv"
    panel.to_csv(pfile, index=False)
    assert _cli(["weights", "--method", "entropy", "--panel", str(pfile), "--policy", "quality",
                 "--out", str(tmp_path / "n.yaml")]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]
    assert len(lines) == 1 and f"of its 25 values are 0" in lines[0] and ids[-1] in lines[0]
