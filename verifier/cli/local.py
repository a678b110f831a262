"""Commands for working locally, before or beside a run: ``serve`` (a folder of sites on
127.0.0.1), ``init`` (an annotated submission template for a tier) and ``explain`` (what
one requirement asks and how its check decides).

Attached to the ``finops-verify`` group by :mod:`verifier.cli.main`. Tiers, requirements
and checks come from the installed policies and plugins at run time.
"""

from __future__ import annotations

import inspect
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from verifier.cli.options import FILE, Obj, make_console
from verifier.cli.template import submission_template
from verifier.errors import InputError
from verifier.inputs.policy import bundled_policies, select_policy
from verifier.inputs.yamlfile import did_you_mean
from verifier.models import Policy, Requirement
from verifier.run.verify import DEFAULT_PROGRAM
from verifier.safetext import safe_text
from verifier.schemas import attribute_docstrings
from verifier.sites import SiteServer

_SITES_LAYOUT = """\
A sites folder holds one sub-folder per host name, each the root of that site:
  sites/
    acme.example/
      index.html          -> http://acme.example/
      lens/index.html     -> http://acme.example/lens
    www.finops.example/
      members/index.html  -> http://www.finops.example/members
(a file NAME.redirect holding a URL answers NAME with a redirect to it)"""


def _json_or_text(
    as_json: bool, data: dict[str, Any], text: list[str], indent: int | None = 2
) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=indent))
    else:
        for line in text:
            make_console().print(Text(safe_text(line)), soft_wrap=True)


# ---------------------------------------------------------------- serve


@click.command()
@click.argument("sites", type=click.Path(path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: a free one).",
)
@click.option(
    "--https",
    is_flag=True,
    help="Serve https with a throwaway CA made for this server; prints its file for --ca-bundle.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the options a run needs as JSON (one line)."
)
def serve(sites: Path, port: int, https: bool, as_json: bool) -> None:
    """Serve the folder SITES (one sub-folder per host name) on one port of 127.0.0.1,
    routed by host name, and print the options a `verify` run needs to reach it; serve
    until Ctrl-C.

    Exit code 2 when SITES is not a sites folder (the message shows what one looks like).

    \b
    Example:
      finops-verify serve fixtures/sites --port 8080
      finops-verify verify acme.yaml --allow-private-network \\
          --resolve acme.example:80:127.0.0.1:8080
    """
    hosts = sorted(p.name for p in sites.iterdir() if p.is_dir()) if sites.is_dir() else []
    if not hosts:
        what = (
            "does not exist"
            if not sites.exists()
            else "is not a folder"
            if not sites.is_dir()
            else "holds no sub-folder"
        )
        raise InputError(f"sites folder {safe_text(sites)} {what}.\n{_SITES_LAYOUT}")
    try:
        server = SiteServer(sites, https=https, port=port)
    except OSError as exc:
        raise InputError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; choose another "
            "--port (or 0 for a free one)"
        ) from None
    try:
        options = ["--allow-private-network"]
        for name, address in server.resolve_pairs():
            options += ["--resolve", f"{name}:{address}"]
        if server.ca_file is not None:
            options += ["--ca-bundle", str(server.ca_file)]
        data = {
            "address": f"{server.scheme}://127.0.0.1:{server.port}",
            "port": server.port,
            "hosts": server.hosts(),
            "ca_file": str(server.ca_file) if server.ca_file else None,
            "options": options,
        }
        text = [
            f"Serving {len(hosts)} site(s) of {sites} on {data['address']} "
            f"({server.scheme}, routed by host name): {', '.join(hosts)}",
            *([f"Throwaway CA (trusted by this run only): {server.ca_file}"] if https else []),
            "A run reaches them with these options (one line to copy):",
            "  " + " ".join(options),
            "Ctrl-C stops the server.",
        ]

        def announce() -> None:
            # One line of JSON: a script reads it, then runs against the server.
            _json_or_text(as_json, data, text, indent=None)
            sys.stdout.flush()

        _serve_until_interrupted(server, announce)
    finally:
        server.server_close()
    click.echo("stopped.", err=True)


def _serve_until_interrupted(server: SiteServer, announce: Callable[[], None]) -> None:
    """Serve in a thread until Ctrl-C (SIGINT) or SIGTERM, then shut down cleanly. The
    handlers are in place before ``announce`` prints the options: a script may stop the
    server as soon as it has read them."""
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    thread.start()
    try:
        announce()
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        thread.join(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# ---------------------------------------------------------------- init


@click.command()
@click.option("--tier", required=True, help="The tier applied for (see: policies list).")
@click.option(
    "--program",
    default=DEFAULT_PROGRAM,
    show_default=True,
    help="Program version of the requirements.",
)
@click.option(
    "--out",
    type=FILE,
    help="File to write [default: <tier>-<program>.yaml]; an existing file is never overwritten.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
def init(obj: Obj, tier: str, program: str, out: Path | None, as_json: bool) -> None:
    """Write an annotated submission template for TIER: every field of the submission
    file, each with what it is and the requirements of the tier it serves, read from the
    policy of that tier and program. Values to give are marked <FILL IN: kind>.

    Exit code 2 for an unknown tier or program, or a file that exists.

    \b
    Example:
      finops-verify init --tier platform --program 2025 --out acme.yaml
      finops-verify verify acme.yaml
    """
    registry = obj.host.checks()
    policy = select_policy(bundled_policies(obj.host.policy_dirs(), registry), program, tier)
    target = out if out is not None else Path(f"{tier}-{program}.yaml")
    text = submission_template(policy, registry)
    try:
        with target.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise InputError(
            f"{safe_text(target)} exists: init never overwrites a file; give another --out"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot write {safe_text(target)}: {exc.strerror or exc}") from None
    data = {
        "file": str(target),
        "policy": policy.id,
        "program": policy.program,
        "tier": policy.tier,
        "requirements": [r.id for r in policy.requirements],
    }
    _json_or_text(
        as_json,
        data,
        [
            f"wrote {target} (policy {policy.id}, {len(policy.requirements)} requirements)",
            f"next: replace every <FILL IN: ...> in it, then: finops-verify verify {target}",
        ],
    )


# ---------------------------------------------------------------- explain


@click.command()
@click.argument("requirement")
@click.option("--tier", help="The tier, when several tiers have this requirement.")
@click.option(
    "--program",
    default=DEFAULT_PROGRAM,
    show_default=True,
    help="Program version of the requirements.",
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def explain(obj: Obj, requirement: str, tier: str | None, program: str, as_json: bool) -> None:
    """Explain REQUIREMENT: its published text, what its check looks for and how it
    decides, and the check's params with the policy's values and their defaults.

    Exit code 2 for an unknown requirement (with the closest id), or an id several tiers
    share given without --tier (they are listed).

    \b
    Example:
      finops-verify explain practitioners --tier platform --program 2025
      finops-verify explain exam-reseller --json
    """
    registry = obj.host.checks()
    policies = bundled_policies(obj.host.policy_dirs(), registry)
    if tier is not None:
        policies = [select_policy(policies, program, tier)]
    else:
        if not any(p.program == program for p in policies):
            select_policy(policies, program, "")  # raises, naming the programs there are
        policies = [p for p in policies if p.program == program]
    found = [(p, r) for p in policies for r in p.requirements if r.id == requirement]
    if not found:
        known = {r.id for p in policies for r in p.requirements}
        where = f"tier {tier} of program {program}" if tier else f"program {program}"
        raise InputError(
            f"no requirement {requirement!r} in {where}; {did_you_mean(requirement, known)}"
        )
    if len(found) > 1:
        tiers = ", ".join(p.tier for p, _ in found)
        raise InputError(
            f"requirement {requirement!r} is in several tiers of program {program}: {tiers}; "
            f"which one? Add --tier (e.g. --tier {found[0][0].tier})"
        )
    policy, req = found[0]
    data = _explanation(obj, policy, req)
    _json_or_text(as_json, data, _explanation_text(data))


def _explanation(obj: Obj, policy: Policy, req: Requirement) -> dict[str, Any]:
    info = obj.host.checks().resolve(req.check, req.plugin)
    params: list[dict[str, Any]] = []
    looks_for: list[str] = []
    if info is not None:
        check = type(info.check)
        module = sys.modules.get(check.__module__)
        looks_for = [
            d for d in (check.description, inspect.getdoc(check), inspect.getdoc(module)) if d
        ]
        docs = attribute_docstrings(check.Params)
        for name, field in check.Params.model_fields.items():
            default = None if field.is_required() else field.get_default(call_default_factory=True)
            params.append(
                {
                    "name": name,
                    "value": req.params.get(name, default),
                    "default": default,
                    "required": field.is_required(),
                    "doc": docs.get(name, ""),
                }
            )
    return {
        "requirement": req.id,
        "policy": policy.id,
        "program": policy.program,
        "tier": policy.tier,
        "text": req.text,
        "source": policy.source,
        "check": req.check,
        "plugin": info.plugin if info is not None else None,
        "check_version": info.check.version if info is not None else None,
        "looks_for": looks_for,
        "params": params,
    }


def _explanation_text(data: dict[str, Any]) -> list[str]:
    lines = [
        f"{data['requirement']} — tier {data['tier']}, program {data['program']} "
        f"(policy {data['policy']})",
        "",
        "Published text:",
        *(f"  {line}" for line in str(data["text"]).splitlines()),
    ]
    if data["source"]:
        lines.append(f"  ({data['source']})")
    if data["plugin"] is None:
        lines += ["", f"Check: {data['check']} (not installed: no plugin provides it)"]
    else:
        lines += [
            "",
            f"Check: {data['check']} (plugin {data['plugin']}, version {data['check_version']})",
        ]
    for doc in data["looks_for"]:
        lines += ["", *(f"  {line}" for line in doc.splitlines())]
    lines += ["", "Params (value in this policy; default):"]
    for p in data["params"]:
        shown = json.dumps(p["value"], ensure_ascii=False)
        default = "required" if p["required"] else json.dumps(p["default"], ensure_ascii=False)
        lines.append(f"  {p['name']} = {shown}   [default: {default}]")
        if p["doc"]:
            lines.append(f"      {' '.join(p['doc'].split())}")
    if not data["params"]:
        lines.append("  (none)")
    return lines


COMMANDS: tuple[click.Command, ...] = (serve, init, explain)
"""The commands :mod:`verifier.cli.main` adds to its group."""
