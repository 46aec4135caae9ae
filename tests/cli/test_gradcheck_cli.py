from chainrule.cli import main


def test_gradcheck_command_prints_table_and_exits_0(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "max rel error" in out and "SoftmaxCrossEntropyLoss" in out and "Linear" in out
    assert "FAIL" not in out
    assert " passed, 0 failed" in out


def test_gradcheck_only_filter_and_bad_values(capsys):
    assert main(["gradcheck", "--only", "ReLU"]) == 0
    out = capsys.readouterr().out
    assert "LeakyReLU" in out and "Tanh" not in out
    assert main(["gradcheck", "--batch", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: --batch")
    assert main(["gradcheck", "--only", "nothing-like-this"]) == 2
