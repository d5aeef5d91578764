"""What the tests of AtomForge's embedded scripts share: where the scripts are, and a scratch folder holding one."""
import pathlib
import subprocess
import sys

import pytest

SOURCES = pathlib.Path(__file__).resolve().parents[2] / "Sources" / "AtomForgeGeneration"


def script(relative):
    """The text of a script under Sources/AtomForgeGeneration, as the binary embeds it."""
    return (SOURCES / relative).read_text(encoding="utf-8")


class Scratch:
    """A folder holding a script and the files it reads, run the way AtomForge runs it (`python3 -I`)."""

    def __init__(self, folder):
        self.folder = folder

    def write(self, name, text):
        (self.folder / name).write_text(text, encoding="utf-8")

    def exists(self, name):
        return (self.folder / name).exists()

    def python(self, *arguments, timeout=60):
        return subprocess.run([sys.executable, "-I", *arguments], cwd=self.folder, capture_output=True, text=True,
                              timeout=timeout)

    def node(self, *arguments, timeout=60):
        return subprocess.run(["node", *arguments], cwd=self.folder, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def scratch(tmp_path):
    return Scratch(tmp_path)
