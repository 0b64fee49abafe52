def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == "overleg 0.1.0\n"


def test_examples_check_clean(run, example_ws):
    result = run("cases", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 fouten, 0 waarschuwingen" in result.stderr
