"""Every notebook in notebooks/ runs headlessly, top to bottom, without a
failing cell (Debian's nbclient and ipykernel, the /usr/bin/python3 kernel).
Notebooks are committed without outputs."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import SOURCE_DIR

NOTEBOOKS = sorted((SOURCE_DIR / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"compare_queue_policies.ipynb", "capacity_what_if.ipynb", "python_policy.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: pathlib.Path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: pathlib.Path, monkeypatch):
    # The kernel inherits the environment: the module of this build.
    monkeypatch.setenv("CAPSIM_SOURCE_DIR", str(SOURCE_DIR))
    import capsim  # the module this test imports, wherever it was found

    monkeypatch.setenv("CAPSIM_PYTHON_PATH", str(pathlib.Path(capsim.__file__).resolve().parents[1]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, when a cell fails
