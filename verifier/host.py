"""Loading plugins: entry points one at a time, registries, and a typed facade.

pluggy's ``load_setuptools_entrypoints`` lets one broken plugin take the whole tool down
and one raising hook stop the others (pluggy#419). Here each entry point is loaded in its
own try/except, and each plugin's hook is called on its own; failures become
:class:`LoadProblem` records that ``finops-verify plugins`` shows and that turn the
requirements needing the plugin into ``error`` outcomes.

pluggy also ignores, silently, a hook it cannot match: a misspelt ``@hookimpl`` name, a
function named like a hook but not marked. :func:`_unhooked` names both, per plugin, and
pluggy's own ``check_pending()`` runs once every plugin is registered; whatever it finds
is a problem too. A plugin that registers nothing is still listed
(:meth:`PluginHost.plugins`), so it never simply vanishes.

The hooks run once per host: the check registry, the policy folders and the demos are
built at first use and kept (a batch of many submissions reuses them).

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

    def add(self, check: object, info: PluginInfo) -> None:
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
class PluginInfo:
    """A registered plugin: its name and the distribution that ships it."""

    name: str
    """Entry-point name (or the name it was registered under)."""
    dist: str | None
    """Distribution that ships it, when known."""
    version: str | None
    """That distribution's version."""


@dataclass(frozen=True)
class PluginSummary:
    """One registered plugin and what it registered (``finops-verify plugins``)."""

    info: PluginInfo
    """The plugin."""
    checks: tuple[str, ...]
    """Names of the checks it registered and that were accepted."""


@dataclass(frozen=True)
class _Catalogue:
    """What every plugin's hooks gave, gathered once per host."""

    registry: CheckRegistry
    policy_dirs: tuple[Path, ...]
    demos: tuple[Any, ...]


class PluginHost:
    """A typed facade over one pluggy manager: the core calls these, never ``hook``.

    The hooks are called once, at first use; :meth:`register` starts again.
    """

    def __init__(self, pm: pluggy.PluginManager, problems: Iterable[LoadProblem] = ()) -> None:
        self._pm = pm
        self.load_problems: list[LoadProblem] = list(problems)
        """Plugins that failed to load or that pluggy would silently ignore in part."""
        self._info: dict[str, PluginInfo] = {}
        self._catalogue: _Catalogue | None = None

    def register(
        self, plugin: object, name: str, dist: str | None = None, version: str | None = None
    ) -> None:
        """Register a plugin object (module, class instance) under ``name``."""
        self._pm.register(plugin, name=name)
        self._info[name] = PluginInfo(name, dist, version)
        self.load_problems += [LoadProblem(name, dist, m) for m in _unhooked(plugin)]
        self._catalogue = None

    def check_pending(self) -> None:
        """Run pluggy's ``check_pending()``: a ``@hookimpl`` that matches no hook (a
        misspelt name or ``specname``) becomes a :class:`LoadProblem` of its plugin,
        unless :func:`_unhooked` already named it. pluggy stops at the first such hook;
        every one is listed here, so that fixing one does not reveal the next."""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            log.warning("pluggy check_pending: %s", exc)
        else:
            return
        said = {(p.plugin, p.message) for p in self.load_problems}
        for hook, impl in _pending(self._pm):
            info = self._plugin(impl.plugin_name)
            if (info.name, _no_hook_message(hook)) in said:
                continue  # a misspelt function name: _unhooked said it already
            message = (
                f"@hookimpl implements {hook!r}, which is no hook (pluggy's check_pending), "
                f"so it is never called; {_hook_hint(hook)}"
            )
            self.load_problems.append(LoadProblem(info.name, info.dist, message))
            said.add((info.name, message))
        self._catalogue = None

    def _plugin(self, name: str) -> PluginInfo:
        return self._info.get(name, PluginInfo(name, None, None))

    def _call_each(
        self,
        hook: str,
        register: Callable[[PluginInfo], Callable[[Any], None]],
        problems: list[LoadProblem],
    ) -> None:
        """Call ``hook`` of every plugin on its own, with the callback ``register(info)``
        makes for it; a plugin whose hook raises is recorded in ``problems``, not fatal."""
        caller = getattr(self._pm.hook, hook)
        for impl in caller.get_hookimpls():
            info = self._plugin(impl.plugin_name)
            try:
                impl.function(register=register(info))
            except Exception as exc:  # a plugin's bug is recorded, not fatal
                log.warning("plugin %s failed in %s: %r", info.name, hook, exc)
                problems.append(LoadProblem(info.name, info.dist, f"{hook} raised {exc!r}"))

    def _gathered(self) -> _Catalogue:
        """Every plugin's hooks, called once: their checks, policy folders and demos."""
        if self._catalogue is None:
            problems = list(self.load_problems)
            dirs: list[Path] = []
            demos: list[Any] = []
            self._call_each("register_policy_dirs", lambda _info: dirs.append, problems)
            self._call_each("register_demos", lambda _info: demos.append, problems)
            registry = CheckRegistry(problems=problems)
            self._call_each(
                "register_checks",
                lambda info: lambda check: registry.add(check, info),
                registry.problems,
            )
            self._catalogue = _Catalogue(registry, tuple(dirs), tuple(demos))
        return self._catalogue

    def checks(self) -> CheckRegistry:
        """The checks every plugin's ``register_checks`` gave, with every problem met
        loading plugins and calling their hooks; built once per host."""
        return self._gathered().registry

    def policy_dirs(self) -> list[Path]:
        """Directories of bundled policies, from every plugin."""
        return list(self._gathered().policy_dirs)

    def report_formats(self, add: Callable[[object, str], str | None]) -> None:
        """Call every plugin's ``register_report_formats`` on its own, passing each format
        it registers to ``add(format, plugin name)``; a refusal ``add`` returns (its
        reason) is recorded as a load problem, like a hook that raises."""

        found: list[LoadProblem] = []

        def register(info: PluginInfo) -> Callable[[Any], None]:
            def one(fmt: Any) -> None:
                refused = add(fmt, info.name)
                if refused:
                    found.append(LoadProblem(info.name, info.dist, refused))

            return one

        self._call_each("register_report_formats", register, found)
        # Whether the checks were gathered before or after, their registry shows these too.
        self.load_problems.extend(found)
        if self._catalogue is not None:
            self._catalogue.registry.problems.extend(found)

    def demos(self) -> list[Any]:
        """Demos registered by plugins (:class:`verifier.demo.DemoSpec`)."""
        return list(self._gathered().demos)

    def plugins(self) -> list[PluginSummary]:
        """Every registered plugin, by name, with the checks it gave: one that gave none
        is listed too (``finops-verify plugins`` says "no checks")."""
        registry = self.checks()
        names = {n for n, _ in self._pm.list_name_plugin() if n is not None}
        return [
            PluginSummary(
                self._plugin(name),
                tuple(sorted(c for c, info in registry.checks.items() if info.plugin == name)),
            )
            for name in sorted(names)
        ]


def _hook_names() -> list[str]:
    return sorted(n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), f"{PROJECT}_spec"))


def _hook_hint(name: str) -> str:
    """The hook ``name`` was probably meant to be, or the list of hooks."""
    hooks = _hook_names()
    close = difflib.get_close_matches(name, hooks, n=1)
    return f"did you mean {close[0]!r}?" if close else f"hooks: {', '.join(hooks)}"


def _no_hook_message(name: str) -> str:
    return f"@hookimpl {name!r} is no hook, so it is never called; {_hook_hint(name)}"


def _pending(pm: pluggy.PluginManager) -> list[tuple[str, pluggy.HookImpl]]:
    """(hook name, implementation) of every ``@hookimpl`` that matches no hook spec: what
    ``check_pending()`` refuses, all of them rather than the first."""
    found = []
    for name in sorted(vars(pm.hook)):
        if name.startswith("_"):
            continue  # pluggy's own attributes, as check_pending skips them
        caller = getattr(pm.hook, name)
        if isinstance(caller, pluggy.HookCaller) and not caller.has_spec():
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    found.append((name, impl))
    return found


def _unhooked(plugin: object) -> list[str]:
    """What of ``plugin`` pluggy would silently ignore: a ``@hookimpl`` whose name is no
    hook (a misspelling), and a function named like a hook but not marked ``@hookimpl``.
    Either way the plugin would load and register nothing, with no sign of why."""
    hooks = _hook_names()
    found = []
    for attr in sorted(dir(plugin)):
        if attr.startswith("_"):
            continue
        value = getattr(plugin, attr, None)
        marked = getattr(value, f"{PROJECT}_impl", None)
        if isinstance(marked, dict) and marked.get("specname"):
            continue  # implements the hook it names, whatever its own name: check_pending
        if marked is not None and attr not in hooks:
            found.append(_no_hook_message(attr))
        elif attr in hooks and callable(value) and marked is None:
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
    host.check_pending()
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
