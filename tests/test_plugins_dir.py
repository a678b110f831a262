"""--plugins-dir: the .py files of a folder loaded as plugins, to try a check before
packaging it; recorded in the report; a broken file is bad input naming file and line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.helpers import demo_args
from verifier.cli.main import main

HELLO = """\
from __future__ import annotations

from verifier import Check, CheckContext, Outcome, Params, hookimpl


class HelloParams(Params):
    greeting: str = "hello"


class Hello(Check[HelloParams]):
    name = "hello-site"
    version = "0.1"
    Params = HelloParams

    async def verify(self, ctx: CheckContext[HelloParams]) -> Outcome:
        page = await ctx.fetch(ctx.submission.applicant.website)
        ctx.evidence("text", "the home page answered", page=page)
        return Outcome.passed(f"{ctx.params.greeting}: {page.status}")


@hookimpl
def register_checks(register):
    register(Hello())
"""

POLICY = """\
id: hello-2022
program: "2022"
tier: platform
requirements:
  - id: hello
    text: The home page answers
    check: hello-site
    params: {greeting: hi}
"""


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "local-plugins"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_a_folder_with_a_check_runs_it_and_the_report_records_each_file(
    tmp_path: Path, sites: object
) -> None:
    folder = _folder(tmp_path, {"hello.py": HELLO})
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy)]
    assert main(["verify", *args, "--plugins-dir", str(folder)]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (req,) = report["requirements"]
    assert (req["status"], req["summary"]) == ("pass", "hi: 200")
    assert req["plugin"] == {"name": "hello.py", "version": "0.1"}
    assert [e["kind"] for e in req["evidence"]] == ["fetch", "text"]
    assert report["run"]["settings"]["plugins_dir"] == [
        {
            "file": str((folder / "hello.py").resolve()),
            "sha256": hashlib.sha256(HELLO.encode()).hexdigest(),
        }
    ]


def test_the_plugins_command_lists_a_folders_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, {"hello.py": HELLO})
    assert main(["plugins", "--json", "--plugins-dir", str(folder)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"plugin": "hello.py", "distribution": None, "distribution_version": None,
            "checks": ["hello-site"]} in out["plugins"]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            HELLO.replace("    version = ", "    version  "),
            "hello.py:12: syntax error: invalid syntax",
            id="a syntax error",
        ),
        pytest.param(
            HELLO.replace('    name = "hello-site"', '    name = "hello-site"\n    1 / 0'),
            "hello.py:12: loading it raised ZeroDivisionError: division by zero",
            id="an exception while loading",
        ),
    ],
)
def test_a_broken_file_is_bad_input_naming_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    folder = _folder(tmp_path, {"hello.py": source})
    sub = tmp_path / "nothing-read.yaml"  # the folder is refused before any input is read
    assert main(["verify", str(sub), "--plugins-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"error: {folder / message}" in err
    assert "fix it, or move it out of the --plugins-dir folder" in err
    assert "Traceback" not in err


def test_a_folder_without_python_files_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, {"notes.txt": "nothing"})
    assert main(["plugins", "--plugins-dir", str(folder)]) == 2
    assert f"--plugins-dir {folder}: no .py file in it" in capsys.readouterr().err


def _bundle(tmp_path: Path, sites: object, folder: Path) -> Path:
    """A bundle made with ``--plugins-dir folder`` (in tmp/out)."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy)]
    assert main(["verify", *args, "--plugins-dir", str(folder)]) == 0
    return tmp_path / "out"


def test_a_bundle_made_with_local_plugins_replays_with_the_same_files_and_refuses_others(
    tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, {"hello.py": HELLO})
    bundle = _bundle(tmp_path, sites, folder)
    recorded = hashlib.sha256(HELLO.encode()).hexdigest()
    capsys.readouterr()
    # Without the folder: refused, saying which option to add (not "no plugin provides").
    assert main(["replay", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert (
        f"the bundle was made with the local plugin file {(folder / 'hello.py').resolve()} "
        f"(SHA-256 {recorded}); replay it with that file: add --plugins-dir "
        f"{folder.resolve()}"
    ) in err
    assert "no plugin provides" not in err
    # With the same file: the recorded verdict is reproduced.
    assert main(["replay", str(bundle), "--plugins-dir", str(folder)]) == 0
    assert "No difference" in capsys.readouterr().out
    # With another file of that name: other code, refused naming the file and both hashes.
    other = tmp_path / "edited"
    other.mkdir()
    edited = HELLO.replace('"hello"', '"howdy"')
    (other / "hello.py").write_text(edited)
    assert main(["replay", str(bundle), "--plugins-dir", str(other)]) == 2
    err = capsys.readouterr().err
    assert f"--plugins-dir: {(other / 'hello.py').resolve()} is not the file the bundle ran" in err
    assert f"its SHA-256 is {hashlib.sha256(edited.encode()).hexdigest()}" in err
    assert f"the bundle recorded {recorded}" in err
    assert "replaying other code is not a replay" in err
    assert "Traceback" not in err
