"""The kernel's log never reaches the terminal of a report run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook


@pytest.mark.slow
def test_kernel_errors_logged_at_shutdown_stay_out_of_the_terminal(tmp_path):
    # what the kernel logs when the interrupt sent before shutdown finds it in a message handler
    source = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        'get_ipython().kernel.log.error("KeyboardInterrupt caught in kernel")\nprint("done")')],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}),
        str(source))
    code = ("import sys\nfrom perfmodel.reporting.runner import execute_notebook\n"
            f"err = execute_notebook({str(source)!r}, {str(tmp_path / 'out.ipynb')!r}, {{}})\n"
            "print(err)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       cwd=Path(__file__).resolve().parents[2])
    assert r.stdout.strip().splitlines()[-1] == "None", r.stdout + r.stderr
    executed = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert "done" in executed.cells[0].outputs[0]["text"]  # the cell ran
    assert "KeyboardInterrupt" not in r.stderr and "IPKernelApp" not in r.stderr, r.stderr
