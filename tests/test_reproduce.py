"""`symdyn reproduce`: files, summary, and atomic output."""


from symdyn.cli import main
from symdyn.output import reproduce as R


def test_reproduce_writes_report_and_sheets(tmp_path, capsys, monkeypatch):
    # every claim's outcome is tested elsewhere; here two claims (a result and an erratum) suffice
    real = R.run_claims
    monkeypatch.setattr(R, "run_claims", lambda **kw: real(["ode-L2", "E3"], **kw))
    out = tmp_path / "out"
    assert main(["reproduce", "--out", str(out)]) == 0
    assert (out / "report.md").is_file() and (out / "claims.json").is_file()
    assert (out / "derivations" / "formulas.tex").is_file()
    assert (out / "figures" / "fig1.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "figures" / "fig2.pdf").read_bytes()[:4] == b"%PDF"
    assert "Table 1" in (out / "report.md").read_text()
    text = (out / "report.md").read_text()
    assert "## Errata of the printed paper" in text and "E3" in text
    assert "wrote" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp folders left behind


def test_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    def boom(quick):
        raise KeyboardInterrupt

    monkeypatch.setattr(R, "STAGES", [("cheap", _cheap), ("boom", boom)])
    out = tmp_path / "out"
    assert main(["reproduce", "--out", str(out)]) == 130
    assert list(tmp_path.iterdir()) == []


def _cheap(quick):
    return R.StageResult({"a/b.txt": "x", "c.bin": b"\0"}, {"files": 2}, "## cheap\n")


def test_existing_output_is_replaced_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "STAGES", [("cheap", _cheap)])
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    (out / ".symdyn-manifest.json").write_text('{"files": ["stale.txt"]}')  # a previous run's folder
    assert main(["reproduce", "--out", str(out)]) == 0
    assert not (out / "stale.txt").exists() and (out / "report.md").exists()
    assert (out / "a" / "b.txt").read_text() == "x" and (out / "c.bin").read_bytes() == b"\0"


def test_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "f"
    f.write_text("x")
    assert main(["reproduce", "--out", str(f)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_refuses_a_folder_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["reproduce", "--out", str(out)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"


def test_unwritable_out_is_one_line(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["reproduce", "--out", str(f / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_user_file_in_a_symdyn_folder_is_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(R, "STAGES", [("cheap", _cheap)])
    out = tmp_path / "out"
    assert main(["reproduce", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")                 # the user adds a file to symdyn's folder
    assert main(["reproduce", "--out", str(out)]) == 2
    assert "notes.txt" in capsys.readouterr().err and (out / "notes.txt").read_text() == "mine"


def test_target_created_during_the_run_survives(tmp_path, monkeypatch, capsys):
    out = tmp_path / "race"

    def racer(quick):                                       # the user creates the target mid-run
        out.mkdir()
        (out / "mine.txt").write_text("precious")
        return R.StageResult({"x.txt": "x"}, {"files": 1}, "## racer\n")

    monkeypatch.setattr(R, "STAGES", [("racer", racer)])
    assert main(["reproduce", "--out", str(out)]) == 2
    assert (out / "mine.txt").read_text() == "precious" and sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race"]   # no staging folder left behind
    assert "race" in capsys.readouterr().err
