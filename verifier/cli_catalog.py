"""Commands that describe what is installed: ``plugins`` and ``policies list|show|lint``.

Attached to the ``finops-verify`` group by :mod:`verifier.cli`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from verifier.cli_options import Obj, make_console
from verifier.errors import InputError
from verifier.exitcodes import ExitCode
from verifier.policy import find_policy_files, lint_policy, load_policy


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def plugins_cmd(obj: Obj, as_json: bool) -> None:
    """List installed plugins, their checks and versions, and load errors.

    \b
    Example:
      finops-verify plugins --json
    """
    registry = obj.host.checks()
    rows = [
        {
            "check": name,
            "version": info.check.version,
            "plugin": info.plugin,
            "distribution": info.distribution,
            "distribution_version": info.distribution_version,
            "description": info.check.description,
        }
        for name, info in sorted(registry.checks.items())
    ]
    problems = [dataclasses.asdict(p) for p in registry.problems]
    if as_json:
        click.echo(json.dumps({"checks": rows, "problems": problems}, indent=2))
    else:
        console = make_console()
        table = Table(title="Checks")
        for col in ("check", "version", "plugin", "distribution", "description"):
            table.add_column(col)
        for r in rows:
            dist = f"{r['distribution'] or '-'} {r['distribution_version'] or ''}".strip()
            table.add_row(
                *(
                    Text(str(x))
                    for x in (r["check"], r["version"], r["plugin"], dist, r["description"])
                )
            )
        console.print(table)
        for p in registry.problems:
            console.print(
                f"[red]problem[/] plugin {p.plugin} ({p.distribution or 'unknown'}): {p.message}"
            )
    raise SystemExit(1 if registry.problems else 0)


@click.group()
def policies() -> None:
    """List, show and lint policy files.

    \b
    Example:
      finops-verify policies list
      finops-verify policies show platform-2022
      finops-verify policies lint my-policy.yaml
    """


@policies.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def policies_list(obj: Obj, as_json: bool) -> None:
    """List bundled policies: id, program, tier, requirements."""
    registry = obj.host.checks()
    items = [load_policy(p, registry) for p in find_policy_files(obj.host.policy_dirs())]
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "program": p.program,
            "tier": p.tier,
            "title": p.title,
            "requirements": [r.id for r in p.requirements],
            "file": p.path,
        }
        for p in items
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Bundled policies")
    for col in ("id", "program", "tier", "title", "requirements"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["program"], r["tier"], r["title"], ", ".join(r["requirements"]))
    make_console().print(table)


@policies.command("show")
@click.argument("policy_id")
@click.pass_obj
def policies_show(obj: Obj, policy_id: str) -> None:
    """Print the policy POLICY_ID (or a policy file path) readably."""
    registry = obj.host.checks()
    files = find_policy_files(obj.host.policy_dirs())
    policy = None
    if Path(policy_id).is_file():
        policy = load_policy(Path(policy_id), registry)
    else:
        for f in files:
            candidate = load_policy(f, registry)
            if candidate.id == policy_id:
                policy = candidate
                break
    if policy is None:
        known = ", ".join(load_policy(f, registry).id for f in files)
        raise InputError(f"no policy {policy_id!r}; known: {known}")
    console = make_console()
    console.print(
        f"[bold]{policy.title}[/]  id={policy.id} program={policy.program} "
        f"tier={policy.tier} version={policy.version}"
    )
    if policy.source:
        console.print(f"published at {policy.source}")
    console.print(f"file {policy.path} (sha256 {policy.sha256[:16]}…)\n")
    for i, req in enumerate(policy.requirements, 1):
        console.print(f"[bold]{i}. {req.id}[/]  check={req.check}")
        console.print(f"   “{req.text}”", soft_wrap=True)
        for key, value in req.params.items():
            console.print(f"   {key}: {json.dumps(value)}", soft_wrap=True)
        console.print()


@policies.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def policies_lint(obj: Obj, files: tuple[Path, ...]) -> None:
    """Report every problem of each policy FILE: file, line, requirement and field.

    Exit code 0 when all are clean, 2 otherwise.
    """
    registry = obj.host.checks()
    total = 0
    for path in files:
        problems = lint_policy(path, registry)
        total += len(problems)
        for p in problems:
            click.echo(str(p), err=False)
        if not problems:
            click.echo(f"{path}: ok")
    if total:
        click.echo(f"{total} problem(s) in {len(files)} file(s)", err=True)
        raise SystemExit(int(ExitCode.USAGE))


# Bundle commands (bundle check, replay, review) live in their own module.

COMMANDS: tuple[click.Command, ...] = (plugins_cmd, policies)
"""The commands :mod:`verifier.cli` adds to its group."""
