"""Plugins are found through entry points, one at a time; a broken one never takes the
tool down, and `finops-verify plugins` shows what went wrong."""

from __future__ import annotations

import ast
import datetime as dt
import json
import sys
import textwrap
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import pytest

import verifier.testing
from verifier import hookimpl
from verifier.cli.main import main
from verifier.fetch import Fetcher
from verifier.host import build_host
from verifier.models import Requirement, RequirementResult


def install_fake_distribution(
    root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]
) -> None:
    """Write a distribution's metadata and modules the way pip would, into ``root``."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[finops_verifier]\n{lines}\n")
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory on sys.path where fake distributions are installed for one test."""
    root = tmp_path / "site"
    root.mkdir()
    sys.path.insert(0, str(root))
    before = set(sys.modules)
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in set(sys.modules) - before:
            if name.startswith("fake_"):
                del sys.modules[name]


GOOD_PLUGIN = """
    from verifier import Check, Outcome, hookimpl

    class Hello(Check):
        name = "{name}"
        async def verify(self, ctx):
            return Outcome.passed("hello")

    @hookimpl
    def register_checks(register):
        register(Hello())
"""


def test_a_plugin_that_fails_to_import_is_recorded_and_the_others_still_load(
    site_dir: Path,
) -> None:
    install_fake_distribution(
        site_dir,
        "fake-broken",
        {"broken": "fake_broken"},
        {"fake_broken": "raise ImportError('needs libfoo 2')\n"},
    )
    host = build_host()
    registry = host.checks()
    assert "membership" in registry.checks  # the built-ins are unaffected
    (problem,) = [p for p in registry.problems if p.plugin == "broken"]
    assert problem.distribution == "fake-broken"
    assert "cannot import fake_broken: ImportError('needs libfoo 2')" in problem.message


def test_plugins_command_shows_the_broken_plugin_and_exits_1(
    site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_distribution(
        site_dir, "fake-broken", {"broken": "fake_broken"}, {"fake_broken": "1/0\n"}
    )
    code = main(["plugins", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {c["check"] for c in out["checks"]} >= {"membership", "offering", "security-txt"}
    (problem,) = out["problems"]
    assert problem["plugin"] == "broken"
    assert "ZeroDivisionError" in problem["message"]


def test_two_plugins_claiming_one_check_name_are_both_refused_naming_each_other(
    site_dir: Path,
) -> None:
    install_fake_distribution(
        site_dir,
        "fake-twins",
        {"twin-a": "fake_twin_a", "twin-b": "fake_twin_b"},
        {
            "fake_twin_a": GOOD_PLUGIN.format(name="hello"),
            "fake_twin_b": GOOD_PLUGIN.format(name="hello"),
        },
    )
    registry = build_host().checks()
    assert "hello" not in registry.checks
    reason = registry.why_missing("hello")
    assert "registered by two plugins" in reason
    assert "'twin-a'" in reason
    assert "'twin-b'" in reason


def test_a_check_claimed_twice_makes_its_requirement_an_error_not_a_crash(
    site_dir: Path, tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_distribution(
        site_dir,
        "fake-twins",
        {"twin-a": "fake_twin_a", "twin-b": "fake_twin_b"},
        {"fake_twin_a": GOOD_PLUGIN.format(name="offering"), "fake_twin_b": "x = 1\n"},
    )
    from tests.helpers import demo_args

    code = main(["verify", *demo_args(sites, tmp_path, "platform")])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    offering = next(r for r in report["requirements"] if r["id"] == "offering")
    assert offering["status"] == "error"
    assert "check 'offering' is registered by two plugins:" in offering["summary"]
    assert "'builtin' (finops-verifier)" in offering["summary"]
    assert "'twin-a' (fake-twins)" in offering["summary"]
    # The other requirements of the platform demo pass; the conflict alone makes it an error.
    assert code == 3
    membership = next(r for r in report["requirements"] if r["id"] == "membership")
    assert membership["status"] == "pass"


def test_a_plugin_whose_hook_raises_is_recorded_and_the_others_register(
    site_dir: Path,
) -> None:
    install_fake_distribution(
        site_dir,
        "fake-raises",
        {"raises": "fake_raises"},
        {
            "fake_raises": """
            from verifier import hookimpl

            @hookimpl
            def register_checks(register):
                raise RuntimeError("config file missing")
        """
        },
    )
    registry = build_host().checks()
    assert "offering" in registry.checks
    (problem,) = [p for p in registry.problems if p.plugin == "raises"]
    assert problem.message == "register_checks raised RuntimeError('config file missing')"


def test_registering_something_that_is_not_a_check_is_refused(site_dir: Path) -> None:
    install_fake_distribution(
        site_dir,
        "fake-odd",
        {"odd": "fake_odd"},
        {
            "fake_odd": """
            from verifier import hookimpl

            @hookimpl
            def register_checks(register):
                register(object())
        """
        },
    )
    registry = build_host().checks()
    (problem,) = [p for p in registry.problems if p.plugin == "odd"]
    assert "which is not a verifier.Check" in problem.message


def test_the_example_plugin_is_installed_through_its_entry_point_not_by_path() -> None:
    import importlib.metadata as md

    (ep,) = [
        e for e in md.entry_points(group="finops_verifier") if e.name == "example-security-txt"
    ]
    assert ep.dist is not None
    assert ep.dist.name == "finops-verifier-example"
    registry = build_host().checks()
    info = registry.checks["security-txt"]
    assert info.plugin == "example-security-txt"
    assert info.distribution == "finops-verifier-example"


def test_a_policy_using_the_installed_example_plugin_runs_its_check(
    tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import demo_args

    policy = tmp_path / "security.yaml"
    policy.write_text(
        textwrap.dedent("""\
        id: security-2022
        program: "2022"
        tier: platform
        requirements:
          - id: security-contact
            text: Publishes a security contact
            check: security-txt
            params: {require_expires: true}
    """)
    )
    code = main(["verify", *demo_args(sites, tmp_path, "platform"), "--policy", str(policy)])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (req,) = report["requirements"]
    assert req["status"] == "pass", req
    assert req["plugin"] == {"name": "example-security-txt", "version": "1.0"}
    assert req["summary"] == "security.txt publishes a contact"
    assert code == 0


def test_a_requirement_needing_a_check_from_a_broken_plugin_says_which_plugin_broke(
    site_dir: Path,
) -> None:
    install_fake_distribution(
        site_dir,
        "fake-broken",
        {"broken": "fake_broken"},
        {"fake_broken": "import no_such_dependency\n"},
    )
    reason = build_host().checks().why_missing("sbom-published")
    assert reason == (
        "no plugin provides check 'sbom-published' (plugins that failed to "
        "load: broken; see 'finops-verify plugins')"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            GOOD_PLUGIN.replace("def register_checks", "def register_check"),
            "@hookimpl 'register_check' is no hook, so it is never called; "
            "did you mean 'register_checks'?",
            id="a misspelt hook name",
        ),
        pytest.param(
            GOOD_PLUGIN.replace("    @hookimpl\n", ""),
            "'register_checks' is not marked @hookimpl, so it is never called; decorate it "
            "with verifier.hookimpl",
            id="a hook without @hookimpl",
        ),
    ],
)
def test_a_plugin_pluggy_would_ignore_is_a_problem_in_the_plugins_command(
    site_dir: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    # pluggy accepts both silently: the plugin would load and register nothing.
    install_fake_distribution(
        site_dir,
        "fake-silent",
        {"silent": "fake_silent"},
        {"fake_silent": source.format(name="silent-check")},
    )
    assert main(["plugins", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "silent-check" not in {c["check"] for c in report["checks"]}
    [problem] = [p for p in report["problems"] if p["plugin"] == "silent"]
    assert problem["message"] == message
    assert problem["distribution"] == "fake-silent"


def test_a_misspelt_specname_is_found_by_pluggys_check_pending_and_exits_1(
    site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The function's own name is fine; the hook it says it implements is not. Only
    # pluggy's check_pending() knows which hook a specname points to.
    install_fake_distribution(
        site_dir,
        "fake-specname",
        {"specname": "fake_specname"},
        {
            "fake_specname": GOOD_PLUGIN.format(name="spec-check")
            .replace("@hookimpl\n", "@hookimpl(specname='register_check')\n")
            .replace("def register_checks", "def my_checks")
        },
    )
    assert main(["plugins", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "spec-check" not in {c["check"] for c in report["checks"]}
    [problem] = [p for p in report["problems"] if p["plugin"] == "specname"]
    assert problem["message"] == (
        "@hookimpl implements 'register_check', which is no hook (pluggy's check_pending), "
        "so it is never called; did you mean 'register_checks'?"
    )
    assert problem["distribution"] == "fake-specname"
    assert main(["plugins"]) == 1
    shown = " ".join(capsys.readouterr().out.split())
    assert "plugin specname (fake-specname): @hookimpl implements 'register_check'" in shown


def test_a_correct_specname_registers_its_checks_with_no_problem(site_dir: Path) -> None:
    install_fake_distribution(
        site_dir,
        "fake-specname",
        {"specname": "fake_specname"},
        {
            "fake_specname": GOOD_PLUGIN.format(name="spec-check")
            .replace("@hookimpl\n", "@hookimpl(specname='register_checks')\n")
            .replace("def register_checks", "def my_checks")
        },
    )
    registry = build_host().checks()
    assert registry.checks["spec-check"].plugin == "specname"
    assert [p for p in registry.problems if p.plugin == "specname"] == []


READS_AHEAD_PLUGIN = """
    from verifier import Check, Outcome, hookimpl

    class ReadsAhead(Check):
        name = "reads-ahead"
        async def verify(self, ctx):
            urls = ["http://pages.test/p1", "http://pages.test/p2"]
            ctx.prefetch(urls)
            for url in urls:
                await ctx.fetch(url)
            return Outcome.passed("read both")

    @hookimpl
    def register_checks(register):
        register(ReadsAhead())
"""


def _run_installed(
    check: str, answer: Sequence[str] | None = None
) -> tuple[list[str], RequirementResult]:
    """Run the installed check ``check`` through the engine on a site that answers a page
    only once told to: the pages asked before any is answered, and the result. ``answer``:
    the order the pages are answered in (by default, as they were asked)."""
    from tests.fetch.test_prefetch import run_gated
    from verifier.engine import run_requirement
    from verifier.testing import make_submission

    registry = build_host().checks()

    def run(fetcher: Fetcher) -> Awaitable[RequirementResult]:
        return run_requirement(
            Requirement("r", "reads pages", check, {}),
            make_submission(),
            registry,
            fetcher,
            sources={},
            as_of=dt.date(2026, 1, 1),
        )

    gated = run_gated(run, answer)
    return gated.first, gated.result


def test_an_installed_plugin_asks_pages_ahead_with_ctx_prefetch(site_dir: Path) -> None:
    install_fake_distribution(
        site_dir, "fake-ahead", {"ahead": "fake_ahead"}, {"fake_ahead": READS_AHEAD_PLUGIN}
    )
    assert build_host().checks().checks["reads-ahead"].plugin == "ahead"
    asked, result = _run_installed("reads-ahead")
    assert asked == ["http://pages.test/p1", "http://pages.test/p2"]  # p2 before p1's answer
    assert result.summary == "read both"
    assert [e.url for e in result.evidence] == asked


READS_TOGETHER_PLUGIN = """
    from verifier import Check, Outcome, hookimpl

    async def chain(ctx, site):
        for n in (1, 2):
            await ctx.fetch(f"{site}/{n}")
        return site

    class ReadsTogether(Check):
        name = "reads-together"
        async def verify(self, ctx):
            sites = await ctx.gather(chain(ctx, "http://a.test"), chain(ctx, "http://b.test"))
            return Outcome.passed(" and ".join(sites))

    @hookimpl
    def register_checks(register):
        register(ReadsTogether())
"""


def test_an_installed_plugin_reads_two_chains_at_once_with_ctx_gather(site_dir: Path) -> None:
    install_fake_distribution(
        site_dir,
        "fake-together",
        {"together": "fake_together"},
        {"fake_together": READS_TOGETHER_PLUGIN},
    )
    assert build_host().checks().checks["reads-together"].plugin == "together"
    b_first = ["http://b.test/1", "http://a.test/1", "http://b.test/2", "http://a.test/2"]
    asked, result = _run_installed("reads-together", b_first)
    assert asked == ["http://a.test/1", "http://b.test/1"]  # both chains under way at once
    assert result.summary == "http://a.test and http://b.test"
    # Listed chain by chain, as given, though b's pages were answered first.
    assert [e.url for e in result.evidence] == [
        "http://a.test/1",
        "http://a.test/2",
        "http://b.test/1",
        "http://b.test/2",
    ]


def test_a_plugin_that_registers_nothing_is_listed_with_no_checks(
    site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_distribution(
        site_dir, "fake-empty", {"empty": "fake_empty"}, {"fake_empty": "x = 1\n"}
    )
    assert main(["plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [empty] = [p for p in report["plugins"] if p["plugin"] == "empty"]
    assert empty == {
        "plugin": "empty",
        "distribution": "fake-empty",
        "distribution_version": "1.0",
        "checks": [],
    }
    [builtin] = [p for p in report["plugins"] if p["plugin"] == "builtin"]
    assert "membership" in builtin["checks"]
    assert main(["plugins"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "plugin empty (fake-empty 1.0): no checks" in shown
    assert "plugin builtin" not in shown  # a plugin with checks is in the table


def test_hooks_run_once_per_host_and_the_manager_is_private() -> None:
    calls: list[str] = []

    class Counting:
        @hookimpl
        def register_checks(self, register: Callable[[object], None]) -> None:
            calls.append("checks")

        @hookimpl
        def register_policy_dirs(self, register: Callable[[Path], None]) -> None:
            calls.append("policies")

    host = build_host(entry_points=False, plugins=[Counting()])
    assert host.checks() is host.checks()
    host.policy_dirs()
    host.policy_dirs()
    host.demos()
    assert sorted(calls) == ["checks", "policies"]
    assert not hasattr(host, "pm")


def test_verifier_testing_uses_only_public_names_of_the_core() -> None:
    # Plugin authors copy what verifier.testing does: it must not lean on private names.
    tree = ast.parse(Path(verifier.testing.__file__).read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("verifier")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    private += [
        f"{ast.unparse(node.value)}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert private == []
