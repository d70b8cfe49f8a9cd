"""One policy loader: every reader of a policy YAML goes through perfmodel.scoring.policy."""
from __future__ import annotations

import pytest

from perfmodel.audit import manifest as audit
from perfmodel.analysis import weights as W
from perfmodel.core.errors import PolicyError
from perfmodel.scoring.policy import load_policy, read_policy_text, split_provenance

PROVENANCE = "\nprovenance:\n  method: ahp\n  inputs: [{path: m.csv, sha256: abc}]\n"


def test_provenance_reader_takes_a_preset():
    # before: Path("quality").read_text() -> FileNotFoundError, a traceback
    policy, prov = W.read_policy_with_provenance("quality")
    assert prov == {}
    assert policy.sha256 == load_policy("quality").sha256


def test_provenance_reader_refuses_duplicate_keys(tmp_path):
    # before: yaml.safe_load kept the second csat silently
    text, _ = read_policy_text("efficiency")
    path = tmp_path / "dup.yaml"
    path.write_text(text + PROVENANCE + "provenance: {method: entropy}\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="duplicate key"):
        W.read_policy_with_provenance(path)


def test_provenance_set_aside_as_before(tmp_path):
    text, _ = read_policy_text("efficiency")
    path = tmp_path / "calibrated.yaml"
    path.write_text(text + PROVENANCE, encoding="utf-8")
    policy, prov = W.read_policy_with_provenance(path)
    assert prov == {"method": "ahp", "inputs": [{"path": "m.csv", "sha256": "abc"}]}
    assert policy.provenance is None and "provenance" not in policy.text
    # the same policy as the preset, weights and targets alike
    base = load_policy("efficiency")
    assert policy.to_dict() == base.to_dict()
    assert split_provenance(base) == (base, {})


def test_manifest_identity_refuses_an_alias_bomb():
    # before: a second YAML reader (yaml.safe_load) accepted what the policy reader refuses
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "name: p\nversion: '1'\n" + "\n".join(lines) + "\n"
    assert audit.policy_identity(bomb) == {"name": None, "version": None}
    assert audit.policy_identity("name: p\nversion: 2026.1\n") == {"name": "p", "version": "2026.1"}
