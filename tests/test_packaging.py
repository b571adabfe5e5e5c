"""A wheel carries everything a `pip install` user needs: lexicon, frameworks, report assets and the model."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_list_is_every_package_under_src_plus_the_model():
    tomllib = pytest.importorskip("tomllib")
    from setuptools import find_packages
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert sorted(config["packages"]) == sorted(find_packages(str(ROOT / "src")) + ["summaryscan.models_data"])
    assert config["package-dir"]["summaryscan.models_data"] == "models"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        if "Could not find a version" in r.stderr or "NewConnectionError" in r.stderr:
            pytest.skip(f"building a wheel needs setuptools from the package index: {r.stderr[-300:]}")
        raise AssertionError(r.stderr[-2000:])
    (path,) = out.glob("summaryscan-*.whl")
    return path


def test_wheel_ships_data_files_and_the_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("summaryscan/models_data/dimension-classifier.skops",
                     "summaryscan/models_data/dimension-classifier.npz",
                     "summaryscan/lexicon/units.yaml", "summaryscan/frameworks/five-types.yaml",
                     "summaryscan/report/assets/report.css"):
        assert required in names, required


def test_installed_wheel_finds_its_model(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    code = ("import summaryscan.classifier as c; "
            "print(c.default_model_path()); print(c.default_lean_path()); c.load_lean()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(target)}, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    model, lean = r.stdout.split()
    assert Path(model).is_file() and Path(lean).is_file()
    assert Path(model).is_relative_to(target) and Path(lean).is_relative_to(target)
