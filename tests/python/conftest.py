"""pytest setup for `import capsim`: ctest runs these with PYTHONPATH set to
the build's python/ folder (tests/CMakeLists.txt); by hand:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python
"""

import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CAPSIM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
TRACES = SOURCE_DIR.parent / "shared" / "traces"


@pytest.fixture
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture
def quickstart():
    import capsim

    return capsim.Scenario.load(SOURCE_DIR / "scenarios" / "quickstart.yaml")
