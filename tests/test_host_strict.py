"""Strict check names: a name claimed twice is refused naming both plugins unless the
operator chooses one (recorded); a misspelt check name gets a "did you mean"; a check that
blocks the event loop is reported as blocking. Plugins come in as an outside author's do:
through an entry point of an installed distribution, or a --plugins-dir folder."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, demo_args
from tests.test_plugin_loading import install_fake_distribution, site_dir
from verifier.cli.main import main
from verifier.host import build_host

__all__ = ["site_dir"]  # the fixture, shared with test_plugin_loading

OFFERING_ONLY = """\
id: offering-only
program: "2022"
tier: platform
requirements:
  - id: offering
    text: A public offering
    check: offering
"""


# A drop-in replacement of the built-in `offering`: chosen, it takes its place in every
# policy, the bundled ones included, so its Params must accept theirs.
DROP_IN = """
    from pydantic import ConfigDict
    from verifier import Check, Outcome, Params, hookimpl

    class AnyParams(Params):
        model_config = ConfigDict(extra="allow", frozen=True)

    class Hello(Check[AnyParams]):
        name = "offering"
        Params = AnyParams
        async def verify(self, ctx):
            return Outcome.passed("hello")

    @hookimpl
    def register_checks(register):
        register(Hello())
"""


def _install_clash(site_dir: Path) -> None:
    install_fake_distribution(
        site_dir, "fake-clash", {"clash": "fake_clash"}, {"fake_clash": DROP_IN}
    )


def test_a_plugin_check_named_like_a_builtin_is_refused_naming_both_plugins(
    site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install_clash(site_dir)
    registry = build_host().checks()
    assert "offering" not in registry.checks  # neither silently wins
    reason = registry.why_missing("offering")
    assert "check 'offering' is registered by two plugins:" in reason
    assert "'builtin' (finops-verifier)" in reason
    assert "'clash' (fake-clash)" in reason
    assert "--prefer-plugin" in reason  # says how to choose one
    assert main(["plugins", "--json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert problem["check"] == "offering"
    assert "'builtin' (finops-verifier)" in problem["message"]


def test_prefer_plugin_selects_the_plugins_check_and_the_report_records_the_choice(
    site_dir: Path, tmp_path: Path, sites: object
) -> None:
    _install_clash(site_dir)
    policy = tmp_path / "policy.yaml"
    policy.write_text(OFFERING_ONLY)
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy)]
    code = main(["verify", *args, "--prefer-plugin", "clash"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (req,) = report["requirements"]
    assert (req["status"], req["summary"]) == ("pass", "hello")  # the plugin's check ran
    assert req["plugin"]["name"] == "clash"
    settings = report["run"]["settings"]
    assert settings["prefer_plugin"] == ["clash"]
    assert settings["selected_checks"] == {"offering": {"plugin": "clash", "over": ["builtin"]}}
    assert report["plugins"]["problems"] == []  # a choice made is no problem
    assert code == 0


def test_prefer_plugin_naming_no_installed_plugin_is_bad_input_with_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plugins", "--prefer-plugin", "builtn"]) == 2
    err = capsys.readouterr().err
    assert "--prefer-plugin 'builtn': no plugin of that name is installed" in err
    assert "did you mean 'builtin'?" in err


def test_policies_lint_says_did_you_mean_for_a_misspelt_check_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(OFFERING_ONLY.replace("check: offering", "check: ofering"))
    assert main(["policies", "lint", str(policy)]) == 2
    out = capsys.readouterr().out
    assert (
        f"{policy}:7: requirements[0] (offering).check: no plugin provides check 'ofering'; "
        "did you mean 'offering'?"
    ) in out


SLEEPY = """\
from __future__ import annotations

import asyncio
import time

from verifier import Check, Outcome, hookimpl


class Sleepy(Check):
    name = "sleepy"

    async def verify(self, ctx):
        await asyncio.sleep(0)
        time.sleep(0.4)  # blocks the event loop: the time limit cannot interrupt it
        await asyncio.sleep(0)
        return Outcome.passed("woke up")


@hookimpl
def register_checks(register):
    register(Sleepy())
"""


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(SLEEPY, id="interrupted at its next await"),
        pytest.param(
            SLEEPY.replace("        await asyncio.sleep(0)\n        return", "        return"),
            id="returning without another await",
        ),
    ],
)
def test_a_check_that_blocks_the_event_loop_is_reported_as_blocking(
    tmp_path: Path, sites: object, source: str
) -> None:
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "sleepy.py").write_text(source)
    policy = tmp_path / "policy.yaml"
    policy.write_text(OFFERING_ONLY.replace("check: offering", "check: sleepy"))
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy)]
    code = main(["verify", *args, "--plugins-dir", str(folder), "--check-timeout", "0.1"])
    (req,) = json.loads((tmp_path / "out" / "report.json").read_text())["requirements"]
    assert req["status"] == "error"
    summary = req["summary"]
    assert summary.startswith("the check did not finish within 0.1s: it blocked the event loop")
    assert "without an await" in summary
    assert "await slow work" in summary
    assert "move CPU work to a thread" in summary
    assert code == 3


def test_a_check_that_awaits_past_its_limit_is_not_called_blocking(
    tmp_path: Path, sites: object
) -> None:
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "patient.py").write_text(
        SLEEPY.replace("time.sleep(0.4)  #", "await asyncio.sleep(30)  #").replace(
            '"sleepy"', '"patient"'
        )
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(textwrap.dedent(OFFERING_ONLY.replace("check: offering", "check: patient")))
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy)]
    assert main(["verify", *args, "--plugins-dir", str(folder), "--check-timeout", "0.1"]) == 3
    (req,) = json.loads((tmp_path / "out" / "report.json").read_text())["requirements"]
    assert req["summary"] == "the check did not finish within 0.1s"


def test_two_local_plugins_claiming_one_name_are_refused_until_one_is_preferred(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "local"
    folder.mkdir()
    for name in ("a_first.py", "b_second.py"):
        (folder / name).write_text(SLEEPY)
    assert main(["plugins", "--json", "--plugins-dir", str(folder)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "sleepy" not in {c["check"] for c in out["checks"]}
    (problem,) = out["problems"]
    assert problem["message"].startswith(
        "check 'sleepy' is registered by two plugins: 'a_first.py' (no distribution) and "
        "'b_second.py' (no distribution)"
    )
    # Either may be chosen, whichever loaded first.
    for chosen in ("a_first.py", "b_second.py"):
        args = ["plugins", "--json", "--plugins-dir", str(folder), "--prefer-plugin", chosen]
        assert main(args) == 0
        out = json.loads(capsys.readouterr().out)
        assert [c["plugin"] for c in out["checks"] if c["check"] == "sleepy"] == [chosen]
        assert out["problems"] == []


# One policy, two requirements on the one name `offering`: each names whose check it means.
BOTH_OFFERINGS = """\
id: both-offerings
program: "2022"
tier: platform
requirements:
  - id: theirs
    text: A public offering, by the third party's check
    check: offering
    plugin: clash
  - id: ours
    text: A public offering, by the built-in check
    check: offering
    plugin: builtin
"""


def _run(sites: object, tmp_path: Path, policy_text: str, *extra: str) -> tuple[int, dict]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text)
    args = [*demo_args(sites, tmp_path, "platform"), "--policy", str(policy), *extra]
    code = main(["verify", *args])
    return code, json.loads((tmp_path / "out" / "report.json").read_text())


def test_a_policy_names_the_plugin_whose_check_it_means_and_the_report_records_it(
    site_dir: Path, tmp_path: Path, sites: object
) -> None:
    _install_clash(site_dir)
    code, report = _run(sites, tmp_path, BOTH_OFFERINGS)  # no --prefer-plugin
    theirs, ours = report["requirements"]
    assert (theirs["check"], theirs["status"], theirs["summary"]) == ("offering", "pass", "hello")
    assert theirs["plugin"] == {"name": "clash", "version": "1", "selected_by": "policy"}
    assert ours["check"] == "offering"
    assert ours["plugin"]["name"] == "builtin"
    assert ours["plugin"]["selected_by"] == "policy"
    assert ours["summary"] != "hello"  # the built-in check ran, not the drop-in
    assert ours["status"] == "pass"
    assert code == 0
    # The conflict is still what it is for a requirement that names no plugin.
    assert "selected_checks" not in report["run"]["settings"]
    # (An unchosen check's record is as before, without selected_by: test_plugins_dir.)


def test_policies_show_says_which_plugin_a_requirement_names(
    site_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install_clash(site_dir)
    policy = tmp_path / "policy.yaml"
    policy.write_text(BOTH_OFFERINGS)
    assert main(["policies", "show", str(policy)]) == 0
    out = capsys.readouterr().out
    assert "1. theirs  check=offering plugin=clash" in out
    assert "2. ours  check=offering plugin=builtin" in out


def test_the_policys_choice_wins_over_prefer_plugin_for_its_requirement(
    site_dir: Path, tmp_path: Path, sites: object
) -> None:
    _install_clash(site_dir)
    policy = OFFERING_ONLY + (
        "  - id: ours\n    text: The built-in's offering\n    check: offering\n"
        "    plugin: builtin\n"
    )
    _code, report = _run(sites, tmp_path, policy, "--prefer-plugin", "clash")
    plain, ours = report["requirements"]
    # The requirement naming no plugin follows the operator's choice...
    assert plain["plugin"]["name"] == "clash"
    assert plain["plugin"]["selected_by"] == "prefer-plugin"
    assert plain["summary"] == "hello"
    # ...the one naming a plugin keeps the policy's, the more specific choice.
    assert ours["plugin"]["name"] == "builtin"
    assert ours["plugin"]["selected_by"] == "policy"
    assert ours["summary"] != "hello"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(
            "    plugin: clsh",
            "requirements[0] (offering).plugin: no plugin named 'clsh' is installed; "
            "did you mean 'clash'?",
            id="a plugin that is not installed",
        ),
        pytest.param(
            "    plugin: clash\n    params: {}\n  - id: more\n    text: more\n"
            "    check: landing-page\n    plugin: clash",
            "requirements[1] (more).plugin: plugin 'clash' provides no check 'landing-page'; "
            "check 'landing-page' is provided by 'builtin'",
            id="a plugin that provides no such check",
        ),
    ],
)
def test_a_requirement_naming_a_missing_plugin_is_bad_input_for_verify_and_lint(
    site_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    line: str,
    message: str,
) -> None:
    _install_clash(site_dir)
    policy = tmp_path / "policy.yaml"
    policy.write_text(OFFERING_ONLY + line + "\n")
    where = 8 if "more" not in line else 13
    expected = f"{policy}:{where}: {message}"
    assert main(["policies", "lint", str(policy)]) == 2
    assert expected in capsys.readouterr().out
    sub = FIXTURES / "demo" / "platform.yaml"  # refused before anything is fetched
    assert main(["verify", str(sub), "--policy", str(policy), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_replay_applies_a_recorded_prefer_plugin_or_says_what_to_install(
    site_dir: Path, tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    _install_clash(site_dir)
    _code, report = _run(sites, tmp_path, OFFERING_ONLY, "--prefer-plugin", "clash")
    assert report["requirements"][0]["plugin"]["selected_by"] == "prefer-plugin"
    bundle = tmp_path / "out"
    capsys.readouterr()
    # The recorded choice is applied again: no --prefer-plugin needed, same verdict.
    assert main(["replay", str(bundle), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["differences"] == []
    # The chosen plugin gone: refused with what to do, not a bare "no plugin provides".
    shutil.rmtree(site_dir / "fake_clash-1.0.dist-info")
    assert main(["replay", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert (
        "the bundle was made with --prefer-plugin clash (it ran plugin clash's check "
        "offering), and no plugin named 'clash' is installed; install it"
    ) in err
    assert "Traceback" not in err


def test_replay_of_a_policy_naming_its_plugin_runs_that_plugins_check_again(
    site_dir: Path, tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    _install_clash(site_dir)
    _run(sites, tmp_path, BOTH_OFFERINGS)
    capsys.readouterr()
    replayed = tmp_path / "replayed"
    assert main(["replay", str(tmp_path / "out"), "--out", str(replayed)]) == 0
    theirs, ours = json.loads((replayed / "report.json").read_text())["requirements"]
    assert (theirs["plugin"]["name"], theirs["plugin"]["selected_by"]) == ("clash", "policy")
    assert (ours["plugin"]["name"], ours["plugin"]["selected_by"]) == ("builtin", "policy")
    # The plugin the policy names gone: refused saying what to install.
    shutil.rmtree(site_dir / "fake_clash-1.0.dist-info")
    assert main(["replay", str(tmp_path / "out")]) == 2
    assert (
        "the bundle's policy names it (it ran plugin clash's check offering), and no plugin "
        "named 'clash' is installed; install it"
    ) in capsys.readouterr().err
