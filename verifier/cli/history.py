"""The ``history`` command, and the history options of ``recheck`` and ``verify``.

``finops-verify history`` lists the runs of a history file; ``history PARTNER`` shows
that partner's timeline, one line per run for each requirement, each change of status
marked with its kind. The file is read, never created (docs/history.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.text import Text

from verifier.cli.options import FILE, STATUS_STYLE, json_option, make_console
from verifier.history import HISTORY_FILE, Run, Step, Timeline, list_runs, partner_timeline
from verifier.recheck.model import COUNTED
from verifier.safetext import safe_text

F = TypeVar("F", bound=Callable[..., Any])


def history_options(default: str) -> Callable[[F], F]:
    """``--history FILE`` and ``--no-history``; ``default`` says what happens without
    them, in the help text."""

    def decorate(func: F) -> F:
        func = click.option(
            "--no-history",
            is_flag=True,
            help="Record nothing in a history file.",
        )(func)
        return click.option(
            "--history",
            "history_path",
            type=FILE,
            help=f"The history file (SQLite) to record this run in [default: {default}].",
        )(func)

    return decorate


def history_file(given: Path | None, roster: Path | None) -> Path:
    """The history file: ``given``, else ``history.sqlite`` beside ``roster``. A usage
    error when there is neither."""
    if given is not None:
        return given
    if roster is not None:
        return roster.resolve().parent / HISTORY_FILE
    raise click.UsageError("give the history file (--history FILE) or the roster (--roster)")


@click.command("history")
@click.argument("partner", required=False)
@click.option(
    "--history",
    "history_path",
    type=FILE,
    help=f"The history file [default: {HISTORY_FILE} beside --roster].",
)
@click.option(
    "--roster",
    type=FILE,
    help="Only the runs of this roster (its resolved path); its folder holds the default "
    "history file.",
)
@json_option("the runs or the timeline")
def history(
    partner: str | None, history_path: Path | None, roster: Path | None, as_json: bool
) -> None:
    """List the runs of a history file, or PARTNER's timeline, requirement by requirement.

    Each run lists its date, as-of date, partners, outcome counts and regressions. A
    partner's timeline has one line per run for each requirement; a change of status from
    the run before is marked with '*' and its kind (regression, attention, improvement,
    changed, new, removed). Exit code: 0, or 2 for a missing file or an unknown partner.

    \b
    Example:
      finops-verify history --roster roster.yaml
      finops-verify history acme --roster roster.yaml
      finops-verify history --history renewals.sqlite --json
    """
    db = history_file(history_path, roster)
    if partner is None:
        runs = list_runs(db, roster)
        if as_json:
            click.echo(json.dumps({"history": str(db), "runs": [r.to_json() for r in runs]}))
        else:
            _print_runs(db, runs)
    else:
        timeline = partner_timeline(db, partner, roster)
        if as_json:
            click.echo(json.dumps({"history": str(db), **timeline.to_json()}))
        else:
            _print_timeline(timeline)


def _print_runs(db: Path, runs: list[Run]) -> None:
    console = make_console()
    console.print(Text(safe_text(f"History {db}: {len(runs)} runs")), soft_wrap=True)
    for run in runs:
        c = run.counts
        what = run.kind if run.complete else f"{run.kind} (part of the roster)"
        each = ", ".join(f"{s} {c.get(s, 0)}" for s in COUNTED)
        console.print(
            Text(
                safe_text(
                    f"run {run.id}  {run.started}  as of {run.as_of}  {what}  "
                    f"partners {c['partners']}: {each}  "
                    f"regressions {c['regressions']}  outcome {run.outcome}  {run.folder}"
                )
            ),
            soft_wrap=True,
        )


def _line(step: Step) -> Text:
    status = step.status or "-"
    text = Text(f"  run {step.run}  {step.as_of}  ")
    text.append(safe_text(status), style=STATUS_STYLE.get(status, ""))
    if step.machine is not None and step.machine != step.status:
        text.append(safe_text(f" (machine: {step.machine})"))
    if step.change is not None:
        text.append(safe_text(f"  * {step.change} (was {step.before or '-'})"), style="bold")
    if step.summary:
        text.append(safe_text(f"  {step.summary}"), style="dim")
    return text


def _print_timeline(timeline: Timeline) -> None:
    console = make_console()
    name = f" ({timeline.name})" if timeline.name else ""
    console.print(Text(safe_text(f"{timeline.partner}{name}: outcome")), soft_wrap=True)
    for step in timeline.outcomes:
        console.print(_line(step), soft_wrap=True)
    for requirement, steps in timeline.requirements.items():
        console.print(Text(safe_text(requirement)), soft_wrap=True)
        for step in steps:
            console.print(_line(step), soft_wrap=True)
