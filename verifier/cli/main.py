"""The command line: ``finops-verify``. :func:`main` is pure (argv in, exit code out)."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import io
import json
import logging
import shutil
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from verifier._version import __version__
from verifier.bundle.store import CAPTURES
from verifier.cli.bundle import COMMANDS as BUNDLE_COMMANDS
from verifier.cli.catalog import COMMANDS as CATALOG_COMMANDS
from verifier.cli.catalog import policy_file
from verifier.cli.exitcodes import ExitCode
from verifier.cli.history import history
from verifier.cli.local import COMMANDS as LOCAL_COMMANDS
from verifier.cli.options import (
    DIR,
    FILE,
    STATUS_STYLE,
    Obj,
    add_id_column,
    as_of_option,
    check_timeout_option,
    chosen_formats,
    error_document,
    error_text,
    fetch_options,
    formats_option,
    json_option,
    make_console,
    outcome_text,
    plugin_options,
    report_document,
    settings_from,
)
from verifier.cli.recheck import recheck
from verifier.cli.schema import schema
from verifier.errors import InputError
from verifier.fetch.guard import private_network_note, without_private_network_hint
from verifier.fetch.settings import FetchSettings
from verifier.history import connect, record_verify
from verifier.host import PluginHost
from verifier.models import RequirementResult
from verifier.report import REPORT_JSON
from verifier.report.html import HTML_FILE
from verifier.report.model import Report
from verifier.run.verify import (
    DEFAULT_PROGRAM,
    Prepared,
    RunParts,
    RunRequest,
    execute,
    prepare,
    remove_unfinished,
)
from verifier.safetext import safe_text
from verifier.sites import serve_sites


class _SafeFormatter(logging.Formatter):
    """Log records quote URLs, page text and exceptions: their control characters are
    made visible, as everywhere else on the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return safe_text(super().format(record), keep="\n")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="finops-verify")
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Verify a FinOps Foundation partner-certification application and write an
    auditable evidence report.

    \b
    Example:
      finops-verify verify submission.yaml --out report/
      finops-verify demo
    """
    handler = logging.StreamHandler()
    handler.setFormatter(_SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING - 10 * min(verbose, 2), handlers=[handler])
    if ctx.obj is None:
        ctx.obj = Obj(None)


@cli.command()
@click.argument("submission", type=FILE)
@click.option(
    "--out",
    type=DIR,
    help="Report directory [default: ./finops-verify-report/<applicant>-<UTC time>/].",
)
@click.option(
    "--program",
    help=f"Program version of the requirements [default: the "
    f"submission's 'program', else {DEFAULT_PROGRAM}].",
)
@click.option(
    "--policy",
    "policy_given",
    metavar="ID|FILE",
    help="Use this policy (a bundled policy's id, as 'policies list' shows, or a "
    "policy file) instead of the one the submission's program and tier select.",
)
@click.option(
    "--sources",
    "sources_path",
    type=FILE,
    help="YAML mapping of source names to URLs (or a CSV file) overriding the bundled sources.",
)
@as_of_option("today, UTC")
@check_timeout_option()
@formats_option("")
@json_option("the outcome, counts, report paths and requirements instead of the table,")
@click.option(
    "--history",
    "history_path",
    type=FILE,
    help="Also record this verification in this history file (SQLite), under the "
    "submission file's name as the partner id.",
)
@fetch_options
@plugin_options
@click.pass_obj
def verify(
    obj: Obj,
    /,
    submission: Path,
    out: Path | None,
    program: str | None,
    policy_given: str | None,
    sources_path: Path | None,
    as_of: dt.date | None,
    check_timeout: float,
    formats: tuple[str, ...],
    as_json: bool,
    history_path: Path | None,
    **fetch: Any,
) -> None:
    """Verify SUBMISSION against the requirements of its tier and write the report.

    Exit code: 0 pass, 1 fail, 2 bad input or usage, 3 needs review or error.

    \b
    Example:
      finops-verify verify acme.yaml --out acme-report/ --as-of 2026-01-31
    """
    request = RunRequest(
        submission_path=submission,
        out=out,
        program=program,
        policy_path=None if policy_given is None else policy_file(obj.host, policy_given),
        sources_path=sources_path,
        as_of=as_of,
        settings=settings_from(fetch),
        check_timeout=check_timeout,
        formats=chosen_formats(formats, obj.formats),
        report_formats=obj.formats,
    )
    if history_path is not None:
        connect(history_path).close()  # a history this version cannot write: refused first
    code, _ = _run_and_print(RunParts(obj.host), request, as_json=as_json, history=history_path)
    raise SystemExit(int(code))


def _run_and_print(
    parts: RunParts,
    request: RunRequest,
    *,
    as_json: bool,
    history: Path | None = None,
    show: bool = True,
) -> tuple[ExitCode, dict[str, Any]]:
    """Run one verification with its progress on the terminal; print its summary (its
    JSON document with ``as_json``) unless not ``show``; return its exit code and that
    document."""
    prep = prepare(request, parts)
    console = make_console(err=as_json)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        # The description is rich markup (TextColumn): the name goes in escaped.
        name = escape(safe_text(prep.submission.applicant.name))
        task = progress.add_task(f"Verifying {name}", total=len(prep.policy.requirements))

        def done(result: RequirementResult) -> None:
            progress.advance(task)

        try:
            report = asyncio.run(execute(prep, request, on_done=done))
        except KeyboardInterrupt:
            # Ctrl-C: asyncio cancelled the run, which waits for a write in progress; what
            # it wrote is removed, so that the same --out takes the run again.
            _interrupted(prep)
            raise
    if history is not None:
        record_verify(history, prep.out, request.submission_path.stem, parts.clock)
    code = ExitCode.for_outcome(report.outcome)
    shown = report_document(report, prep.out, request.report_formats)
    document = {**shown, "outcome": report.outcome.value, "exit_code": int(code)}
    if show and as_json:
        click.echo(json.dumps(document))
    elif show:
        print_summary(report, prep.out)
    return code, document


def _interrupted(prep: Prepared) -> None:
    """Say on stderr that the run was interrupted and remove what it wrote."""
    try:
        said = remove_unfinished(prep)
    except OSError as undo:
        said = (
            f"removing what it wrote failed ({undo.strerror or undo}): delete {prep.out} "
            "by hand, it is not a complete report"
        )
    click.echo(safe_text(f"Interrupted: nothing was judged; {said}."), err=True)


def print_summary(report: Report, out: Path) -> None:
    """The one-screen summary: a table of requirement, status, summary; then the paths."""
    console = make_console()
    table = Table(
        # Applicant names and summaries come from submissions and fetched pages: shown
        # as text, never read as rich markup ("[bold]" in a name stays literal), their
        # control characters made visible.
        title=Text(
            safe_text(
                f"{report.applicant.name} — {report.policy.title} (program {report.policy.program})"
            )
        ),
        title_justify="left",
        expand=False,
        show_lines=False,
    )
    add_id_column(table, "requirement", (req.id for req in report.requirements))
    table.add_column("status", no_wrap=True)
    table.add_column("summary", overflow="fold")
    # Said once under the table, however many requirements a refused loopback fetch made
    # error; the rows keep the refusal itself.
    note = private_network_note(
        e.data.get("error") for r in report.requirements for e in r.evidence
    )
    for req in report.requirements:
        style = STATUS_STYLE.get(req.status, "")
        table.add_row(
            Text(safe_text(req.id)),
            Text(safe_text(req.raw_status), style=style),
            Text(
                safe_text(
                    without_private_network_hint(req.summary)
                    if note and req.summary
                    else req.summary
                )
            ),
        )
    console.print(table)
    if note:
        console.print(Text(note), soft_wrap=True)
    console.print(outcome_text(report.outcome))
    # soft_wrap: a path folded across lines cannot be copied.
    console.print(Text(f"Report:  {safe_text(out / REPORT_JSON)}"), soft_wrap=True)
    if (out / HTML_FILE).is_file():
        console.print(Text(f"HTML:    {safe_text(out / HTML_FILE)}"), soft_wrap=True)


@cli.command()
@click.option(
    "--out",
    type=DIR,
    default=Path("demo-report"),
    show_default=True,
    help="Directory receiving one report folder per submission.",
)
@as_of_option("the demo's own date, so its verdicts do not change as its fixture certificates age")
@json_option("each submission's outcome, counts, report paths and requirements")
@click.pass_obj
def demo(obj: Obj, out: Path, as_of: dt.date | None, as_json: bool) -> None:
    """Verify the bundled demo submissions against offline fixture sites on 127.0.0.1.

    Nothing leaves the machine: every host name of the demo resolves to a local server.
    Each run replaces the demo's own previous report folders under --out.

    \b
    Example:
      finops-verify demo --out demo-report/
    """
    specs = obj.host.demos()
    if not specs:
        raise InputError("no plugin registers a demo; is finops-verifier installed?")
    html_reports: list[Path] = []
    documents: list[dict[str, Any]] = []
    parts = RunParts(obj.host)  # every policy loaded once for all the demo's submissions
    for spec in specs:
        with serve_sites(spec.sites) as server:
            # Fixture URLs name port 80; --resolve sends them to the server's own port. The
            # sites are the demo's own, on this machine: no politeness delay is owed.
            settings = FetchSettings(
                allow_private_network=True, resolve=server.resolve_pairs(), per_host_delay=0.0
            )
            for sub in spec.submissions:
                _clear_previous_demo(out / sub.stem)
                request = RunRequest(
                    submission_path=sub,
                    out=out / sub.stem,
                    sources_path=spec.sources,
                    as_of=as_of or spec.as_of,
                    settings=settings,
                    formats=obj.formats.names,
                    report_formats=obj.formats,
                )
                if not as_json:
                    make_console().rule(Text(safe_text(f"demo {spec.name}: {sub.name}")))
                _, document = _run_and_print(parts, request, as_json=as_json, show=not as_json)
                documents.append({"demo": spec.name, "submission": str(sub), **document})
                html_reports.append(out / sub.stem / HTML_FILE)
    if as_json:
        click.echo(json.dumps({"submissions": documents}))
        raise SystemExit(0)
    # Last, so that `make demo` ends with what to open.
    for path in html_reports:
        click.echo(f"HTML report: {safe_text(path)}")
    # The demo shows verdicts; its own success does not depend on them.
    raise SystemExit(0)


def _clear_previous_demo(folder: Path) -> None:
    """Remove a report folder a previous demo wrote (it holds report.json, or captures/ when
    that run was interrupted), so `make demo` can run again; anything else is left for the
    run to refuse."""
    if (folder / REPORT_JSON).is_file() or (folder / CAPTURES).is_dir():
        shutil.rmtree(folder)


for _command in (*CATALOG_COMMANDS, *BUNDLE_COMMANDS, *LOCAL_COMMANDS, recheck, history, schema):
    cli.add_command(_command)


# ---------------------------------------------------------------- entry points


def main(argv: Sequence[str] | None = None, *, host: PluginHost | None = None) -> int:
    """Run the command line with ``argv``; return the exit code (never raises SystemExit).

    With ``--json``, an error is also printed on stdout as the JSON of
    :func:`~verifier.cli.options.error_document` (and nothing else is), the text on stderr.

    :param host: a plugin host to use instead of building one (tests).
    """
    args = list(argv) if argv is not None else sys.argv[1:]
    obj = Obj(host)

    def as_json() -> bool:
        # The option's callback says it; an argument refused before any callback ran
        # (an unknown option) is found in the words themselves, up to "--".
        words = args[: args.index("--")] if "--" in args else args
        return obj.json or "--json" in words

    try:
        cli.main(args=args, prog_name="finops-verify", standalone_mode=False, obj=obj)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        # Click quotes the arguments it refuses (`--reviewer $'\e]0;x\a'`): shown safe.
        shown = io.StringIO()
        exc.show(file=shown)
        click.echo(safe_text(shown.getvalue(), keep="\n"), err=True, nl=False)
        if as_json():
            hint = getattr(exc, "param_hint", None) or getattr(
                getattr(exc, "param", None), "opts", None
            )
            field = hint if isinstance(hint, str) else ("/".join(hint) if hint else None)
            click.echo(
                json.dumps(error_document(exc.format_message(), field=field, code=ExitCode.USAGE))
            )
        return int(ExitCode.USAGE)
    except InputError as exc:
        click.echo(f"error: {error_text(exc)}", err=True)
        if as_json():
            message = str(exc.args[0]) if exc.args else ""
            click.echo(json.dumps(error_document(message, exc.problems, code=ExitCode.USAGE)))
        return int(ExitCode.USAGE)
    except Exception:  # a bug: its traceback is for us, its exit code must not say "fail"
        click.echo(safe_text(traceback.format_exc(), keep="\n"), err=True)
        said = (
            "internal error: finops-verifier hit a bug (traceback above); nothing was "
            "judged. Please report it with the command you ran."
        )
        click.echo(said, err=True)
        if as_json():
            click.echo(
                json.dumps(
                    error_document(said.replace("above", "on stderr"), code=ExitCode.INTERNAL_ERROR)
                )
            )
        return int(ExitCode.INTERNAL_ERROR)
    return 0


def run() -> None:
    """Console-script entry point."""
    code = main()
    if not (sys.flags.dev_mode or sys.warnoptions):
        # The process ends here: without this, the cyclic collector walks every object
        # the command made before the interpreter exits (0.2 s after a re-check of 300
        # partners, measured), only to free memory the system takes back anyway. Objects
        # only a reference cycle holds are then not finalized: the command has closed its
        # files and connections itself by now. (With -X dev or -W, the collector runs, and
        # warns of anything left open.)
        gc.freeze()
    sys.exit(code)
