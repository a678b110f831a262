"""Commands on an evidence bundle: ``bundle check``, ``replay`` and ``review``.

Attached to the ``finops-verify`` group by :mod:`verifier.cli.main`. The logic lives in
:mod:`verifier.bundle.check`, :mod:`verifier.run.replay`, :mod:`verifier.run.review` and
:mod:`verifier.bundle.decisions`; these functions parse options and print.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import click

from verifier.bundle.chain import check_recheck, is_recheck_folder
from verifier.bundle.check import check_bundle, load_report
from verifier.bundle.decisions import (
    DECISIONS,
    load_decisions,
    report_sha256,
    review_view,
)
from verifier.cli.exitcodes import ExitCode
from verifier.cli.options import (
    DIR,
    Obj,
    as_of_option,
    error_document,
    json_option,
    parse_date,
    plugin_options,
    report_document,
)
from verifier.clock import utc_clock
from verifier.errors import BundleError
from verifier.report import REPORT_JSON, after_review
from verifier.report.formats import ReportFormats
from verifier.report.html import HTML_FILE
from verifier.run.replay import ReplayImpossible, ReplayResult, replay_bundle
from verifier.run.review import append_decision
from verifier.safetext import safe_text


@click.group("bundle")
def bundle_group() -> None:
    """Check the integrity of an evidence bundle (a report directory).

    \b
    Example:
      finops-verify bundle check finops-verify-report/acme-20260131T101500Z/
    """


@bundle_group.command("check")
@click.argument("directory", type=DIR)
@json_option("the result")
@click.option(
    "--baseline",
    type=DIR,
    help="For a re-check folder: its baseline folder, instead of the path its recheck.json "
    "records (the link of the hash chain is checked when the baseline is there).",
)
@click.pass_obj
def bundle_check(obj: Obj, directory: Path, as_json: bool, baseline: Path | None) -> None:
    """Re-hash every file of DIRECTORY against its SHA256SUMS.

    Names each file changed, missing or added. Exit code 0 when intact, 1 when anything
    differs, 2 when DIRECTORY is not a bundle. On a re-check folder, also checks each
    partner's bundle and, when its baseline folder is there, the link to it.

    \b
    Example:
      finops-verify bundle check acme-report/
      finops-verify bundle check recheck-2026q4/ --baseline recheck-2026q3/
    """
    if is_recheck_folder(directory):
        result = check_recheck(directory, obj.formats, baseline)
    elif baseline is not None:
        raise click.UsageError(
            f"--baseline is for a re-check folder (one holding recheck.json); {directory} "
            "is not one"
        )
    else:
        result = check_bundle(directory, obj.formats)
    if as_json and not result.is_bundle:
        # The JSON error every command prints on bad input, beside the result's fields.
        refused = error_document(result.describe(), field="DIRECTORY", code=ExitCode.USAGE)
        click.echo(json.dumps({**result.to_json(), **refused}, indent=2))
        click.echo(safe_text(result.describe(), keep="\n"), err=True)
    elif as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        # File names come from the bundle, which may be hostile: shown safe.
        click.echo(safe_text(result.describe(), keep="\n"), err=not result.is_bundle)
    if not result.is_bundle:
        raise SystemExit(int(ExitCode.USAGE))
    raise SystemExit(int(ExitCode.PASS if result.ok else ExitCode.FAIL))


@click.command("replay")
@click.argument("directory", type=DIR)
@click.option(
    "--out",
    type=DIR,
    help="Keep the replayed report in this directory (outside the bundle) [default: a "
    "temporary directory, removed afterwards].",
)
@json_option("the differences")
@plugin_options
@click.pass_obj
def replay_cmd(obj: Obj, directory: Path, out: Path | None, as_json: bool) -> None:
    """Re-run the bundle DIRECTORY's policy on its submission from its captures alone.

    Checks the bundle's integrity first (an altered bundle is refused, exit 2), then
    replays with the recorded as-of date, settings and sources, and no network: a page
    the bundle never fetched makes its requirement an error. Shows every requirement
    whose status or summary differs. Exit code 0 when none differs, 1 otherwise, 3 when
    an intact bundle cannot be replayed by this version (its inputs no longer validate).

    A bundle made with --plugins-dir replays with the same files (--plugins-dir again;
    another file is refused, exit 2); a recorded --prefer-plugin is applied again.

    \b
    Example:
      finops-verify replay acme-report/ --out acme-replay/
      finops-verify replay acme-report/ --plugins-dir my-plugins/
    """
    if not directory.is_dir():
        raise BundleError(f"{directory} is not a directory")
    try:
        if out is not None:
            result = asyncio.run(replay_bundle(directory, out, obj.host, obj.formats))
        else:
            with tempfile.TemporaryDirectory(prefix="finops-replay-") as tmp:
                replay = replay_bundle(directory, Path(tmp) / "replay", obj.host, obj.formats)
                result = asyncio.run(replay)
    except ReplayImpossible as exc:
        click.echo("cannot replay: " + safe_text(exc, keep="\n"), err=True)
        raise SystemExit(int(ExitCode.REVIEW_OR_ERROR)) from exc
    _print_replay(result, as_json=as_json, kept=out is not None)
    raise SystemExit(int(ExitCode.FAIL if result.differences else ExitCode.PASS))


def _print_replay(result: ReplayResult, *, as_json: bool, kept: bool) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "differences": [
                        {
                            "id": d.id,
                            "before": dict(zip(("status", "summary"), d.before, strict=True))
                            if d.before
                            else None,
                            "after": dict(zip(("status", "summary"), d.after, strict=True))
                            if d.after
                            else None,
                        }
                        for d in result.differences
                    ],
                    "served": result.served,
                    "missing": result.missing,
                    "notes": result.notes,
                    "out": str(result.out) if kept else None,
                },
                indent=2,
            )
        )
        return
    total = len(result.original.requirements)
    click.echo(f"Replayed {total} requirement(s); {result.served} fetch(es) served from captures.")
    # Requirement ids, summaries, URLs and notes come from the bundle and its pages.
    for d in result.differences:
        before = safe_text(f"{d.before[0]}: {d.before[1]}") if d.before else "(absent)"
        after = safe_text(f"{d.after[0]}: {d.after[1]}") if d.after else "(absent)"
        click.echo(f"DIFFERS {safe_text(d.id)}\n  recorded: {before}\n  replayed: {after}")
    for url in result.missing:
        click.echo(f"not in captures: {safe_text(url)}")
    for note in result.notes:
        click.echo(f"note: {safe_text(note)}")
    click.echo(
        f"{len(result.differences)} difference(s)"
        if result.differences
        else "No difference: the recorded verdicts are reproduced from the captures."
    )
    if kept:
        click.echo(f"Replayed report: {safe_text(result.out / REPORT_JSON)}")


@click.command("review")
@click.argument("directory", type=DIR)
@click.option("--requirement", help="Requirement id the decision is about.")
@click.option("--decision", type=click.Choice(DECISIONS), help="The reviewer's verdict.")
@click.option("--reviewer", help="Who decides (name or e-mail).")
@click.option("--reason", help="Why: what the reviewer saw. Required.")
@click.option(
    "--expires",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="Last day the decision counts [default: no expiry].",
)
@as_of_option("today, UTC; it decides which review decisions have expired")
@json_option("the decisions, the effective outcome and requirements")
@click.pass_obj
def review_cmd(
    obj: Obj,
    directory: Path,
    requirement: str | None,
    decision: str | None,
    reviewer: str | None,
    reason: str | None,
    expires: dt.date | None,
    as_of: dt.date | None,
    as_json: bool,
) -> None:
    """Record a person's decision on one requirement of the bundle DIRECTORY.

    Appends to DIRECTORY/review.jsonl (who, when, why, until when, and the SHA-256 of the
    report.json it refers to), re-renders report.html and re-seals SHA256SUMS. report.json
    is never changed. Refused (exit 2) for an unknown requirement, an empty reason, or a
    bundle failing `bundle check`. Without --requirement, lists the decisions and the
    effective outcome.

    \b
    Example:
      finops-verify review acme-report/ --requirement case-studies --decision pass \\
          --reviewer "J. Smith" --reason "Globex confirmed by phone" --expires 2026-12-31
    """
    if requirement is None and decision is None:
        _show_review(directory, as_of or utc_clock().date(), obj.formats, as_json=as_json)
        return
    if requirement is None or decision is None or reviewer is None or reason is None:
        raise click.UsageError("a decision needs --requirement, --decision, --reviewer, --reason")
    made = append_decision(
        directory,
        requirement=requirement,
        decision=decision,
        reviewer=reviewer,
        reason=reason,
        expires=expires,
        formats=obj.formats,
    )
    until = f", until {made.expires}" if made.expires else ""
    if not as_json:
        click.echo(
            safe_text(
                f"Recorded: {made.requirement} {made.decision} by {made.reviewer} at "
                f"{made.decided_at}{until}."
            )
        )
    recorded = made.to_json() if as_json else None
    _show_review(
        directory, as_of or utc_clock().date(), obj.formats, as_json=as_json, recorded=recorded
    )


def _show_review(
    directory: Path,
    as_of: dt.date,
    formats: ReportFormats,
    *,
    as_json: bool = False,
    recorded: dict[str, Any] | None = None,
) -> None:
    result = check_bundle(directory, formats)
    if not result.is_bundle:
        raise BundleError(result.describe())
    if not result.ok:
        click.echo(
            safe_text(
                f"warning: {directory} fails its integrity check:\n{result.describe()}", keep="\n"
            ),
            err=True,
        )
    report = load_report(directory)
    decisions, problems = load_decisions(directory)
    view = review_view(report, decisions, as_of, report_sha256(directory))
    if as_json:
        for p in problems:
            click.echo(f"problem: {safe_text(p)}", err=True)
        listed = [
            {**d.to_json(), "state": state}
            for items in view["by_requirement"].values()
            for d, state in items
        ]
        shown = report_document(report, directory, formats, view)
        extra = {"recorded": recorded} if recorded is not None else {}
        # report.html's first screen: the effective counts and what still blocks a pass.
        after = after_review(report, decisions, report_sha256(directory), as_of)
        click.echo(
            json.dumps(
                {
                    **shown,
                    **extra,
                    "as_of": as_of.isoformat(),
                    "effective_counts": {status: n for status, _, n in after["counts"]},
                    "still_blocking": [
                        {"requirement": b["raw_id"], "status": b["status"], "reason": b["reason"]}
                        for b in after["blocking"]
                    ],
                    "active": view["active"],
                    "decisions": listed,
                    "problems": problems,
                    "intact": result.ok,
                }
            )
        )
        return
    for rid, items in view["by_requirement"].items():
        for d, state in items:
            until = d.expires or "no expiry"
            # Decisions come from review.jsonl, which anyone with the folder can edit.
            click.echo(
                safe_text(f"{rid}: {d.decision} by {d.reviewer} ({state}, {until}): {d.reason}")
            )
    for p in problems:
        click.echo(f"problem: {safe_text(p)}", err=True)
    click.echo(
        safe_text(
            f"Machine outcome: {report.raw_outcome}; effective outcome as of {as_of}: "
            f"{view['outcome']} ({view['active']} active decision(s))"
        )
    )
    click.echo(f"Report: {safe_text(directory / HTML_FILE)}")


COMMANDS: tuple[click.Command, ...] = (bundle_group, replay_cmd, review_cmd)
"""The commands :mod:`verifier.cli.main` adds to its group."""
