"""Commands on what is installed: ``plugins`` (and ``plugins new``, which starts a new
plugin) and ``policies list|show|lint``.

Attached to the ``finops-verify`` group by :mod:`verifier.cli.main`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click
import yaml
from rich.table import Table
from rich.text import Text

from verifier.cli.exitcodes import ExitCode
from verifier.cli.options import (
    DIR,
    FILE,
    Obj,
    add_id_column,
    json_option,
    make_console,
    plugin_options,
)
from verifier.errors import InputError, Problem
from verifier.host import PluginHost
from verifier.inputs.policy import bundled_policies, lint_policy, load_policy
from verifier.inputs.sources import load_sources, merged_sources
from verifier.inputs.yamlfile import did_you_mean
from verifier.safetext import safe_text
from verifier.scaffold import PluginNames, default_folder, new_plugin


@click.group("plugins", invoke_without_command=True)
@json_option("the checks, plugins and problems")
@plugin_options
@click.pass_context
def plugins_cmd(ctx: click.Context, as_json: bool) -> None:
    """List installed plugins, their checks and versions, and load errors
    (plugins new NAME starts a new plugin instead).

    A plugin that registers no check is listed with "no checks". Exit code 1 when a
    plugin has a problem (it failed to load, a hook raised, a hook pluggy would ignore).

    \b
    Example:
      finops-verify plugins --json
      finops-verify plugins new repo-licence
    """
    if ctx.invoked_subcommand is None:
        _list_plugins(ctx.find_object(Obj), as_json)


def _list_plugins(obj: Obj | None, as_json: bool) -> None:
    assert obj is not None, "the finops-verify group makes the Obj"
    _ = obj.formats  # registers the plugins' report formats: a refused one is a problem
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
    plugins = [
        {
            "plugin": s.info.name,
            "distribution": s.info.dist,
            "distribution_version": s.info.version,
            "checks": list(s.checks),
        }
        for s in obj.host.plugins()
    ]
    if as_json:
        click.echo(json.dumps({"checks": rows, "plugins": plugins, "problems": problems}, indent=2))
    else:
        console = make_console()
        table = Table(title="Checks")
        add_id_column(table, "check", (r["check"] for r in rows))
        for col in ("version", "plugin", "distribution", "description"):
            table.add_column(col, overflow="fold")
        for r in rows:
            dist = f"{r['distribution'] or '-'} {r['distribution_version'] or ''}".strip()
            table.add_row(
                *(
                    Text(safe_text(x))
                    for x in (r["check"], r["version"], r["plugin"], dist, r["description"])
                )
            )
        console.print(table)
        # Plugin names and messages come from installed code and its exceptions: text,
        # never markup. A plugin that gave no check is named, not left to vanish.
        for summary in obj.host.plugins():
            if not summary.checks:
                info = summary.info
                dist = f"{info.dist or 'no distribution'} {info.version or ''}".strip()
                console.print(Text(safe_text(f"plugin {info.name} ({dist}): no checks")))
        for p in registry.problems:
            console.print(
                Text.assemble(
                    ("problem", "red"),
                    safe_text(f" plugin {p.plugin} ({p.distribution or 'unknown'}): {p.message}"),
                )
            )
    raise SystemExit(1 if registry.problems else 0)


@plugins_cmd.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=DIR,
    help="Where to write it (default: ./finops-verifier-NAME); must be new or empty.",
)
@click.pass_obj
def plugins_new(obj: Obj, name: str, folder: Path | None) -> None:
    """Write a complete plugin package NAME: pyproject.toml with the entry point, a check
    and its Params, a policy shipped through register_policy_dirs, tests using
    verifier.testing, a README.

    NAME names the check and the entry point (lowercase words joined by hyphens); the
    distribution is finops-verifier-NAME and the package finops_verifier_NAME. A folder
    that holds anything is never written to. Exit code 2 for a bad name or folder.

    \b
    Example:
      finops-verify plugins new repo-licence --dir ./repo-licence
      cd repo-licence && pip install -e '.[test]' && pytest
    """
    names = PluginNames.of(name)
    # A check named like an installed one would be refused in every run (strict names).
    taken = obj.host.checks().checks.get(names.name)
    if taken is not None:
        raise InputError(
            f"plugin name {name!r}: the check {name!r} is already registered by plugin "
            f"{taken.plugin!r} ({taken.distribution or 'no distribution'}); choose another name"
        )
    target = folder if folder is not None else default_folder(name)
    written = new_plugin(name, target)
    click.echo(f"wrote {len(written)} files to {safe_text(target)}/:")
    for path in written:
        click.echo(f"  {safe_text(path.relative_to(target))}")
    click.echo(
        f"next: cd {safe_text(target)} && pip install -e '.[test]' && pytest "
        f"(then 'finops-verify plugins' lists the {safe_text(name)} check)"
    )


@click.group(invoke_without_command=True)
@click.pass_context
def policies(ctx: click.Context) -> None:
    """List, show and lint policy files (with no subcommand: list).

    \b
    Example:
      finops-verify policies list
      finops-verify policies show platform-2022
      finops-verify policies lint my-policy.yaml
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(policies_list, as_json=False)


@policies.command("list")
@json_option("the policies")
@click.pass_obj
def policies_list(obj: Obj, as_json: bool) -> None:
    """List bundled policies: id, program, tier, requirements.

    \b
    Example:
      finops-verify policies list
      finops-verify policies list --json
    """
    registry = obj.host.checks()
    items = bundled_policies(obj.host.policy_dirs(), registry)
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
    # One policy a paragraph, not a table: the ids (the policy's, its requirements') are
    # what a person copies into the next command, and a table at 60 or 80 columns has
    # to cut them or the title; here the lines break between ids, never inside one.
    console = make_console()
    console.print(Text("Bundled policies", style="bold"))
    for r in rows:
        console.print(
            Text(safe_text(r["id"]), style="bold"),
            Text(safe_text(f" {r['title']} (program {r['program']}, tier {r['tier']})")),
        )
        console.print(Text(safe_text("  requirements: " + ", ".join(r["requirements"]))))


@policies.command("show")
@click.argument("policy_id")
@json_option("the policy and its requirements")
@click.pass_obj
def policies_show(obj: Obj, policy_id: str, as_json: bool) -> None:
    """Print the policy POLICY_ID (or a policy file path) readably: each requirement, its
    check and params, and the published text it verifies.

    \b
    Example:
      finops-verify policies show platform-2025
      finops-verify policies show my-policy.yaml
    """
    registry = obj.host.checks()
    policy = load_policy(policy_file(obj.host, policy_id), registry)
    if as_json:
        described: dict[str, Any] = {
            "id": policy.id,
            "program": policy.program,
            "tier": policy.tier,
            "version": policy.version,
            "title": policy.title,
            "source": policy.source,
            "file": policy.path,
            "sha256": policy.sha256,
            "requirements": [
                {
                    "id": r.id,
                    "text": r.text,
                    "check": r.check,
                    "plugin": r.plugin,
                    "params": _without_nulls(dict(r.params)),
                    "timeout": r.timeout,
                }
                for r in policy.requirements
            ],
        }
        click.echo(json.dumps(described, indent=2, default=str))
        return
    console = make_console()
    # Policy files are data a person wrote: shown as text, never read as rich markup,
    # their control characters made visible.
    console.print(
        Text(safe_text(policy.title), style="bold"),
        Text(
            safe_text(
                f" id={policy.id} program={policy.program} tier={policy.tier} "
                f"version={policy.version}"
            )
        ),
    )
    if policy.source:
        console.print(Text(safe_text(f"published at {policy.source}")), soft_wrap=True)
    console.print(
        Text(safe_text(f"file {policy.path} (sha256 {policy.sha256[:16]}…)") + "\n"),
        soft_wrap=True,
    )
    for i, req in enumerate(policy.requirements, 1):
        chosen = f" plugin={req.plugin}" if req.plugin else ""
        console.print(
            Text(safe_text(f"{i}. {req.id}"), style="bold"),
            Text(safe_text(f" check={req.check}{chosen}")),
        )
        console.print(Text(safe_text(f"   “{req.text}”", keep="\n")), soft_wrap=True)
        if req.params:
            # Tables (bands, columns) read best one row a line: YAML flow style for leaves.
            shown = yaml.safe_dump(
                _without_nulls(dict(req.params)),
                sort_keys=False,
                default_flow_style=None,
                allow_unicode=True,
                width=96,
            )
            # YAML escapes C0 controls itself, but not C1 or bidirectional ones.
            indented = "\n".join(f"   {safe_text(line)}" for line in shown.splitlines())
            console.print(Text(indented), soft_wrap=True)
        console.print()


def _without_nulls(value: Any) -> Any:
    """Params as a person reads them: unset optional values (``label: null``) left out."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@policies.command("lint")
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option(
    "--sources",
    "sources_path",
    type=FILE,
    help="A sources file the policy will run with: its names count as defined.",
)
@json_option("each file's problems (exit code 2 when any: the JSON error, every problem)")
@plugin_options
@click.pass_obj
def policies_lint(
    obj: Obj, files: tuple[Path, ...], sources_path: Path | None, as_json: bool
) -> None:
    """Report every problem of each policy FILE: file, line, requirement and field.

    Exit code 0 when all are clean, 2 otherwise.

    \b
    Example:
      finops-verify policies lint my-policy.yaml --sources my-sources.yaml
    """
    registry = obj.host.checks()
    known = set(merged_sources(obj.host.policy_dirs(), None))
    if sources_path is not None:
        known |= set(load_sources(sources_path))
    found: list[Problem] = []
    for path in files:
        problems = lint_policy(path, registry, known or None)
        found += problems
        if as_json:
            continue
        for p in problems:
            click.echo(safe_text(p), err=False)
        if not problems:
            click.echo(f"{safe_text(path)}: ok")
    noun = "problem" if len(found) == 1 else "problems"
    said = f"{len(found)} {noun} in {len(files)} file(s)"
    if found and as_json:
        raise InputError(said, tuple(found))  # the JSON error lists every problem
    if found:
        click.echo(said, err=True)
        raise SystemExit(int(ExitCode.USAGE))
    if as_json:
        click.echo(json.dumps({"files": [str(f) for f in files], "problems": []}))


def policy_file(host: PluginHost, given: str) -> Path:
    """The policy file ``given`` names: a path to a policy file, or the id of a bundled
    policy (``platform-2022``, as ``policies list`` shows); an unknown id is bad input
    with the closest bundled id (``policies show`` and ``verify --policy`` share it)."""
    path = Path(given)
    if path.is_file():
        return path
    bundled = {p.id: p for p in bundled_policies(host.policy_dirs(), host.checks())}
    if given in bundled:
        return Path(bundled[given].path)
    if path.suffix in {".yaml", ".yml"} or len(path.parts) > 1:
        raise InputError(f"policy file {given} does not exist")
    hint = did_you_mean(given, bundled)
    close = f" — {hint}" if hint.startswith("did you mean") else ""
    raise InputError(
        f"no policy {given!r}; known: {', '.join(sorted(bundled))}{close} (neither a file "
        "nor a bundled policy id; 'finops-verify policies list' lists them)"
    )


COMMANDS: tuple[click.Command, ...] = (plugins_cmd, policies)
"""The commands :mod:`verifier.cli.main` adds to its group."""
