"""The applicant's self-check (issue 13): a run without a source only staff hold says which
requirement could not be checked and who holds the source, and decides the others as usual;
every `finops-verify` command of docs/self-check.md is one the command line accepts."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest

from tests.helpers import FIXTURES, demo_args
from verifier.cli.main import cli, main
from verifier.cli.options import Obj
from verifier.errors import SourcesError
from verifier.inputs.sources import load_sources
from verifier.sites import SiteServer

ROOT = Path(__file__).resolve().parent.parent
HOLDER = "FinOps Foundation staff"


def _statuses(report: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {r["id"]: r for r in data["requirements"]}


def test_the_bundled_credential_registry_is_held_by_staff() -> None:
    source = load_sources(ROOT / "policies" / "sources.yaml")["credential-registry"]
    assert source.url is None
    assert source.path is None
    assert source.held_by is not None
    assert HOLDER in source.held_by
    assert source.location == f"held by {source.held_by}"


def test_a_held_source_with_anything_else_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("a: https://a.example/\nb:\n  held_by: staff\n  url: https://b.example/\n")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (2, "b")
    assert "{held_by: WHO} alone" in problem.message


def test_a_self_check_without_the_staff_registry_is_not_checked_there_and_decided_elsewhere(
    sites: SiteServer, tmp_path: Path
) -> None:
    """The training partner's demo, once as staff run it (with the registry) and once as
    the applicant would (the same sources without the registry): only the requirements
    that consult the registry change, to `error` naming the source and its holder."""
    staff_args = demo_args(sites, tmp_path / "staff", "training-partner")
    main(["verify", *staff_args])
    staff = _statuses(tmp_path / "staff" / "out" / "report.json")

    own = tmp_path / "own-sources.yaml"
    lines = (FIXTURES / "sources.yaml").read_text(encoding="utf-8").splitlines()
    own.write_text("\n".join(x for x in lines if not x.startswith("credential-registry:")))
    args = demo_args(sites, tmp_path / "self", "training-partner")
    args[args.index("--sources") + 1] = str(own)
    assert main(["verify", *args]) == 3
    mine = _statuses(tmp_path / "self" / "out" / "report.json")

    registry_ids = {i for i, r in mine.items() if r["check"] in ("practitioners", "instructors")}
    assert registry_ids, "the training partner's policy consults the credential registry"
    for rid in registry_ids:
        assert staff[rid]["status"] != "error"  # the staff run could decide it
        assert mine[rid]["status"] == "error", mine[rid]
        summary = mine[rid]["summary"]
        assert "not checked" in summary
        assert "'credential-registry'" in summary
        assert f"held by {HOLDER}" in summary
        assert "--sources" in summary
    # The first screen's "Still blocking" list says it too, before any evidence.
    html = (tmp_path / "self" / "out" / "report.html").read_text(encoding="utf-8")
    blocking = html[html.index("Still blocking") : html.index('id="needs-attention"')]
    assert blocking.count(f"held by {HOLDER}") == len(registry_ids)
    # A replay of the bundle lacks the source as the run did, and says the same.
    assert main(["replay", str(tmp_path / "self" / "out"), "--out", str(tmp_path / "re")]) == 0
    replayed = _statuses(tmp_path / "re" / "report.json")
    assert {i: (r["status"], r["summary"]) for i, r in replayed.items()} == {
        i: (r["status"], r["summary"]) for i, r in mine.items()
    }
    others = {i: r["status"] for i, r in mine.items() if i not in registry_ids}
    assert others == {i: r["status"] for i, r in staff.items() if i not in registry_ids}
    assert "fail" in others.values() or "pass" in others.values()


def _doc_commands() -> list[str]:
    """Every `finops-verify ...` line of the page's code blocks."""
    text = (ROOT / "docs" / "self-check.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("finops-verify ")
    ]


def _parse(group: click.Group, args: list[str], parent: click.Context | None) -> str:
    """Parse ``args`` as the command line would (options, arguments and their types),
    down to the command that would run, without running it; its path."""
    extra = {"obj": Obj(None)} if parent is None else {}
    ctx = group.make_context(group.name or "finops-verify", args, parent=parent, **extra)
    rest = [*ctx._protected_args, *ctx.args]
    name, command, rest = group.resolve_command(ctx, rest)
    assert command is not None
    if isinstance(command, click.Group):
        return f"{name} " + _parse(command, rest, ctx)
    command.make_context(name or "", rest, parent=ctx)
    return name or ""


def test_every_command_of_the_self_check_page_is_accepted_by_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page cannot drift: each command names a real subcommand with real options and
    values of the right type (a file it names exists here, as it would for the reader)."""
    commands = _doc_commands()
    ran = {c.split()[1] for c in commands}
    assert {"init", "explain", "verify", "serve"} <= ran
    monkeypatch.chdir(tmp_path)
    (tmp_path / "acme.yaml").write_text("{}\n")
    (tmp_path / "my-sites" / "acme.example").mkdir(parents=True)
    for command in commands:
        try:
            _parse(cli, shlex.split(command)[1:], None)
        except click.ClickException as exc:
            pytest.fail(f"docs/self-check.md: {command!r} is refused: {exc.format_message()}")


def test_the_page_check_catches_a_wrong_option(tmp_path: Path) -> None:
    with pytest.raises(click.NoSuchOption):
        _parse(cli, ["verify", "acme.yaml", "--sauces", "x.yaml"], None)
    with pytest.raises(click.UsageError):
        _parse(cli, ["bundle", "acme-report/"], None)
