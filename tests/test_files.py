"""The one atomic writer (symdyn/output/files.py): nothing half-written, nothing of the user's lost."""

from __future__ import annotations

import os
import stat

import pytest

from symdyn.output import files
from symdyn.output.files import MANIFEST, add_files, read_manifest, staging_folder, write_file, write_folder


def test_write_file_replaces_whole_and_leaves_no_temporary(tmp_path):
    p = tmp_path / "a.txt"
    write_file(p, "one")
    write_file(p, b"two")
    assert p.read_bytes() == b"two" and [q.name for q in tmp_path.iterdir()] == ["a.txt"]


def test_write_folder_records_a_manifest_and_keeps_permissions(tmp_path):
    out = tmp_path / "out"
    write_folder(out, {"a/b.txt": "x"})
    assert read_manifest(out) == {"a/b.txt"}
    os.chmod(out, 0o700)
    write_folder(out, {"c.txt": "y"})                        # symdyn's own folder: replaced whole
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "c.txt"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700         # the user's 0700 survives the swap


def test_write_folder_refuses_foreign_files(tmp_path):
    out = tmp_path / "out"
    write_folder(out, {"a.txt": "x"})
    (out / "mine.txt").write_text("keep")
    with pytest.raises(ValueError, match="mine.txt"):
        write_folder(out, {"a.txt": "z"})
    assert (out / "mine.txt").read_text() == "keep" and (out / "a.txt").read_text() == "x"
    # negative control: a folder with no manifest at all is refused too
    other = tmp_path / "other"
    other.mkdir()
    (other / "f").write_text("1")
    with pytest.raises(ValueError, match="did not write"):
        write_folder(other, {"a.txt": "x"})


def test_add_files_never_overwrites_a_user_file(tmp_path):
    out = tmp_path / "figs"
    out.mkdir()
    (out / "fig1.png").write_bytes(b"user's own")
    with pytest.raises(ValueError, match="fig1.png"):
        add_files(out, {"fig1.png": b"new", "fig1.pdf": b"new"})
    assert (out / "fig1.png").read_bytes() == b"user's own" and not (out / "fig1.pdf").exists()
    add_files(out, {"fig2.png": b"a"})
    add_files(out, {"fig2.png": b"b"})                       # symdyn's own file: overwritten
    assert (out / "fig2.png").read_bytes() == b"b" and read_manifest(out) == {"fig2.png"}
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "fig1.png", "fig2.png"]


def test_add_files_to_a_new_folder_is_atomic(tmp_path):
    out = tmp_path / "new"


    with pytest.raises(TypeError):
        add_files(out, {"a": b"x", "b": 3})                  # the second file cannot be written
    assert list(tmp_path.iterdir()) == []                   # no folder, no staging left


def test_target_created_during_the_run_is_never_replaced(tmp_path):
    # the race of issue #19: the target appears (with a user's file) while symdyn builds its staging folder
    out = tmp_path / "race1"
    tmp = staging_folder(out)
    (tmp / "report.md").write_text("symdyn's")
    out.mkdir()
    (out / "mine.txt").write_text("precious")
    with pytest.raises(ValueError, match="did not write"):
        write_folder(out, {"b.txt": "x"}, staging=tmp)
    assert (out / "mine.txt").read_text() == "precious" and sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race1"]  # the staging folder is gone


def test_file_added_between_the_check_and_the_swap_is_kept(tmp_path, monkeypatch):
    # the narrowest window: a user file lands in symdyn's own folder right after the last check
    out = tmp_path / "out"
    write_folder(out, {"a.txt": "x"})
    real, calls = files.check_replaceable, []

    def check_then_user_writes(target):
        real(target)
        calls.append(target)
        if len(calls) == 2:  # the last check, just before the folder is moved aside
            (out / "mine.txt").write_text("precious")
    monkeypatch.setattr(files, "check_replaceable", check_then_user_writes)
    with pytest.raises(ValueError, match="received files symdyn did not write"):
        write_folder(out, {"a.txt": "y"})
    assert (out / "mine.txt").read_text() == "precious" and (out / "a.txt").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_add_files_does_not_clobber_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    out = tmp_path / "figs"
    out.mkdir()
    real = files.put_file

    def put_then_user_writes(path, content):
        real(path, content)
        (out / "fig1.png").write_bytes(b"user's own")   # appears after symdyn's clash check
    monkeypatch.setattr(files, "put_file", put_then_user_writes)
    with pytest.raises(ValueError, match="appeared during the run"):
        add_files(out, {"fig1.png": b"symdyn's"})
    assert (out / "fig1.png").read_bytes() == b"user's own"
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]  # no staging left
    assert read_manifest(out) == set()  # the user's file is not claimed as symdyn's
