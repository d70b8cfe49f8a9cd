"""Every page figure made from random draws states the seed and the number of draws."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfmodel.core import settings
from perfmodel.reporting import sections as S

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PERIOD = "2026Q2"


def _shown(ctx, monkeypatch, *shows) -> str:
    from matplotlib.figure import Figure
    import matplotlib.pyplot as plt

    out: list[str] = []

    def collect(*objs):
        for o in objs:
            if isinstance(o, Figure):
                plt.close(o)
            else:
                out.append(str(getattr(o, "data", o)))

    monkeypatch.setattr("perfmodel.reporting.display._display", collect)
    for show in shows:
        show(ctx)
    return "\n".join(out)


@pytest.fixture(scope="module")
def contexts():
    return {lang: S.build_context(str(SAMPLE), "efficiency", PERIOD, lang=lang, seed=11) for lang in ("en", "zh")}


@pytest.mark.parametrize("lang, expected", [
    ("en", "Random draws: 300 re-weightings, seed 11."),
    ("zh", "随机抽样：300 次权重扰动，随机种子 11。"),
])
def test_fragility_states_its_seed_and_draws(contexts, monkeypatch, lang, expected):
    shown = _shown(contexts[lang], monkeypatch, lambda ctx: S.show_fragility(ctx, draws=300))
    assert expected in shown


@pytest.mark.parametrize("lang, expected", [
    ("en", f"wild cluster bootstrap with {settings.BOOT:,} draws, seed 11 (fewer than 40 supervisors)"),
    ("zh", f"野聚类自助法，{settings.BOOT:,} 次抽样，随机种子 11（主管少于 40 位）"),
])
def test_validity_states_its_bootstrap_seed_and_draws(monkeypatch, lang, expected):
    # the sample has 30 supervisors: with the bootstrap used below 40 every tested pair is bootstrapped
    monkeypatch.setattr("perfmodel.reporting.quarterly.BOOTSTRAP_BELOW", 40)
    ctx = S.build_context(str(SAMPLE), "efficiency", PERIOD, lang=lang, seed=11)
    shown = _shown(ctx, monkeypatch, S.show_validity)
    assert expected in shown
    res = ctx.cache[("validity", 1)]
    booted = int(res["p_method"].str.startswith("wild cluster bootstrap").sum())
    assert booted > 0 and (f"p-values of {booted} pairs" in shown or f"{booted} 组关系" in shown)
    assert res["p_method"].str.contains(f"B={settings.BOOT}").sum() == booted


@pytest.mark.parametrize("lang, expected", [
    ("en", "No random draws: p-values from cluster-robust t tests (30 or more supervisors)."),
    ("zh", "未使用随机抽样：p 值来自聚类稳健 t 检验（主管不少于 30 位）。"),
])
def test_validity_of_30_supervisors_says_no_draws_were_used(contexts, monkeypatch, lang, expected):
    ctx = contexts[lang]
    assert ctx.supervisors["supervisor_id"].nunique() == 30
    shown = _shown(ctx, monkeypatch, S.show_validity)
    assert expected in shown
    assert not ctx.cache[("validity", 1)]["p_method"].str.startswith("wild").any()


def test_without_bootstrap_the_page_says_no_draws_were_used():
    assert S.draws_note("bootstrap", lang="en", seed=1, draws=999, n=0) == \
        "No random draws: p-values from cluster-robust t tests (30 or more supervisors)."
    assert S.draws_note("bootstrap", lang="zh", seed=1, draws=999, n=0) == \
        "未使用随机抽样：p 值来自聚类稳健 t 检验（主管不少于 30 位）。"


def test_calibration_notebook_takes_draws_and_seed_from_settings_and_states_them():
    nb = json.loads((Path(__file__).resolve().parents[2] / "notebooks" / "weight_calibration.ipynb")
                    .read_text(encoding="utf-8"))
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "draws = 2000" not in code and "seed = 2026" not in code  # one default, in settings
    assert "C.show_fragility(ctx, new_policy, draws=draws, threshold=threshold)" in code
    from perfmodel.reporting import calibration

    import inspect

    assert 'draws_note("fragility", lang=ctx.lang, seed=ctx.seed, draws=draws)' in inspect.getsource(
        calibration.show_fragility)
