"""``finops-verify plugins new NAME`` writes a plugin package an author can install and test.

The end-to-end test does what an author does, offline: generate a plugin, install it
(``pip install --no-deps --no-build-isolation``: its own pyproject is built by hatchling,
so its entry point is the one a real install gets) into a fresh virtual environment that
sees this one's packages through a ``.pth`` file, run the plugin's own tests there with
that environment's Python, and ask ``finops-verify plugins`` there whether it lists the
new check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.test_docs_plugins import imported_names_outside_the_api
from verifier.cli.main import main
from verifier.scaffold import PluginNames

NAME = "repo-licence"
FILES = [
    "README.md",
    "finops_verifier_repo_licence/__init__.py",
    "finops_verifier_repo_licence/policies/repo-licence.yaml",
    "pyproject.toml",
    "tests/sites/says.example/index.html",
    "tests/sites/says.example/notes.txt",
    "tests/sites/silent.example/index.html",
    "tests/test_finops_verifier_repo_licence.py",
]


def generated_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("new") / "finops-verifier-repo-licence"
    assert main(["plugins", "new", NAME, "--dir", str(folder)]) == 0
    return folder


def test_it_writes_a_complete_package(plugin: Path) -> None:
    assert generated_files(plugin) == sorted(FILES)
    pyproject = (plugin / "pyproject.toml").read_text(encoding="utf-8")
    assert 'repo-licence = "finops_verifier_repo_licence"' in pyproject
    assert 'name = "finops-verifier-repo-licence"' in pyproject
    code = (plugin / "finops_verifier_repo_licence/__init__.py").read_text(encoding="utf-8")
    parts = ("class RepoLicenceParams(Params)", "def register_policy_dirs", 'name = "repo-licence"')
    for part in parts:
        assert part in code, part
    assert "{{" not in code + pyproject, "every template placeholder is filled"


def test_the_generated_code_uses_only_the_public_api(plugin: Path) -> None:
    for path in plugin.rglob("*.py"):
        assert imported_names_outside_the_api(path) == [], path


def test_the_generated_code_passes_its_own_linter_settings(plugin: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [str(ruff), *args], cwd=plugin, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Repo-Licence", id="capitals"),
        pytest.param("repo_licence", id="an underscore"),
        pytest.param("repo--licence", id="a double hyphen"),
        pytest.param("repo-", id="a trailing hyphen"),
        pytest.param("2fa", id="a leading digit"),
        pytest.param("x" * 41, id="too long"),
        pytest.param("../escape", id="a path"),
    ],
)
def test_a_bad_name_exits_2_saying_what_a_name_may_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["plugins", "new", name, "--dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"plugin name {name!r}: use lowercase letters and digits" in err
    assert "(e.g. 'repo-licence')" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_that_holds_anything_is_never_written_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["plugins", "new", NAME, "--dir", str(tmp_path)]) == 2
    assert "the folder is not empty, and a new plugin never overwrites anything" in (
        capsys.readouterr().err
    )
    assert generated_files(tmp_path) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_empty_folder_is_written_into(tmp_path: Path) -> None:
    assert main(["plugins", "new", NAME, "--dir", str(tmp_path)]) == 0
    assert generated_files(tmp_path) == sorted(FILES)


def test_without_dir_it_writes_finops_verifier_name_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plugins", "new", "uptime"]) == 0
    out = capsys.readouterr().out
    assert "wrote 8 files to finops-verifier-uptime/" in out
    assert "pip install -e '.[test]' && pytest" in out
    written = generated_files(tmp_path / "finops-verifier-uptime")
    assert "finops_verifier_uptime/__init__.py" in written


def test_a_name_an_installed_check_has_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Strict names would refuse both checks in every run: say so before writing anything.
    assert main(["plugins", "new", "offering", "--dir", str(tmp_path / "out")]) == 2
    assert (
        "the check 'offering' is already registered by plugin 'builtin' (finops-verifier)"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()


def test_names_derive_from_the_plugin_name() -> None:
    names = PluginNames.of("repo-licence-2")
    assert (names.dist, names.package, names.camel) == (
        "finops-verifier-repo-licence-2",
        "finops_verifier_repo_licence_2",
        "RepoLicence2",
    )


def test_the_templates_ship_in_the_wheel() -> None:
    from hatchling.builders.wheel import WheelBuilder  # a test dependency, not the tool's

    root = Path(__file__).resolve().parent.parent
    shipped = {f.distribution_path for f in WheelBuilder(str(root)).recurse_included_files()}
    templates = root / "verifier" / "templates" / "plugin"
    wanted = {p.relative_to(root).as_posix() for p in templates.rglob("*") if p.is_file()}
    assert len(wanted) == len(FILES)
    assert wanted <= shipped


@pytest.mark.slow
def test_a_new_plugin_installs_in_a_fresh_venv_and_its_own_tests_pass(tmp_path: Path) -> None:
    plugin = tmp_path / "finops-verifier-repo-licence"
    assert main(["plugins", "new", NAME, "--dir", str(plugin)]) == 0
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    inner = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # This environment's packages (finops-verifier, pip, hatchling, pytest) behind the new
    # venv's own: addsitedir also reads their .pth files (the editable installs).
    outer = sysconfig.get_paths()["purelib"]
    Path(inner, "outer.pth").write_text(f"import site; site.addsitedir({outer!r})\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args], cwd=plugin, env=env, capture_output=True, text=True, check=False
        )

    install = run(
        "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "."
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert Path(inner, "finops_verifier_repo_licence", "__init__.py").is_file()

    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "7 passed" in tests.stdout

    listed = run("-m", "verifier", "plugins", "--json")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    checks = {c["check"]: c for c in json.loads(listed.stdout)["checks"]}
    assert checks[NAME]["plugin"] == NAME
    assert checks[NAME]["distribution"] == "finops-verifier-repo-licence"

    policies = run("-m", "verifier", "policies", "list", "--json")
    assert policies.returncode == 0, policies.stdout + policies.stderr
    shipped = {p["id"]: p for p in json.loads(policies.stdout)}
    assert shipped["repo-licence-2025"]["requirements"] == [NAME]
