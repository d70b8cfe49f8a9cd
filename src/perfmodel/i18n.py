"""Report text in English and Chinese: labels, headings, sentences, coaching topics.

Every string a report shows comes from :data:`LABELS` (or the indicator catalogue for
indicator names), so a report is entirely in the language chosen with ``lang``.
"""
from __future__ import annotations

from .errors import UsageError

LANGS = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    # headings
    "quarterly_title": {"en": "Quarterly performance report — {period}",
                        "zh": "季度绩效报告 — {period}"},
    "monthly_title": {"en": "Monthly performance report — {period}",
                      "zh": "月度绩效报告 — {period}"},
    "synthetic_banner": {"en": "Synthetic sample data — made by perfmodel synth: no real people or results",
                         "zh": "合成示例数据 — 由 perfmodel synth 生成：并非真实人员或业绩"},
    "calibration_title": {"en": "Weight calibration — {period}", "zh": "权重校准 — {period}"},
    "calibration_intro": {
        "en": "Weights of the scoring policy: the pairwise judgements of the result indicators (AHP) with their "
              "consistency ratio, the weights of other methods side by side, how fragile the ratings are under "
              "the current and the proposed weights, and the proposed policy with its provenance.",
        "zh": "评分方案的权重：结果指标的两两比较判断（层次分析法）及其一致性比率、各方法权重对比、"
              "现行与建议权重下评级的稳健性，以及附带来源记录的建议方案。"},
    "calibration_judgements": {"en": "1. Pairwise judgements → AHP weights", "zh": "1. 两两比较判断 → 层次分析法权重"},
    "calibration_matrix_source": {"en": "Pairwise matrix (row vs column, Saaty's 1–9 scale) from {source}:",
                                  "zh": "两两比较矩阵（行相对于列，Saaty 1–9 标度），来源：{source}"},
    "calibration_inline": {"en": "the notebook's parameters", "zh": "笔记本参数"},
    "calibration_consistency": {
        "en": "λmax = {lmax}, CI = {ci}, RI(n = {n}) = {ri}, **CR = {cr}**",
        "zh": "λmax = {lmax}，CI = {ci}，RI(n = {n}) = {ri}，**一致性比率 CR = {cr}**"},
    "calibration_consistent": {"en": "Consistent: CR ≤ 0.1, the judgements may be used.",
                               "zh": "一致：CR ≤ 0.1，判断可以使用。"},
    "calibration_inconsistent": {
        "en": "Inconsistent: CR = {cr} > 0.1, the judgements contradict each other; revise the matrix. "
              "No weights are proposed from it.",
        "zh": "不一致：CR = {cr} > 0.1，判断相互矛盾，请修改矩阵；不据此提出权重。"},
    "calibration_methods": {"en": "2. Weights by method", "zh": "2. 各方法权重对比"},
    "calibration_skipped": {"en": "{method}: not available on these data ({reason}).",
                            "zh": "{method}：在这些数据上不可用（{reason}）。"},
    "calibration_fragility": {"en": "3. Fragility of the ratings", "zh": "3. 评级稳健性"},
    "calibration_fragility_text": {
        "en": "A rating is fragile when it differs from the nominal one in at least {pct} of the draws.",
        "zh": "若评级在至少 {pct} 的抽样中与名义评级不同，则视为不稳健。"},
    "calibration_warning": {"en": "**Warning:** {message}", "zh": "**注意：** {message}"},
    "calibration_current": {"en": "current policy {version}", "zh": "现行方案 {version}"},
    "calibration_proposed": {"en": "proposed policy {version}", "zh": "建议方案 {version}"},
    "calibration_fragile_count": {
        "en": "{n} of {total} ratings fragile; mean width of the 5–95 % rank interval {width}.",
        "zh": "{total} 个评级中 {n} 个不稳健；5–95 % 排名区间平均宽度 {width}。"},
    "calibration_save": {"en": "4. The proposed policy", "zh": "4. 建议方案"},
    "calibration_saved": {
        "en": "Saved in the run folder as {file}, with the pairwise matrix as {matrix} (named and hashed in "
              "its provenance). Review it before it replaces the policy in use.",
        "zh": "已保存在本次运行文件夹中：{file}，两两比较矩阵为 {matrix}（来源记录中注明文件名及其哈希值）。"
              "替换现行方案前请先审阅。"},
    "calibration_no_policy": {
        "en": "No policy proposed: the pairwise matrix is inconsistent (CR = {cr} > 0.1).",
        "zh": "不提出新方案：两两比较矩阵不一致（CR = {cr} > 0.1）。"},
    "p_rating_differs": {"en": "P(different rating)", "zh": "评级改变概率"},
    "weight_within_dimension": {"en": "weight within dimension", "zh": "维度内权重"},
    "method_policy": {"en": "current", "zh": "现行"},
    "method_ahp": {"en": "AHP", "zh": "层次分析法"},
    "method_equal": {"en": "equal", "zh": "等权"},
    "method_entropy": {"en": "entropy", "zh": "熵权法"},
    "method_critic": {"en": "CRITIC", "zh": "CRITIC"},
    "method_pca": {"en": "PCA", "zh": "主成分"},
    "method_evidence": {"en": "evidence", "zh": "预测证据"},
    "feedback_index_title": {"en": "Performance feedback — {period}", "zh": "绩效反馈 — {period}"},
    "feedback_title": {"en": "Performance feedback — {name}, {period}",
                       "zh": "绩效反馈 — {name}，{period}"},
    "validity_title": {"en": "Validity study — do process indicators predict results?",
                       "zh": "效度研究 — 过程指标能否预测结果指标？"},
    "audit_title": {"en": "Policy audit — {run}", "zh": "政策审计 — {run}"},
    "headline": {"en": "Headline", "zh": "概要"},
    "rating_distribution": {"en": "Rating distribution", "zh": "评级分布"},
    "movers": {"en": "Biggest movers since {previous}", "zh": "与 {previous} 相比变化最大"},
    "movers_no_previous": {"en": "Biggest movers", "zh": "变化最大的主管"},
    "not_rated": {"en": "not rated", "zh": "未评级"},
    "indicator_table": {"en": "Indicators, targets and attainment", "zh": "指标、目标与达成情况"},
    "scores_and_ratings": {"en": "Scores and ratings", "zh": "得分与评级"},
    "result_vs_process": {"en": "Result vs process score", "zh": "结果得分与过程得分"},
    "trends": {"en": "Trends over the previous periods", "zh": "历史趋势"},
    "score_trend": {"en": "Total score by period", "zh": "各期总分分布"},
    "indicator_trends": {"en": "Median indicator value by period", "zh": "各期指标中位数"},
    "funnels": {"en": "Funnel plots for rates", "zh": "比率指标漏斗图"},
    "validity": {"en": "Predictive validity", "zh": "预测效度"},
    "rating_fragility": {"en": "Rating fragility", "zh": "评级稳健性"},
    "smart_findings": {"en": "SMART check", "zh": "SMART 检查"},
    "data_quality": {"en": "Data quality", "zh": "数据质量"},
    "manifest_summary": {"en": "Run record", "zh": "运行记录"},
    "targets_vs_actual": {"en": "Targets vs actual", "zh": "目标与实际"},
    "score_derivation": {"en": "How the score is made", "zh": "得分构成"},
    "rating_review": {"en": "Rating review by {by}", "zh": "按{by}的评级校准"},
    "review_by_team": {"en": "team", "zh": "团队"},
    "review_by_region": {"en": "region", "zh": "区域"},
    "review_text": {"en": "Each group's computed scores (before any quota or adjustment) against everyone else: "
                          "permutation test of the mean score ({perms:,} resamples, seed {seed}), "
                          "Benjamini-Hochberg adjusted. {verdict}",
                    "zh": "各组计算所得分数（配额与调整之前）与其余主管比较：平均分置换检验（{perms:,} 次重抽样，"
                          "随机种子 {seed}），经 Benjamini-Hochberg 校正。{verdict}"},
    "review_none": {"en": "No group scores significantly above or below the rest.",
                    "zh": "没有任何组的得分显著高于或低于其余主管。"},
    "review_flagged": {"en": "Significantly different from the rest: {groups}.",
                       "zh": "显著偏离其余主管的组：{groups}。"},
    "review_above": {"en": "above", "zh": "偏高"},
    "review_below": {"en": "below", "zh": "偏低"},
    "review_group": {"en": "Group", "zh": "组"},
    "review_n": {"en": "Supervisors", "zh": "人数"},
    "review_mean": {"en": "Mean score", "zh": "平均分"},
    "review_median": {"en": "Median score", "zh": "中位数"},
    "review_rest": {"en": "Mean of the rest", "zh": "其余平均分"},
    "review_difference": {"en": "Difference", "zh": "差值"},
    "review_p": {"en": "p", "zh": "p 值"},
    "review_flag": {"en": "Flag", "zh": "标记"},
    "derivation_text": {"en": "Each indicator's contribution is its score × its weight in the total; the "
                              "contributions add up to the total score {score} (rating {rating}).",
                        "zh": "每项指标的贡献 = 指标得分 × 总权重；各项贡献之和即总分 {score}（评级 {rating}）。"},
    "contribution": {"en": "Contribution", "zh": "贡献"},
    "explain_denominator": {"en": "Denominator", "zh": "分母"},
    "your_trend": {"en": "Your scores over time", "zh": "您的得分趋势"},
    "strengths": {"en": "Strengths", "zh": "优势"},
    "gaps": {"en": "Gaps", "zh": "待改进"},
    "coaching": {"en": "Suggested coaching topics", "zh": "建议辅导主题"},
    "position": {"en": "Your position", "zh": "您的位置"},
    "verification": {"en": "Verification", "zh": "复核结果"},
    "recorded_policy": {"en": "Policy as recorded", "zh": "记录的评分政策"},
    "policy_effect": {"en": "Effect of the other policy on ratings", "zh": "另一政策对评级的影响"},
    "reliability": {"en": "Reliability", "zh": "信度"},
    "evidence": {"en": "Evidence by lag", "zh": "各滞后期证据"},
    # column and axis labels
    "supervisor_id": {"en": "Supervisor", "zh": "主管编号"},
    "name": {"en": "Name", "zh": "姓名"},
    "team": {"en": "Team", "zh": "团队"},
    "region": {"en": "Region", "zh": "区域"},
    "period": {"en": "Period", "zh": "期间"},
    "score": {"en": "Total score", "zh": "总分"},
    "result_score": {"en": "Result score", "zh": "结果得分"},
    "process_score": {"en": "Process score", "zh": "过程得分"},
    "rating": {"en": "Rating", "zh": "评级"},
    "previous_rating": {"en": "Previous rating", "zh": "上期评级"},
    "previous_score": {"en": "Previous score", "zh": "上期总分"},
    "change": {"en": "Change", "zh": "变化"},
    "missing": {"en": "Missing indicators", "zh": "缺失指标"},
    "supervisors": {"en": "Supervisors", "zh": "主管人数"},
    "share": {"en": "Share", "zh": "占比"},
    "count": {"en": "Count", "zh": "人数"},
    "median": {"en": "Median", "zh": "中位数"},
    "indicator": {"en": "Indicator", "zh": "指标"},
    "dimension": {"en": "Dimension", "zh": "维度"},
    "direction": {"en": "Better", "zh": "方向"},
    "weight": {"en": "Weight", "zh": "权重"},
    "effective_weight": {"en": "Weight in total", "zh": "总权重"},
    "rule": {"en": "Rule", "zh": "计分规则"},
    "target": {"en": "Target", "zh": "目标值"},
    "value": {"en": "Value", "zh": "实际值"},
    "median_value": {"en": "Median value", "zh": "实际中位数"},
    "met_target": {"en": "Met target", "zh": "达标率"},
    "indicator_score": {"en": "Indicator score (100 = target)", "zh": "指标得分（100 = 达标）"},
    "available": {"en": "Available", "zh": "可用"},
    "numerator": {"en": "Numerator", "zh": "分子"},
    "record": {"en": "Record", "zh": "原始记录"},
    "indicator_id": {"en": "Indicator id", "zh": "指标编号"},
    "indicator_name": {"en": "Indicator name", "zh": "指标名称"},
    # workbook (scores.xlsx): sheet names and the headers that differ from the pages'
    "sheet_scores": {"en": "scores", "zh": "得分"},
    "sheet_indicators": {"en": "indicators", "zh": "指标"},
    "sheet_quarantine": {"en": "quarantine", "zh": "隔离记录"},
    "sheet_manifest": {"en": "manifest", "zh": "运行清单"},
    "wb_denominator": {"en": "Denominator", "zh": "分母"},
    "wb_setting_value": {"en": "Value", "zh": "值"},
    "wb_indicator_score": {"en": "{name} score", "zh": "{name}得分"},
    "std_effect": {"en": "Effect of 1 SD", "zh": "1 个标准差的效应"},
    "p_adj": {"en": "p (adjusted)", "zh": "校正 p 值"},
    "verdict": {"en": "Verdict", "zh": "结论"},
    "n_obs": {"en": "Observations", "zh": "观测数"},
    "icc": {"en": "ICC", "zh": "组内相关系数"},
    "rank_stability": {"en": "Rank stability", "zh": "排名稳定性"},
    "n_period_pairs": {"en": "Period pairs", "zh": "相邻期对数"},
    "n_supervisors": {"en": "Supervisors", "zh": "主管数"},
    "n_periods": {"en": "Periods", "zh": "期数"},
    "median_score": {"en": "Median indicator score", "zh": "指标得分中位数"},
    "modal_rating": {"en": "Most frequent rating", "zh": "最常见评级"},
    "rank": {"en": "Rank", "zh": "排名"},
    "rank_range": {"en": "Rank range (5–95 %)", "zh": "排名区间（5–95%）"},
    "points_lost": {"en": "Points lost", "zh": "失分"},
    "percentile": {"en": "Percentile", "zh": "百分位"},
    "p_same_rating": {"en": "Probability of keeping the rating", "zh": "评级保持不变的概率"},
    "table": {"en": "Table", "zh": "数据表"},
    "file": {"en": "File", "zh": "文件"},
    "rows_read": {"en": "Rows read", "zh": "读取行数"},
    "rows_used": {"en": "Rows used", "zh": "使用行数"},
    "rows_quarantined": {"en": "Rows quarantined", "zh": "隔离行数"},
    "reason": {"en": "Reason", "zh": "原因"},
    "reason_code": {"en": "Reason code", "zh": "原因代码"},
    "reason_params": {"en": "Reason parameters", "zh": "原因参数"},
    "rows": {"en": "Rows", "zh": "行数"},
    "row": {"en": "Row", "zh": "行"},
    "column": {"en": "Column", "zh": "列"},
    "severity": {"en": "Severity", "zh": "严重程度"},
    "check": {"en": "Check", "zh": "检查项"},
    "message": {"en": "Finding", "zh": "发现"},
    "item": {"en": "Item", "zh": "项目"},
    "sha256": {"en": "SHA-256", "zh": "SHA-256"},
    "bytes": {"en": "Bytes", "zh": "字节数"},
    "higher": {"en": "higher", "zh": "越高越好"},
    "lower": {"en": "lower", "zh": "越低越好"},
    "result": {"en": "result", "zh": "结果"},
    "process": {"en": "process", "zh": "过程"},
    "diagnostic": {"en": "diagnostic", "zh": "诊断"},
    "rate": {"en": "Rate", "zh": "比率"},
    "pooled_rate": {"en": "All supervisors", "zh": "全体比率"},
    "process_indicator": {"en": "Process indicator", "zh": "过程指标"},
    "result_indicator": {"en": "Result indicator (later period)", "zh": "结果指标（后一期）"},
    "predicts": {"en": "predicts", "zh": "有预测力"},
    "contrary": {"en": "contrary", "zh": "反向"},
    "no evidence": {"en": "no evidence", "zh": "无证据"},
    "insufficient data": {"en": "insufficient data", "zh": "数据不足"},
    "rule_ratio": {"en": "ratio", "zh": "完成比率法"},
    "rule_linear": {"en": "linear", "zh": "线性插值法"},
    "rule_bands": {"en": "bands", "zh": "分段计分法"},
    "rule_gate": {"en": "gate", "zh": "否决计分法"},
    "rule_deduction": {"en": "deduction", "zh": "加减分法"},
    "rule_percentile": {"en": "percentile", "zh": "相对排名"},
    "item_run": {"en": "run", "zh": "运行编号"},
    "item_period": {"en": "period", "zh": "期间"},
    "item_policy": {"en": "policy", "zh": "评分政策"},
    "item_engine": {"en": "engine", "zh": "计算引擎"},
    "item_seed": {"en": "seed", "zh": "随机种子"},
    "item_input": {"en": "input {name}", "zh": "输入 {name}"},
    "error": {"en": "error", "zh": "错误"},
    "warning": {"en": "warning", "zh": "警告"},
    "better": {"en": "better", "zh": "优于预期"},
    "worse": {"en": "worse", "zh": "差于预期"},
    "signal": {"en": "Signal", "zh": "信号"},
    "denominator": {"en": "Cases", "zh": "样本数"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "topic": {"en": "Topic", "zh": "主题"},
    "old_rating": {"en": "Rating (recorded policy)", "zh": "评级（记录政策）"},
    "new_rating": {"en": "Rating (other policy)", "zh": "评级（另一政策）"},
    "old_score": {"en": "Score (recorded policy)", "zh": "得分（记录政策）"},
    "new_score": {"en": "Score (other policy)", "zh": "得分（另一政策）"},
    # sentences
    "scope_text": {"en": "{n} supervisors scored for {period} with policy {policy} {version}.",
                      "zh": "{period} 共评估 {n} 位主管，评分政策 {policy} {version}。"},
    "mean_score": {"en": "Mean total score {mean:.1f} (median {median:.1f}).",
                   "zh": "平均总分 {mean:.1f}（中位数 {median:.1f}）。"},
    "no_previous": {"en": "No previous period in the data to compare with.",
                    "zh": "数据中没有可比较的上一期。"},
    "not_available": {"en": "Not available: {reason}", "zh": "不可用：{reason}"},
    "no_findings": {"en": "No findings.", "zh": "无发现。"},
    "position_text": {"en": "Your total score {score:.1f} is at the {pct} percentile of the "
                              "{n} supervisors assessed in {period} (rating {rating}).",
                      "zh": "您的总分 {score:.1f}，在 {period} 参评的 {n} 位主管中位于第 {pct} 百分位"
                            "（评级 {rating}）。"},
    "no_strengths": {"en": "No indicator at or above target this period.",
                     "zh": "本期没有达到目标的指标。"},
    "no_gaps": {"en": "Every scored indicator met its target.", "zh": "所有计分指标均已达标。"},
    "strength_item": {"en": "{label}: {value} (target {target}, score {score:.0f})",
                      "zh": "{label}：{value}（目标 {target}，得分 {score:.0f}）"},
    "verified": {"en": "verified: every input and output matches the record.",
                 "zh": "复核通过：所有输入与输出均与记录一致。"},
    "not_verified": {"en": "NOT verified — {n} difference(s):", "zh": "复核未通过 — {n} 处差异："},
    "no_run": {"en": "No complete report run found to audit; run `make report` (or perfmodel report) first.",
               "zh": "未找到可审计的完整报告运行；请先运行 `make report`（或 perfmodel report）。"},
    "no_second_policy": {"en": "No second policy given.", "zh": "未指定第二个政策。"},
    "audited_run": {"en": "Audited run: the {notebook} run {run} of {period}, made {created} from the data "
                          "in {data} (run folder {path}).",
                    "zh": "审计对象：{period} 的 {notebook} 运行 {run}，生成于 {created}，数据来自 {data}"
                          "（运行目录 {path}）。"},
    "missing_flag": {"en": "{n} supervisor(s) have missing indicators (weights renormalised).",
                     "zh": "{n} 位主管存在缺失指标（权重已重新分配）。"},
    "run_line": {"en": "Run {run}; data {data}; policy {policy} {version} (sha256 {sha}).",
                 "zh": "运行 {run}；数据 {data}；政策 {policy} {version}（sha256 {sha}）。"},
    "fragility_text": {"en": "{n} of {total} supervisors keep their rating in at most {keep} % of "
                               "re-weightings.",
                       "zh": "{total} 位主管中有 {n} 位在权重扰动下保持评级的概率不超过 {keep}%。"},
    "validity_text": {"en": "{n} of {total} process→result pairs are significant at 5 % (lag {lag}).",
                      "zh": "{total} 组过程→结果关系中有 {n} 组在 5% 水平显著（滞后 {lag} 期）。"},
    # the random draws behind a figure: the same seed and number of draws give the same figure
    "draws_fragility": {"en": "Random draws: {draws:,} re-weightings, seed {seed}. The same seed and "
                              "number of draws give the same figures.",
                        "zh": "随机抽样：{draws:,} 次权重扰动，随机种子 {seed}。相同的随机种子和抽样次数给出相同的结果。"},
    "draws_bootstrap": {"en": "Random draws: p-values of {n} pairs come from a wild cluster bootstrap with "
                              "{draws:,} draws, seed {seed} (fewer than {below} supervisors).",
                        "zh": "随机抽样：{n} 组关系的 p 值来自野聚类自助法，{draws:,} 次抽样，随机种子 {seed}"
                              "（主管少于 {below} 位）。"},
    "draws_none": {"en": "No random draws: p-values from cluster-robust t tests ({below} or more supervisors).",
                   "zh": "未使用随机抽样：p 值来自聚类稳健 t 检验（主管不少于 {below} 位）。"},
    # forced distribution: ratings from the bands against ratings after the quotas
    "quota_effect": {"en": "Quotas by {by}: ratings from the bands and after the quotas",
                     "zh": "按{by}的配额：按分数段的评级与配额后的评级"},
    "quota_text_by": {"en": "The policy's forced distribution applies within each {quota_by} of the period "
                            "(largest remainder); supervisors without a {quota_by} form one group of their own, "
                            "named {none}. Each cell: supervisors rated so by the bands → after the quota.",
                      "zh": "方案的强制分布在本期每个{quota_by}内分别执行（最大余数法）；没有{quota_by}的主管"
                            "合为一组，名为 {none}。每格：按分数段得到该评级的人数 → 配额后的人数。"},
    "quota_text_all": {"en": "The policy's forced distribution applies to everyone of the period (largest "
                             "remainder), shown here by {by}. Each cell: supervisors rated so by the bands → "
                             "after the quota.",
                       "zh": "方案的强制分布对本期全体主管执行（最大余数法），此处按{by}列示。每格：按分数段得到"
                             "该评级的人数 → 配额后的人数。"},
    "quota_changed": {"en": "{n} supervisors' ratings were changed by the quota.",
                      "zh": "配额改变了 {n} 位主管的评级。"},
    "quota_all": {"en": "all", "zh": "全体"},
    "quota_rating_bands": {"en": "From the bands", "zh": "按分数段"},
    "quota_rating_quota": {"en": "After the quota", "zh": "配额后"},
    # adjustments from the review meeting
    "rating_computed": {"en": "Computed rating", "zh": "计算评级"},
    "adjustment_reason": {"en": "Reason for the change", "zh": "调整原因"},
    "adjustment_approved_by": {"en": "Approved by", "zh": "批准人"},
    "adjustment_approved_on": {"en": "Approved on", "zh": "批准日期"},
    "adjustments_text": {"en": "{n} ratings were changed at the review meeting (adjustments file, sha256 {sha}…): "
                               "the table shows the computed rating beside the final one, with the reason and "
                               "the approver.",
                         "zh": "评审会调整了 {n} 位主管的评级（调整文件 sha256 {sha}…）：表中并列计算评级与最终评级，"
                               "并注明调整原因和批准人。"},
    "adjustments_keep_quotas": {"en": "The adjustments keep every quota count of the forced distribution.",
                                "zh": "调整后强制分布的各配额人数不变。"},
    "adjustments_break_quotas": {"en": "The adjustments break the forced distribution's quotas by {n} places "
                                       "(per label: supervisors the quota gave it → after the adjustments):",
                                 "zh": "调整使强制分布的配额偏离 {n} 个名额（各评级：配额人数 → 调整后人数）："},
    "break_quota": {"en": "Quota", "zh": "配额人数"},
    "break_final": {"en": "After the adjustments", "zh": "调整后人数"},
    "break_difference": {"en": "Difference", "zh": "差额"},
    "own_adjustment": {"en": "Your computed rating was {computed}; the review meeting changed it to {final}: "
                             "{reason} (approved by {by} on {on}).",
                       "zh": "您的计算评级为 {computed}；评审会将其调整为 {final}：{reason}（批准人 {by}，{on}）。"},
    # human judgement on the feedback page (manager ratings, self-assessments)
    "judgement": {"en": "Your self rating and your manager's rating", "zh": "自评与上级评价"},
    "judgement_none": {"en": "No manager rating or self-assessment of yours in {period}.",
                       "zh": "{period} 没有您的上级评价或自评记录。"},
    "judgement_gap_above": {"en": "You rated yourself {gap} points above your manager's rating "
                                  "(corrected for rater leniency).",
                            "zh": "您的自评比上级评价（已做评价人宽严校正）高 {gap} 分。"},
    "judgement_gap_below": {"en": "You rated yourself {gap} points below your manager's rating "
                                  "(corrected for rater leniency).",
                            "zh": "您的自评比上级评价（已做评价人宽严校正）低 {gap} 分。"},
    "judgement_gap_even": {"en": "Your self rating and your manager's rating agree (within {gap} points).",
                           "zh": "您的自评与上级评价基本一致（相差 {gap} 分以内）。"},
    "leniency_applied": {"en": "{indicator}: corrected for how lenient or strict each of the {raters} raters "
                               "is (estimated from every rating up to the end of the period).",
                         "zh": "{indicator}：已按 {raters} 位评价人各自的宽严程度校正（依据截至期末的全部评价估计）。"},
    "leniency_not_applied": {"en": "{indicator}: the raw mean is used, not corrected for rater leniency, "
                                   "because {reason}.",
                             "zh": "{indicator}：使用原始均值，未做评价人宽严校正，原因：{reason}。"},
    "ratings": {"en": "Ratings", "zh": "评分条数"},
    "gap": {"en": "Self − this", "zh": "自评 − 本项"},
    "info": {"en": "note", "zh": "提示"},
    "goal_findings": {"en": "SMART per agreed goal", "zh": "逐项目标的 SMART 检查"},
    "agreed_goals": {"en": "Agreed goals", "zh": "共同确定的目标"},
    "goals_replace_text": {"en": "The policy says goals: replace: these agreed targets replace the policy's "
                                 "in the scores.",
                           "zh": "评分政策设定 goals: replace：以下约定目标在计分时替代政策目标。"},
    "goals_report_text": {"en": "The policy says goals: report: these agreed targets are shown beside the "
                                "policy's; the scores use the policy's targets.",
                          "zh": "评分政策设定 goals: report：以下约定目标仅与政策目标并列展示，计分仍按政策目标。"},
    "policy_target": {"en": "Policy target", "zh": "政策目标"},
    "agreed_target": {"en": "Agreed target", "zh": "约定目标"},
    "policy_floor": {"en": "Policy floor", "zh": "政策下限"},
    "agreed_floor": {"en": "Agreed floor", "zh": "约定下限"},
    "used_in_score": {"en": "Used in score", "zh": "用于计分"},
    "goals": {"en": "Supervisors with a goal", "zh": "有约定目标的主管数"},
    "agreed_low": {"en": "Easiest agreed target", "zh": "最易约定目标"},
    "agreed_high": {"en": "Hardest agreed target", "zh": "最难约定目标"},
    "met_agreed": {"en": "Met their agreed target", "zh": "达成约定目标比例"},
    "agreed_mark": {"en": " (agreed)", "zh": "（约定）"},
    "goal_findings_text": {
        "en": "Each goal agreed for {period} checked on its own, as `perfmodel lint --data` does: the findings "
              "per check, then every error.",
        "zh": "对 {period} 的每一项约定目标逐项检查（与 `perfmodel lint --data` 相同）：先列各检查项的发现数，"
              "再列出全部错误。"},
    "goal_errors": {"en": "Errors in the agreed goals:", "zh": "约定目标中的错误："},
    "no_goal_errors": {"en": "No agreed goal has an error.", "zh": "约定目标均无错误。"},
    "errors": {"en": "Errors", "zh": "错误"},
    "warnings": {"en": "Warnings", "zh": "警告"},
    "notes": {"en": "Notes", "zh": "提示"},
    # the working calendar (perfmodel.workcalendar): calendar.yaml problems and uncovered years
    "calendar_uncovered": {
        "en": "{where}: no official holidays or make-up days known for {years}; these years run Monday to Friday "
              "-- list them under holidays: and make_up_days: in calendar.yaml",
        "zh": "{where}：未知 {years} 年的法定节假日和调休工作日，这些年份按周一至周五计算工作日"
              "——请在 calendar.yaml 的 holidays: 和 make_up_days: 下列出"},
    "calendar_not_utf8": {"en": "{where}: not UTF-8 text; save it as UTF-8",
                          "zh": "{where}：不是 UTF-8 文本；请另存为 UTF-8"},
    "calendar_bad_yaml": {"en": "{where}:{line} not valid YAML ({problem}); fix the syntax (see docs/indicators.md)",
                          "zh": "{where}:{line} 不是有效的 YAML（{problem}）；请修正语法（见 docs/indicators.md）"},
    "calendar_not_mapping": {
        "en": "{where}: expected a mapping with hours, teams, holidays, make_up_days; got {got}",
        "zh": "{where}：应为包含 hours、teams、holidays、make_up_days 的映射；实际为 {got}"},
    "calendar_unknown_key": {"en": "{where}: {field}: unknown key; use one of {keys}",
                             "zh": "{where}：{field}：未知的键；请使用 {keys} 之一"},
    "calendar_teams": {"en": "{where}: {field}: expected a mapping of team name to {{start, end, lunch}}",
                       "zh": "{where}：{field}：应为班组名称到 {{start, end, lunch}} 的映射"},
    "calendar_both_lists": {"en": "{where}: {field}: {day} is also listed under holidays; keep it in one list",
                            "zh": "{where}：{field}：{day} 同时列在 holidays 下；只保留在一个列表中"},
    "calendar_time": {"en": "{where}: {field}: {text} is not a time of day; write HH:MM, e.g. \"09:00\"",
                      "zh": "{where}：{field}：{text} 不是时刻；请写成 HH:MM，例如 \"09:00\""},
    "calendar_hours": {
        "en": "{where}: {field}: expected {{start: \"09:00\", end: \"18:00\", lunch: [\"12:00\", \"13:00\"]}}",
        "zh": "{where}：{field}：应为 {{start: \"09:00\", end: \"18:00\", lunch: [\"12:00\", \"13:00\"]}}"},
    "calendar_end_before_start": {
        "en": "{where}: {field}: the working day ends before it starts; give an end after the start",
        "zh": "{where}：{field}：下班时间早于上班时间；请给出晚于开始的结束时间"},
    "calendar_lunch_form": {
        "en": "{where}: {field}: expected [start, end], e.g. [\"12:00\", \"13:00\"], or null for none",
        "zh": "{where}：{field}：应为 [开始, 结束]，例如 [\"12:00\", \"13:00\"]；没有午休时写 null"},
    "calendar_lunch_inside": {
        "en": "{where}: {field}: the break must lie inside the working day and end after it starts",
        "zh": "{where}：{field}：午休必须位于工作时间之内，且结束晚于开始"},
    "calendar_dates": {"en": "{where}: {field}: expected a list of dates, e.g. [2027-01-01, 2027-02-05]",
                       "zh": "{where}：{field}：应为日期列表，例如 [2027-01-01, 2027-02-05]"},
    "calendar_not_date": {"en": "{where}: {field}: {text} is not a date; write YYYY-MM-DD",
                          "zh": "{where}：{field}：{text} 不是日期；请写成 YYYY-MM-DD"},
}

# Coaching topics suggested for a gap in an indicator (SPEC seed: 辅导沟通).
COACHING: dict[str, dict[str, str]] = {
    "csat": {"en": "Service standards and customer empathy", "zh": "服务标准与客户同理心"},
    "followup_positive_rate": {"en": "Return-visit scripts and closing the loop",
                               "zh": "回访话术与闭环管理"},
    "complaint_resolution_rate": {"en": "Complaint escalation and root-cause resolution",
                                  "zh": "投诉升级与根因解决"},
    "customer_churn_rate": {"en": "Retention of at-risk customers", "zh": "风险客户挽留"},
    "cost_control_rate": {"en": "After-sales cost planning against budget", "zh": "售后成本预算管控"},
    "first_response_hours": {"en": "Shift planning for faster first response", "zh": "排班优化与快速首次响应"},
    "complaint_handling_hours": {"en": "Complaint handling workflow", "zh": "投诉处理流程"},
    "timely_closure_rate": {"en": "Due-date tracking and early warnings", "zh": "工单时限跟踪与预警"},
    "backlog_ratio": {"en": "Backlog triage and daily stand-ups", "zh": "积压工单分级与每日例会"},
    "tickets_per_staff_day": {"en": "Workload balancing in the team", "zh": "团队工作量均衡"},
    "reopen_rate": {"en": "First-time-right resolution checks", "zh": "一次解决率与质检"},
    "compliance_rate": {"en": "Process compliance and self-inspection", "zh": "流程合规与自查"},
    "collaboration_score": {"en": "Team collaboration and peer support", "zh": "团队协作与互助"},
    "training_completion_rate": {"en": "Training plan follow-through", "zh": "培训计划落实"},
    "skill_gain": {"en": "Coaching for skill growth after training", "zh": "培训后的技能辅导"},
    "staff_turnover_rate": {"en": "Staff retention and engagement", "zh": "员工保留与敬业度"},
    "promotion_rate": {"en": "Talent development and promotion paths", "zh": "人才培养与晋升通道"},
    "cost_per_ticket": {"en": "Cost per ticket drivers", "zh": "单均成本动因"},
}


def ordinal(n: float, lang: str = "en") -> str:
    """Return ``n`` rounded as an ordinal: ``1st``, ``2nd``, ``23rd``, ``11th`` (Chinese: the number)."""
    k = int(round(n))
    if lang == "zh":
        return str(k)
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"zh"``; raise UsageError otherwise."""
    if lang not in LANGS:
        raise UsageError(f"lang {lang!r}: use 'en' or 'zh'")
    return lang


def t(key: str, lang: str = "en", **values) -> str:
    """Return the text of ``key`` in ``lang``, formatted with ``values``.

    Unknown keys are returned as given, so a missing label shows up in review instead of
    failing a report.
    """
    entry = LABELS.get(key)
    text = entry[check_lang(lang)] if entry else key
    return text.format(**values) if values else text


def indicator_label(indicator: str, lang: str = "en") -> str:
    """Return the catalogue name of an indicator in ``lang`` (the id when not in the catalogue)."""
    from . import catalogue

    try:
        return catalogue.name(indicator, lang)
    except KeyError:
        return indicator


def coaching_topic(indicator: str, lang: str = "en") -> str:
    """Return the coaching topic suggested for a gap in ``indicator``."""
    entry = COACHING.get(indicator)
    if entry is None:
        return indicator_label(indicator, lang)
    return entry[check_lang(lang)]


def columns(df, lang: str = "en"):
    """Return ``df`` with its columns renamed to their labels in ``lang``.

    Columns named ``score_<indicator>`` or an indicator id get the indicator's name.
    """
    mapping = {}
    for col in df.columns:
        if col in LABELS:
            mapping[col] = t(col, lang)
        elif isinstance(col, str) and col.startswith("score_"):
            mapping[col] = indicator_label(col[len("score_"):], lang)
        else:
            label = indicator_label(col, lang) if isinstance(col, str) else col
            mapping[col] = label
    return df.rename(columns=mapping)


# --------------------------------------------------------------------------- quarantine reasons

#: Data tables by name, as pages show them.
TABLE_NAMES: dict[str, dict[str, str]] = {
    "supervisors": {"en": "supervisors", "zh": "主管"},
    "staff": {"en": "staff", "zh": "员工"},
    "tickets": {"en": "tickets", "zh": "工单"},
    "surveys": {"en": "surveys", "zh": "满意度调查"},
    "followups": {"en": "followups", "zh": "回访"},
    "customers": {"en": "customers", "zh": "客户"},
    "training": {"en": "training", "zh": "培训"},
    "audits": {"en": "audits", "zh": "稽核"},
    "peer_reviews": {"en": "peer_reviews", "zh": "同事互评"},
    "budgets": {"en": "budgets", "zh": "预算"},
    "manager_ratings": {"en": "manager_ratings", "zh": "上级评价"},
    "self_assessments": {"en": "self_assessments", "zh": "自评"},
    "goals": {"en": "goals", "zh": "共同确定的目标"},
}

# What a readable cell of each column kind looks like (perfmodel.parsing.EXPECTED in English).
_EXPECTED_ZH = {"timestamp": "ISO 8601 日期时间（如 2026-03-31T14:05:00）", "date": "日期（如 2026-03-31）",
                "bool": "true/false、1/0、yes/no 或 是/否", "float": "数字",
                "period": "期间（如 2026Q3 或 2026-09）", "id": "文本", "text": "文本"}
_FIELD_ZH = {"month": "月份", "day": "日", "hour": "小时", "minute": "分钟", "second": "秒"}

#: Chinese wording of each quarantine reason code (the English text is stored with the row).
REASONS_ZH: dict[str, str] = {
    "unreadable": "{column}：无法将“{value}”读取为{expected}",
    "date_field": "{column}：“{value}”不是有效日期：{field} {number} 超出范围（{low}..{high}{days}）",
    "date_span": "{column}：“{value}”超出 perfmodel 可处理的日期范围（{first} 至 {last}）；请在源数据中更正年份",
    "too_large": "{column}：“{value}”过大（超过 {limit}）",
    "before": "{column}“{value}”早于 {other}“{other_value}”",
    "above": "{column}“{value}”高于 {other}“{other_value}”",
    "required_empty": "{column}：必填值为空",
    "out_of_range": "{column}：“{value}”超出范围 {bounds}",
    "duplicate": "{column}“{value}”与第 {first_row} 行重复",
    "not_in_parent": "{column}“{value}”不在{parent}表中",
    "no_parent_table": "{column}“{value}”：数据中没有{parent}表",
    "before_parent": "{column}“{value}”早于所属{parent}记录的 {other}“{other_value}”",
    "lookalike": "{column}：“{value}”只是看起来像“{normal}”（含全角或不可见字符）；请重新输入为“{normal}”",
    "implausible_date": "{column}：“{value}”不在合理日期范围 {window} 内（是否输入错误？见 data/README.md）",
    "formula_without_value": "{column}：公式没有计算值（文件由不计算公式的程序写入）；请在 Excel 中打开并保存工作簿，"
                             "使值被存储",
}


def table_label(table: str, lang: str = "en") -> str:
    """Return the name of a data table in ``lang`` (``tickets`` -> ``工单``; unknown names as given)."""
    entry = TABLE_NAMES.get(str(table))
    return entry[check_lang(lang)] if entry else str(table)


def _num_text(x) -> str:
    return "" if x is None else (f"{int(x)}" if float(x).is_integer() else f"{x}")


def _reason_zh(code: str, p: dict) -> str:
    values = {k: ("" if v is None else v) for k, v in p.items()}
    if code == "unreadable":
        values["expected"] = _EXPECTED_ZH.get(p.get("kind"), "有效值")
    elif code == "date_field":
        values["field"] = _FIELD_ZH.get(p.get("field"), p.get("field"))
        values["days"] = f"，{p['month']} 只有 {p['high']} 天" if p.get("month") else ""
    elif code == "out_of_range":
        lo, hi = p.get("min"), p.get("max")
        values["bounds"] = (f"{_num_text(lo)}..{_num_text(hi)}" if lo is not None and hi is not None
                            else f"≥ {_num_text(lo)}" if lo is not None else f"≤ {_num_text(hi)}")
    elif code in ("not_in_parent", "no_parent_table", "before_parent"):
        values["parent"] = table_label(p.get("parent", ""), "zh")
    return REASONS_ZH[code].format(**values)


def reason_text(code, params, lang: str = "en", english: str = "") -> str:
    """Return a quarantine reason in ``lang`` from its code and parameters.

    Parameters
    ----------
    code : str
        ``reason_code`` of a quarantined row (several joined with ``"; "``).
    params : str
        ``reason_params``: a JSON list of objects, one per code.
    lang : {"en", "zh"}
    english : str
        The stored English ``reason``; returned for ``en`` and whenever the code is
        unknown or its parameters unreadable (a quarantine written before codes existed).

    Returns
    -------
    str
        The reason worded in ``lang`` (several joined with "；" in Chinese).
    """
    import json

    if check_lang(lang) == "en" or not isinstance(code, str) or not code:
        return english
    codes = code.split("; ")
    try:
        plist = json.loads(params) if isinstance(params, str) else None
    except ValueError:
        plist = None
    if not isinstance(plist, list) or len(plist) != len(codes) or any(c not in REASONS_ZH for c in codes):
        return english
    try:
        return "；".join(_reason_zh(c, p) for c, p in zip(codes, plist))
    except (KeyError, IndexError, TypeError, ValueError):
        return english
