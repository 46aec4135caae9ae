"""The README's Python examples run as written (in order, in one namespace)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "readme"}
    for index, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md python block {index + 1}", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"README python block {index + 1} failed: {error!r}\n{block}"
                                 ) from error
    out = capsys.readouterr().out
    assert "-12.0 -4.0 -4.0 3.0 -4.0" in out      # the worked example
    assert "[ 3. 12.]" in out                     # the user-defined Function
    assert "[ 2.9  0.  12.9]" in out              # the course's SVM losses
    assert (tmp_path / "mlp.safetensors").is_file()
