"""pyproject.toml, environment.yml and binder/environment.yml must ask for the same
packages and floors.

The root environment.yml is for local conda users: everything in pyproject.toml
(the tests' extra too) and the project itself (`- -e .`). binder/environment.yml is
what Binder (repo2docker) builds from: the same runtime packages and floors, no
local path (repo2docker installs it before it copies the repository in) and no test
tools; binder/postBuild installs the project.
"""

import os
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
ROOT_ENV = ROOT / "environment.yml"
BINDER_ENV = ROOT / "binder" / "environment.yml"
CONDA_NAMES = {"matplotlib-base": "matplotlib"}  # conda-forge's Qt-free matplotlib
LEFT_OUT = {"bench", "class"}  # optional extras that environment.yml deliberately omits
BINDER_LEFT_OUT = {"bench", "test", "class"}  # Binder runs the notebooks, not the test suite


def parse(requirement):
    name, _, floor = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*([^,;\s]+))?",
                               requirement).groups()
    return name.lower().replace("_", "-"), floor


def is_local_path(item):
    """A pip requirement that names a path (the repository, a folder, a file)."""
    item = item.strip()
    if item.startswith(("-e", "--editable")):
        return True
    return item.startswith((".", "/", "~", "file:")) or "/" in item or "\\" in item


def pyproject_requirements(left_out=LEFT_OUT, env_path=ROOT_ENV):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra, extra_reqs in project["optional-dependencies"].items():
        if extra not in left_out:
            reqs += extra_reqs
    python = environment_requirements(env_path)[3]
    # A requirement with a marker counts only if it applies to environment.yml's Python.
    reqs = [r for r in reqs if ";" not in r
            or Marker(r.split(";", 1)[1]).evaluate({"python_version": python})]
    return dict(parse(r) for r in reqs), project["requires-python"]


def environment_requirements(path=ROOT_ENV):
    env = yaml.safe_load(path.read_text())
    conda, pip, python = {}, {}, None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if not is_local_path(item):
                    name, floor = parse(item)
                    pip[name] = floor
            continue
        name, floor = parse(dep.replace("=", ">=", 1) if re.match(r"^python=", dep) else dep)
        if name == "python":
            python = floor
        elif name != "pip":
            conda[CONDA_NAMES.get(name, name)] = floor
    return env, conda, pip, python


def pip_section(env):
    return next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])


def test_same_packages_and_floors():
    wanted, _ = pyproject_requirements()
    _, conda, pip, _ = environment_requirements()
    assert not set(conda) & set(pip), "a package is listed twice in environment.yml"
    assert {**conda, **pip} == wanted


def test_binder_asks_for_the_same_runtime_packages_and_floors():
    wanted, _ = pyproject_requirements(BINDER_LEFT_OUT, BINDER_ENV)
    _, conda, pip, _ = environment_requirements(BINDER_ENV)
    assert not set(conda) & set(pip), "a package is listed twice in binder/environment.yml"
    assert {**conda, **pip} == wanted
    # ... and in the same way as the root file: a package conda installs there is
    # installed by conda here too, at the same Python.
    _, root_conda, root_pip, root_python = environment_requirements(ROOT_ENV)
    assert {n: f for n, f in root_conda.items() if n in wanted} == conda
    assert {n: f for n, f in root_pip.items() if n in wanted} == pip
    assert environment_requirements(BINDER_ENV)[3] == root_python


def test_environment_is_reproducible_for_binder():
    for path in (ROOT_ENV, BINDER_ENV):
        env, _, _, python = environment_requirements(path)
        _, requires_python = pyproject_requirements(env_path=path)
        assert env["channels"] == ["conda-forge", "nodefaults"], path.name
        floor = tuple(int(p) for p in requires_python.removeprefix(">=").split("."))
        assert python is not None and tuple(int(p) for p in python.split(".")) >= floor
        if pip_section(env):
            assert "pip" in env["dependencies"], f"{path}: a pip section needs `- pip`"
    assert "-e ." in pip_section(yaml.safe_load(ROOT_ENV.read_text())), (
        "the root environment.yml installs the project itself for local conda users")


def test_binder_environment_names_no_local_path():
    """repo2docker installs binder/environment.yml before it copies the repository:
    a `- -e .` (or any path) there fails the build."""
    env = yaml.safe_load(BINDER_ENV.read_text())
    local = [item for item in pip_section(env) if is_local_path(item)]
    assert not local, f"binder/environment.yml names local paths: {local}"


def test_binder_postbuild_installs_the_project():
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text()
    assert text.startswith("#!"), "binder/postBuild needs a shebang line"
    commands = [line.strip() for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert "python -m pip install --no-deps ." in commands


def test_is_local_path():
    assert all(map(is_local_path, ["-e .", ".", "./", "--editable .", "/abs/pkg",
                                   "file:///x", "../lecture"]))
    assert not any(map(is_local_path, ["playwright>=1.45", "numpy", "tomli>=2.0"]))


def test_pins_are_floors_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    for requirement in reqs:
        specifier = requirement.split(";", 1)[0]  # a marker may compare Python versions
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+>=[0-9.]+", specifier.replace(" ", "")), requirement
