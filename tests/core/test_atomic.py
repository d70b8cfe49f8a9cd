"""Files written whole or not at all (manifests, owner records, caches)."""
from __future__ import annotations

import os
import stat

import pytest

from perfmodel.core.atomic import write_atomic


def test_the_file_is_replaced_whole_with_the_asked_mode(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "manifest.json"
        target.write_bytes(b"old")
        assert write_atomic(target, "新\n".encode("utf-8"), shared=True, sync=True) == target
        assert target.read_bytes() == b"\xe6\x96\xb0\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o644  # 0666 less the umask
        write_atomic(tmp_path / ".running", b"{}")
        assert stat.S_IMODE((tmp_path / ".running").stat().st_mode) == 0o600  # private
        assert sorted(p.name for p in tmp_path.iterdir()) == [".running", "manifest.json"]
    finally:
        os.umask(old)


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "key.pkl"
    target.write_bytes(b"old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["key.pkl"]
