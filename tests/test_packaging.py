"""pyproject.toml and environment.yml must ask for the same packages and floors."""

import pathlib
import re
import sys

import yaml
from packaging.markers import Marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONDA_NAMES = {"matplotlib-base": "matplotlib"}  # conda-forge's Qt-free matplotlib
LEFT_OUT = {"bench", "class"}  # optional extras that environment.yml deliberately omits


def parse(requirement):
    name, _, floor = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*([^,;\s]+))?",
                               requirement).groups()
    return name.lower().replace("_", "-"), floor


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra, extra_reqs in project["optional-dependencies"].items():
        if extra not in LEFT_OUT:
            reqs += extra_reqs
    python = environment_requirements()[3]
    # A requirement with a marker counts only if it applies to environment.yml's Python.
    reqs = [r for r in reqs if ";" not in r
            or Marker(r.split(";", 1)[1]).evaluate({"python_version": python})]
    return dict(parse(r) for r in reqs), project["requires-python"]


def environment_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip, python = {}, {}, None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if not item.startswith("-e") and item != ".":
                    name, floor = parse(item)
                    pip[name] = floor
            continue
        name, floor = parse(dep.replace("=", ">=", 1) if re.match(r"^python=", dep) else dep)
        if name == "python":
            python = floor
        elif name != "pip":
            conda[CONDA_NAMES.get(name, name)] = floor
    return env, conda, pip, python


def test_same_packages_and_floors():
    wanted, _ = pyproject_requirements()
    _, conda, pip, _ = environment_requirements()
    assert not set(conda) & set(pip), "a package is listed twice in environment.yml"
    assert {**conda, **pip} == wanted


def test_environment_is_reproducible_for_binder():
    env, _, _, python = environment_requirements()
    _, requires_python = pyproject_requirements()
    assert env["channels"] == ["conda-forge", "nodefaults"]
    floor = tuple(int(p) for p in requires_python.removeprefix(">=").split("."))
    assert python is not None and tuple(int(p) for p in python.split(".")) >= floor
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "the project itself must be pip-installed"


def test_pins_are_floors_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    for requirement in reqs:
        specifier = requirement.split(";", 1)[0]  # a marker may compare Python versions
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+>=[0-9.]+", specifier.replace(" ", "")), requirement
