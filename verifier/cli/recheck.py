"""The ``recheck`` command: every partner of a roster in one run (CONTRACT.md, "Renewal
re-check"). The work is :mod:`verifier.run.recheck`; this module reads the options,
validates the roster, ``--partner`` and ``--baseline`` before anything is fetched, and
shows the progress: a live panel on a terminal, one line per finished partner in a pipe.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from verifier.cli.exitcodes import ExitCode
from verifier.cli.history import history_file, history_options
from verifier.cli.options import (
    DIR,
    FILE,
    Obj,
    as_of_option,
    check_timeout_option,
    chosen_formats,
    fetch_options,
    formats_option,
    json_option,
    make_console,
    outcome_text,
    plugin_options,
    settings_from,
)
from verifier.history import HISTORY_FILE, connect, last_run
from verifier.inputs.roster import load_roster, select_partners
from verifier.recheck.model import (
    COUNTED,
    RECHECK_JSON,
    PartnerResult,
    RecheckSummary,
    load_summary,
    manifest_sha256,
)
from verifier.recheck.shard import Shard
from verifier.run.merge import merge_shards
from verifier.run.pool import Forked
from verifier.run.recheck import (
    DEFAULT_CONCURRENCY,
    MAX_AUTO_WORKERS,
    PARTNERS_PER_WORKER,
    RECHECK_HTML,
    UNDER_WAY,
    RecheckProgress,
    RecheckRequest,
    fork_workers,
    prepare_out,
    run_recheck,
)
from verifier.run.verify import RunParts
from verifier.safetext import safe_text


class _ShardType(click.ParamType[Shard, Any]):
    """``--shard I/N``, validated at the edge (exit 2 with what is wrong)."""

    name = "I/N"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shard:
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _WorkersType(click.ParamType[int | None, Any]):
    """``--workers N|auto`` (``None`` for auto), validated at the edge."""

    name = "N|auto"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | None:
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return None
        try:
            number = int(text)
        except ValueError:
            self.fail(f"{value!r} is not a number of processes nor 'auto'", param, ctx)
        if not 1 <= number <= 64:
            self.fail(f"{number} is not between 1 and 64", param, ctx)
        return number


class _RecheckCommand(click.Command):
    """``recheck ROSTER ...`` (CONTRACT.md), with ``recheck merge DIR...`` beside it: a
    click group cannot take the ROSTER argument its subcommands would be mistaken for,
    so ``merge`` as the first word hands the rest to :func:`recheck_merge` (a roster file
    named ``merge`` is given as ``./merge``)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if args[:1] == ["merge"]:
            return recheck_merge.make_context(f"{info_name} merge", args[1:], parent, **extra)
        return super().make_context(info_name, args, parent, **extra)


@click.command("recheck", cls=_RecheckCommand)
@click.argument("roster", type=FILE)
@click.option(
    "--out",
    type=DIR,
    help="The re-check folder [default: ./finops-verify-recheck/<UTC timestamp>/].",
)
@click.option(
    "--baseline",
    metavar="DIR|last",
    help="An earlier re-check folder: say what changed since, and carry its staff "
    "decisions over while their evidence holds. 'last': the latest complete re-check of "
    "this roster in the history (./last for a folder named last).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted re-check in --out: keep every partner whose bundle passes "
    "bundle check, run the others again.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=256),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Partners checked at once: a partner holds its place from its first check to "
    "its last, except while its checks only wait for pages of the sources' sites (a "
    "member directory another partner is reading); at most "
    f"{UNDER_WAY} times as many are under way (per-host limits still hold across all of "
    "them).",
)
@click.option(
    "--workers",
    type=_WorkersType(),
    default="auto",
    show_default=True,
    help="Processes that verify partners, every page still fetched once by this one "
    f"(per-host limits hold across all). auto: 1 for fewer than {2 * PARTNERS_PER_WORKER} "
    f"partners, else one per {PARTNERS_PER_WORKER} partners, at most one per core and "
    f"{MAX_AUTO_WORKERS}.",
)
@click.option(
    "--partner",
    "partner_ids",
    multiple=True,
    metavar="ID",
    help="Re-check only this partner of the roster (repeatable).",
)
@click.option(
    "--sources",
    "sources_path",
    type=FILE,
    help="Sources file for every partner, instead of the roster's.",
)
@click.option(
    "--shard",
    type=_ShardType(),
    help="Re-check only shard I of N of the roster (e.g. 2/3), chosen by a hash of each "
    "partner's id; then combine the N folders with `recheck merge`.",
)
@as_of_option("today, UTC; on --resume, the interrupted run's")
@check_timeout_option(
    " A partner's requirements run at once, so this is its deadline: a dead site's "
    "requirements error, saying they timed out. A fetch still in flight then ends "
    "within its own timeouts (--read-timeout, --total-timeout) and is recorded, so a "
    "deadline below them ends the partner when they do."
)
@formats_option(" of each bundle")
@json_option("the outcome and recheck.json's path")
@history_options(f"{HISTORY_FILE} beside the roster")
@fetch_options
@plugin_options
@click.pass_obj
def recheck(
    obj: Obj,
    /,
    roster: Path,
    out: Path | None,
    baseline: str | None,
    resume: bool,
    concurrency: int,
    workers: int | None,
    partner_ids: tuple[str, ...],
    sources_path: Path | None,
    shard: Shard | None,
    as_of: dt.date | None,
    check_timeout: float,
    formats: tuple[str, ...],
    as_json: bool,
    history_path: Path | None,
    no_history: bool,
    **fetch: Any,
) -> None:
    """Re-check every partner of ROSTER in one run and say what changed since --baseline.

    Exit code: 0 every partner passes, 1 any fails, 3 otherwise when any needs review or
    errs, 2 bad roster, options or usage, 4 internal error.

    `finops-verify recheck merge SHARD_DIR... --out DIR` combines the folders of a
    re-check split with --shard into one.

    \b
    Example:
      finops-verify recheck roster.yaml --out recheck-2026q4/ --baseline recheck-2026q3/
      finops-verify recheck roster.yaml --out recheck-2026q4/ --resume
      finops-verify recheck roster.yaml --out recheck-2027q1/ --baseline last
      finops-verify recheck roster.yaml --shard 2/3 --out shard-2/
    """
    # Everything a person wrote is validated before anything is fetched.
    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the re-check to finish")
    if no_history and history_path is not None:
        raise click.UsageError("--history and --no-history contradict each other: give one")
    if shard is not None and partner_ids:
        raise click.UsageError(
            "--shard and --partner cannot be combined: a shard is every partner its id "
            "puts in it, so that `recheck merge` can tell a whole run from a part"
        )
    settings = settings_from(fetch)
    read = load_roster(roster)
    chosen = select_partners(read, partner_ids)
    if shard is not None:
        chosen = tuple(p for p in chosen if shard.holds(p.id))
    db = None if no_history else history_file(history_path, roster)
    if db is not None:
        connect(db).close()  # a history this version cannot write is refused before fetching
    base = _baseline_folder(baseline, roster, db)
    old = load_summary(base) if base is not None else None
    parts = RunParts(obj.host)
    # The folder's default name is a reading of the run's clock, as a verify report's is.
    folder = out or Path("finops-verify-recheck") / parts.clock().astimezone(dt.UTC).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    request = RecheckRequest(
        roster=read,
        partners=chosen,
        out=folder,
        baseline_path=base,
        baseline=old,
        resume=resume,
        concurrency=concurrency,
        sources_path=sources_path,
        as_of=as_of,
        settings=settings,
        check_timeout=check_timeout,
        formats=chosen_formats(formats, obj.formats),
        report_formats=obj.formats,
        history=db,
        shard=shard,
        baseline_sha256sums=manifest_sha256(base) if base is not None else None,
        workers=workers,
        host_recipe=obj.host_recipe,
    )
    started, day = prepare_out(request, parts.clock)
    console = make_console(err=as_json)
    try:
        # Forked before the progress display and the event loop start any thread.
        with fork_workers(request) as forked:
            summary = _run_shown(request, parts, started, day, console, forked)
    except KeyboardInterrupt:
        make_console(err=True).print(
            Text(
                f"Interrupted: finished partners are kept in {safe_text(folder)}; to finish, "
                f"run the same command with --resume --out {safe_text(folder)}"
            ),
            soft_wrap=True,
        )
        raise SystemExit(130) from None
    _finish(summary, folder, as_json)


@click.command("merge")
@click.argument("shards", nargs=-1, required=True, type=DIR)
@click.option("--out", type=DIR, required=True, help="The merged re-check folder (new or empty).")
@json_option("the outcome and recheck.json's path")
@history_options(f"{HISTORY_FILE} beside the roster the shards name")
@click.pass_obj
def recheck_merge(
    obj: Obj,
    /,
    shards: tuple[Path, ...],
    out: Path,
    as_json: bool,
    history_path: Path | None,
    no_history: bool,
) -> None:
    """Combine the folders of a re-check split with --shard I/N into one re-check folder,
    as if it had been one run.

    Every shard 1 to N must be given once, finished and intact (bundle check), and all of
    one roster, as-of date, tool version and baseline; anything else is refused (exit 2).
    Exit code as for recheck: 0 every partner passes, 1 any fails, 3 otherwise when any
    needs review or errs, 2 refused.

    \b
    Example:
      finops-verify recheck merge shard-1/ shard-2/ shard-3/ --out recheck-2026q4/
    """
    if no_history and history_path is not None:
        raise click.UsageError("--history and --no-history contradict each other: give one")
    db = None if no_history else _merge_history(history_path, shards[0])
    if db is not None:
        connect(db).close()  # a history this version cannot write is refused before merging
    summary = merge_shards(list(shards), out, obj.formats, db)
    _finish(summary, out, as_json)


def _merge_history(given: Path | None, shard: Path) -> Path:
    """The history file a merge records in: ``given``, else the one beside the roster the
    shards name (its path as given to them, from here). A usage error when that roster is
    not here: the default would be a guess."""
    if given is not None:
        return given
    named = load_summary(shard).roster.path
    roster = Path(named) if named else None
    if roster is None or not roster.is_file():
        raise click.UsageError(
            f"the shards re-checked the roster {named or '(none recorded)'}, which is not "
            f"here, so the history file beside it is unknown: give --history FILE (the "
            f"history of that roster) or --no-history"
        )
    return history_file(None, roster)


def _finish(summary: RecheckSummary, folder: Path, as_json: bool) -> None:
    """Print the outcome (as JSON with ``as_json``) and exit with its code."""
    code = ExitCode.for_outcome(str(summary.outcome))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "outcome": summary.outcome,
                    "exit_code": int(code),
                    "recheck": str(folder / RECHECK_JSON),
                }
            )
        )
    else:
        _print_summary(summary, folder)
    raise SystemExit(int(code))


def _baseline_folder(given: str | None, roster: Path, db: Path | None) -> Path | None:
    """``--baseline``: a folder, or ``last``, the latest complete re-check of ``roster``
    (by its resolved path) in the history ``db``."""
    if given is None:
        return None
    if given != "last":
        return Path(DIR.convert(given, None, None))
    if db is None:
        raise click.UsageError(
            "--baseline last reads the history, and --no-history turns it off: give the "
            "baseline folder itself (--baseline DIR)"
        )
    return Path(last_run(db, roster).folder)


def _run_shown(
    request: RecheckRequest,
    parts: RunParts,
    started: str,
    day: dt.date,
    console: Console,
    forked: Forked,
) -> RecheckSummary:
    """Run the re-check with its progress on ``console``: a live panel on a terminal, a
    line per finished partner otherwise."""
    live = console.is_terminal
    with Progress(
        TextColumn("[bold]Re-checking"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[stats]}"),
        console=console,
        transient=True,
        disable=not live,
    ) as progress:
        task = progress.add_task("recheck", total=len(request.partners), stats="")
        begun = time.monotonic()

        def show(state: RecheckProgress, result: PartnerResult | None) -> None:
            fetched, hits = state.pages, state.hits
            flying = ", ".join(state.in_flight[:4]) + (" …" if len(state.in_flight) > 4 else "")
            # Ids are [a-z0-9-] (the roster checks them), but markup stays escaped anyway.
            stats = escape(
                f"pages {fetched}, shared hits {hits}, errors {state.errors}; now: {flying}"
            )
            progress.update(task, completed=state.done, stats=stats)
            if result is not None and not live:
                elapsed = time.monotonic() - begun
                kept = " (kept)" if state.done <= state.kept else ""
                console.print(
                    Text(
                        safe_text(
                            f"[{state.done}/{state.total}] {result.id}: {result.outcome}{kept}"
                            + (f" ({result.error.splitlines()[0]})" if result.error else "")
                            + f"; pages fetched {fetched}, shared hits {hits}, "
                            f"errors {state.errors}, {elapsed:.0f}s"
                        )
                    ),
                    soft_wrap=True,
                )

        return asyncio.run(run_recheck(request, parts, started, day, show, forked))


def _print_summary(summary: RecheckSummary, folder: Path) -> None:
    """Outcome, counts, the partners that changed, and where the reports are."""
    console = make_console()
    counts = summary.counts
    each = "  ".join(f"{s} {counts.get(s, 0)}" for s in COUNTED)
    console.print(
        Text(
            f"Partners: {counts.get('partners', 0)}  {each}  "
            f"regressions {counts.get('regressions', 0)}"
        )
    )
    for partner in summary.partners:
        if partner.changes or partner.error:
            what = "; ".join(
                f"{c.requirement or 'partner'}: {c.before} -> {c.after} ({c.kind})"
                for c in partner.changes
            )
            console.print(Text(safe_text(f"  {partner.id}: {what or partner.error}")))
    console.print(outcome_text(str(summary.outcome)))
    console.print(Text(f"Summary: {safe_text(folder / RECHECK_JSON)}"), soft_wrap=True)
    console.print(Text(f"HTML:    {safe_text(folder / RECHECK_HTML)}"), soft_wrap=True)
    if summary.history is not None:
        console.print(Text(f"History: {safe_text(summary.history)}"), soft_wrap=True)
