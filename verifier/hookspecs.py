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
