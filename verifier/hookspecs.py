"""The plugin contract: every hook a finops-verifier plugin can implement.

A plugin is a module (or object) registered under the entry-point group
``finops_verifier``, with functions decorated by :data:`verifier.hookimpl` whose names are
the hooks below. Each hook receives a ``register`` callback: the core keeps the registry,
so a plugin never reaches into core state. Each plugin's hook is called on its own: one
that raises is recorded (``finops-verify plugins`` shows it) and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from verifier.checks import Check
    from verifier.demo import DemoSpec
    from verifier.report.formats import ReportFormat

PROJECT = "finops_verifier"
"""The pluggy project name, which is also the entry-point group."""

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def register_checks(register: Callable[[Check[Any]], None]) -> None:
    """Register the checks this plugin provides.

    Fires once per run, when the plugin manager is built, before any policy is loaded.

    :param register: call it once per check instance, e.g. ``register(MembershipCheck())``.
        A check whose name another plugin already registered is refused (the error names
        both plugins) and requirements using that name report ``error``.
    :return: nothing; register through the callback.
    """


@hookspec
def register_policy_dirs(register: Callable[[Path], None]) -> None:
    """Register directories of bundled policy files.

    Fires when policies are listed or looked up by program and tier. Every ``*.yaml``
    file below a registered directory that has a ``requirements`` key is a policy; a
    ``sources.yaml`` at its top holds the default URLs of the sources its checks consult.

    :param register: call it with the directory's absolute :class:`~pathlib.Path`.
    :return: nothing; register through the callback.
    """


@hookspec
def register_demos(register: Callable[[DemoSpec], None]) -> None:
    """Register an offline demo: fixture sites and the submissions to verify against them.

    Fires when ``finops-verify demo`` runs.

    :param register: call it with a :class:`~verifier.demo.DemoSpec`.
    :return: nothing; register through the callback.
    """


@hookspec
def register_report_formats(register: Callable[[ReportFormat], None]) -> None:
    """Register report formats: files a run writes next to report.json.

    Fires once per command that writes or checks reports (``verify``, ``demo``,
    ``replay``, ``bundle check``, ``review``), before any report is written, and in
    ``plugins``, which shows a refused format as a problem. A registered
    format's name becomes a ``--format`` choice (it is written when asked for, or by
    ``demo``; ``verify`` without ``--format`` writes report.json and the built-ins); a run
    that writes it lists its name in report.json's ``run.formats``, and ``bundle check``
    renders it again and reports the file when it differs. The built-ins (``html``,
    ``md``, ``junit``) are registered the same way; ``json`` (report.json) is always
    written.

    :param register: call it once per :class:`~verifier.report.formats.ReportFormat`
        (``from verifier.report.formats import ReportFormat``), e.g.
        ``register(ReportFormat("csv", "report.csv", render))`` where ``render(basis) ->
        bytes`` reads ``basis.report`` (report.json, parsed) and ``basis.decisions``
        (review.jsonl) and nothing else: no clock, no network, the same bytes every time.
        A format whose name or file is taken (by a built-in or another plugin), whose
        name is ``json``, or whose file is not a plain file name or is one a bundle holds
        for itself (report.json, SHA256SUMS, review.jsonl...) is refused; the refusal is
        shown by ``finops-verify plugins``.
    :return: nothing; register through the callback.
    """
