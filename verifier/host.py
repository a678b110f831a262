"""Loading plugins: entry points one at a time, registries, and a typed facade.

pluggy's ``load_setuptools_entrypoints`` lets one broken plugin take the whole tool down
and one raising hook stop the others (pluggy#419). Here each entry point is loaded in its
own try/except, and each plugin's hook is called on its own; failures become
:class:`LoadProblem` records that ``finops-verify plugins`` shows and that turn the
requirements needing the plugin into ``error`` outcomes.

There is no global manager: :func:`build_host` makes a fresh one (tests get theirs from
the ``plugin_host`` fixture of :mod:`verifier.testing`).
"""

from __future__ import annotations

import difflib
import importlib.metadata as md
import inspect
import logging
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from verifier import hookspecs
from verifier.checks import Check, Params

log = logging.getLogger(__name__)

PROJECT = hookspecs.PROJECT
ENTRY_POINT_GROUP = PROJECT


@dataclass(frozen=True)
class LoadProblem:
    """A plugin that could not be loaded, or a registration that was refused."""

    plugin: str
    """Entry-point name (or plugin name) concerned."""
    distribution: str | None
    """Distribution that ships it, when known."""
    message: str
    """What went wrong, for a person."""
    check: str | None = None
    """The check name concerned, for refused registrations."""


@dataclass(frozen=True)
class CheckInfo:
    """A registered check and where it came from."""

    check: Check[Any]
    """The check instance."""
    plugin: str
    """Name of the plugin that registered it."""
    distribution: str | None
    """Distribution that ships the plugin."""
    distribution_version: str | None
    """That distribution's version."""


@dataclass
class CheckRegistry:
    """Checks by name, with the problems met while registering them."""

    checks: dict[str, CheckInfo] = field(default_factory=dict)
    """Usable checks by name."""
    problems: list[LoadProblem] = field(default_factory=list)
    """Load failures and refused registrations."""
    _conflicts: dict[str, str] = field(default_factory=dict)

    def add(self, check: object, info: _PluginInfo) -> None:
        """Register ``check`` on behalf of the plugin ``info``; refuse invalid ones."""
        name = getattr(check, "name", None)
        problem = _invalid_check(check)
        if problem:
            self.problems.append(LoadProblem(info.name, info.dist, problem, name))
            return
        assert isinstance(check, Check)
        assert isinstance(name, str)
        if name in self._conflicts:
            self._conflicts[name] += f", {info.name}"
            self.problems.append(
                LoadProblem(info.name, info.dist, f"check {name!r} is also claimed", name)
            )
            return
        if name in self.checks:
            first = self.checks.pop(name)
            reason = (
                f"check {name!r} is registered by two plugins: {first.plugin!r} "
                f"({first.distribution or 'no distribution'}) and {info.name!r} "
                f"({info.dist or 'no distribution'}); uninstall one of them"
            )
            self._conflicts[name] = reason
            self.problems.append(LoadProblem(info.name, info.dist, reason, name))
            return
        self.checks[name] = CheckInfo(check, info.name, info.dist, info.version)

    def why_missing(self, name: str) -> str:
        """The reason a requirement's check is unavailable, for its ``error`` outcome."""
        if name in self._conflicts:
            return self._conflicts[name]
        related = [p for p in self.problems if p.check == name]
        if related:
            return f"check {name!r} could not be registered: {related[0].message}"
        broken = [p for p in self.problems if p.check is None]
        hint = ""
        if broken:
            names = ", ".join(sorted({p.plugin for p in broken}))
            hint = f" (plugins that failed to load: {names}; see 'finops-verify plugins')"
        return f"no plugin provides check {name!r}{hint}"


def _invalid_check(check: object) -> str | None:
    if not isinstance(check, Check):
        return f"registered {type(check).__name__!r}, which is not a verifier.Check"
    name = getattr(check, "name", None)
    if not isinstance(name, str) or not name:
        return f"{type(check).__name__} has no 'name'"
    schema = getattr(check, "Params", None)
    if not (isinstance(schema, type) and issubclass(schema, Params)):
        return f"check {name!r}: Params must subclass verifier.Params"
    if not inspect.iscoroutinefunction(check.verify):
        return f"check {name!r}: verify must be 'async def'"
    return None


@dataclass(frozen=True)
class _PluginInfo:
    name: str
    dist: str | None
    version: str | None


class PluginHost:
    """A typed facade over one pluggy manager: the core calls these, never ``pm.hook``."""

    def __init__(self, pm: pluggy.PluginManager, problems: Iterable[LoadProblem] = ()) -> None:
        self.pm = pm
        """The underlying pluggy manager (for tests and advanced use)."""
        self.load_problems: list[LoadProblem] = list(problems)
        """Entry points that failed to load."""
        self._info: dict[str, _PluginInfo] = {}

    def register(
        self, plugin: object, name: str, dist: str | None = None, version: str | None = None
    ) -> None:
        """Register a plugin object (module, class instance) under ``name``."""
        self.pm.register(plugin, name=name)
        self._info[name] = _PluginInfo(name, dist, version)
        self.load_problems += [LoadProblem(name, dist, m) for m in _unhooked(plugin)]

    def _call_each(
        self,
        hook: str,
        register: Callable[[_PluginInfo], Callable[[Any], None]],
        problems: list[LoadProblem],
    ) -> None:
        """Call ``hook`` of every plugin on its own, with the callback ``register(info)``
        makes for it; a plugin whose hook raises is recorded in ``problems``, not fatal."""
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            info = self._info.get(impl.plugin_name, _PluginInfo(impl.plugin_name, None, None))
            try:
                impl.function(register=register(info))
            except Exception as exc:  # a plugin's bug is recorded, not fatal
                log.warning("plugin %s failed in %s: %r", info.name, hook, exc)
                problems.append(LoadProblem(info.name, info.dist, f"{hook} raised {exc!r}"))

    def checks(self) -> CheckRegistry:
        """Call every plugin's ``register_checks`` on its own and collect the checks."""
        registry = CheckRegistry(problems=list(self.load_problems))
        self._call_each(
            "register_checks",
            lambda info: lambda check: registry.add(check, info),
            registry.problems,
        )
        return registry

    def policy_dirs(self) -> list[Path]:
        """Directories of bundled policies, from every plugin."""
        found: list[Path] = []
        self._call_each("register_policy_dirs", lambda _info: found.append, self.load_problems)
        return found

    def report_formats(self, add: Callable[[object, str], str | None]) -> None:
        """Call every plugin's ``register_report_formats`` on its own, passing each format
        it registers to ``add(format, plugin name)``; a refusal ``add`` returns (its
        reason) is recorded as a load problem, like a hook that raises."""

        def register(info: _PluginInfo) -> Callable[[Any], None]:
            def one(fmt: Any) -> None:
                refused = add(fmt, info.name)
                if refused:
                    self.load_problems.append(LoadProblem(info.name, info.dist, refused))

            return one

        self._call_each("register_report_formats", register, self.load_problems)

    def demos(self) -> list[Any]:
        """Demos registered by plugins (:class:`verifier.demo.DemoSpec`)."""
        found: list[Any] = []
        self._call_each("register_demos", lambda _info: found.append, self.load_problems)
        return found


def _unhooked(plugin: object) -> list[str]:
    """What of ``plugin`` pluggy would silently ignore: a ``@hookimpl`` whose name is no
    hook (a misspelling), and a function named like a hook but not marked ``@hookimpl``.
    Either way the plugin would load and register nothing, with no sign of why."""
    hooks = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), f"{PROJECT}_spec")}
    found = []
    for attr in sorted(dir(plugin)):
        if attr.startswith("_"):
            continue
        value = getattr(plugin, attr, None)
        marked = hasattr(value, f"{PROJECT}_impl")
        if marked and attr not in hooks:
            close = difflib.get_close_matches(attr, sorted(hooks), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"hooks: {', '.join(sorted(hooks))}"
            found.append(f"@hookimpl {attr!r} is no hook, so it is never called; {hint}")
        elif attr in hooks and callable(value) and not marked:
            found.append(
                f"{attr!r} is not marked @hookimpl, so it is never called; decorate it with "
                "verifier.hookimpl"
            )
    return found


def build_host(*, entry_points: bool = True, plugins: Iterable[object] = ()) -> PluginHost:
    """Build a fresh plugin host.

    :param entry_points: load every plugin of the ``finops_verifier`` entry-point group
        (the built-ins are among them).
    :param plugins: further plugin objects to register directly (tests).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm)
    if entry_points:
        _load_entry_points(host)
    for i, plugin in enumerate(plugins):
        name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{i}"
        host.register(plugin, name=name)
    return host


def _load_entry_points(host: PluginHost) -> None:
    seen: set[str] = set()
    for ep in md.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else None
        version = ep.dist.version if ep.dist else None
        if ep.name in seen:
            host.load_problems.append(
                LoadProblem(ep.name, dist, f"entry point name {ep.name!r} is used twice")
            )
            continue
        seen.add(ep.name)
        try:
            plugin = ep.load()
        except Exception as exc:  # ImportError, SyntaxError, anything its import runs
            log.warning("cannot load plugin %s (%s): %r", ep.name, ep.value, exc)
            host.load_problems.append(
                LoadProblem(ep.name, dist, f"cannot import {ep.value}: {exc!r}")
            )
            continue
        if not isinstance(plugin, types.ModuleType | type) and not hasattr(plugin, "__dict__"):
            host.load_problems.append(
                LoadProblem(ep.name, dist, f"{ep.value} is not a module or object")
            )
            continue
        try:
            host.register(plugin, name=ep.name, dist=dist, version=version)
        except Exception as exc:  # pluggy validation: misspelt hook, bad signature
            host.load_problems.append(
                LoadProblem(ep.name, dist, f"pluggy refused {ep.value}: {exc}")
            )
