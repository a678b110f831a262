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
import hashlib
import importlib.metadata as md
import inspect
import logging
import sys
import traceback
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from verifier import hookspecs
from verifier.checks import Check, Params
from verifier.errors import InputError
from verifier.inputs.yamlfile import did_you_mean

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


@dataclass(frozen=True)
class Selection:
    """A check name claimed by several plugins, settled by the operator's choice."""

    plugin: str
    """The plugin whose check is used (named by ``--prefer-plugin``)."""
    over: tuple[str, ...]
    """The other plugins that register a check of that name, not used in this run."""


@dataclass(frozen=True)
class LocalPlugin:
    """A ``.py`` file loaded as a plugin from ``--plugins-dir``, as the report records it."""

    path: Path
    """The file."""
    sha256: str
    """SHA-256 of the bytes that were run."""

    def to_json(self) -> dict[str, str]:
        """The report.json form (in ``run.settings.plugins_dir``)."""
        return {"file": str(self.path), "sha256": self.sha256}


@dataclass
class CheckRegistry:
    """Checks by name, with the problems met while registering them.

    A name is one check's. Claimed by several plugins (a third party's ``offering`` and
    the built-in, or two third parties), it is refused for all of them, each named,
    whatever order they load in, unless the operator chose one of them (``preferred``,
    ``--prefer-plugin``): that one is used, and the choice is recorded.
    """

    checks: dict[str, CheckInfo] = field(default_factory=dict)
    """Usable checks by name."""
    problems: list[LoadProblem] = field(default_factory=list)
    """Load failures and refused registrations."""
    preferred: frozenset[str] = frozenset()
    """Plugins chosen by the operator where they claim a taken check name."""
    local_plugins: tuple[LocalPlugin, ...] = ()
    """Files loaded from ``--plugins-dir``."""
    selected: dict[str, Selection] = field(default_factory=dict)
    """Check names several plugins claim, settled by ``preferred``."""
    plugin_names: frozenset[str] = frozenset()
    """Every registered plugin, for the messages about a policy's ``plugin:``."""
    _conflicts: dict[str, str] = field(default_factory=dict)
    _claims: dict[str, list[CheckInfo]] = field(default_factory=dict)
    _refusals: dict[str, LoadProblem] = field(default_factory=dict)

    def add(self, check: object, info: PluginInfo) -> None:
        """Register ``check`` on behalf of the plugin ``info``; refuse invalid ones."""
        name = getattr(check, "name", None)
        problem = _invalid_check(check)
        if problem:
            self.problems.append(LoadProblem(info.name, info.dist, problem, name))
            return
        assert isinstance(check, Check)
        assert isinstance(name, str)
        self._claims.setdefault(name, []).append(
            CheckInfo(check, info.name, info.dist, info.version)
        )
        self._settle(name)

    def _settle(self, name: str) -> None:
        """Decide who has ``name`` from every claim so far: the order plugins load in
        (which depends on the environment) never decides."""
        claims = self._claims[name]
        old = self._refusals.pop(name, None)
        if old is not None:
            self.problems.remove(old)
        for table in (self.checks, self._conflicts, self.selected):
            table.pop(name, None)
        chosen = [c for c in claims if c.plugin in self.preferred]
        if len(claims) == 1:
            self.checks[name] = claims[0]
            return
        if len(chosen) == 1:
            self.checks[name] = chosen[0]
            self.selected[name] = Selection(
                chosen[0].plugin, tuple(c.plugin for c in claims if c is not chosen[0])
            )
            return
        who = [f"{c.plugin!r} ({c.distribution or 'no distribution'})" for c in claims]
        count = "two" if len(who) == 2 else str(len(who))
        named = f"{', '.join(who[:-1])} and {who[-1]}"
        if chosen:
            todo = "--prefer-plugin names more than one of them: name one"
        else:
            todo = (
                "uninstall one of them, choose one for this run with --prefer-plugin PLUGIN, "
                "or name one in the policy's requirement with 'plugin: PLUGIN'"
            )
        reason = f"check {name!r} is registered by {count} plugins: {named}; {todo}"
        self._conflicts[name] = reason
        last = claims[-1]
        refusal = LoadProblem(last.plugin, last.distribution, reason, name)
        self._refusals[name] = refusal
        self.problems.append(refusal)

    def resolve(self, name: str, plugin: str | None = None) -> CheckInfo | None:
        """The check a requirement runs: ``plugin``'s check ``name`` when the policy names
        the plugin (its explicit choice wins over ``--prefer-plugin``, being the more
        specific), else the one check of that name; ``None`` when there is none
        (:meth:`why_missing` says why)."""
        if plugin is None:
            return self.checks.get(name)
        for claim in self._claims.get(name, ()):
            if claim.plugin == plugin:
                return claim
        return None

    def selected_by(self, name: str, plugin: str | None = None) -> str | None:
        """Who chose the plugin whose check ``name`` runs, as report.json records it in
        ``requirements[].plugin.selected_by``: ``"policy"`` (its ``plugin:`` field),
        ``"prefer-plugin"`` (the operator's option, where several plugins claim the name),
        or ``None`` (the name is one plugin's)."""
        if plugin is not None:
            return "policy"
        return "prefer-plugin" if name in self.selected else None

    def run_record(self) -> dict[str, Any]:
        """What the operator chose about plugins, for report.json's ``run.settings``:
        ``plugins_dir`` (each file and its SHA-256), ``prefer_plugin`` and
        ``selected_checks`` (each name several plugins claim, and whose check ran).
        Empty when the run used installed plugins only and chose none."""
        out: dict[str, Any] = {}
        if self.local_plugins:
            out["plugins_dir"] = [p.to_json() for p in self.local_plugins]
        if self.preferred:
            out["prefer_plugin"] = sorted(self.preferred)
        if self.selected:
            out["selected_checks"] = {
                name: {"plugin": s.plugin, "over": list(s.over)}
                for name, s in sorted(self.selected.items())
            }
        return out

    def why_missing(self, name: str, plugin: str | None = None) -> str:
        """The reason a requirement's check is unavailable, for its ``error`` outcome and
        for the policy's problem; ``plugin`` is the plugin the policy names, if any."""
        if plugin is not None:
            return self._why_not_from(name, plugin)
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
        close = did_you_mean(name, self.checks)
        if close.startswith("did you mean"):  # not the list of every check: a typo's hint
            hint += f"; {close}"
        return f"no plugin provides check {name!r}{hint}"

    def _why_not_from(self, name: str, plugin: str) -> str:
        """Why the policy's ``plugin:`` gives no check ``name``."""
        if plugin not in self.plugin_names:
            return (
                f"no plugin named {plugin!r} is installed; "
                f"{did_you_mean(plugin, self.plugin_names)} ('finops-verify plugins' lists them)"
            )
        related = [p for p in self.problems if p.check == name and p.plugin == plugin]
        if related and name not in self._conflicts:
            return f"plugin {plugin!r} registers check {name!r}, refused: {related[0].message}"
        own = {c for c, claims in self._claims.items() if any(i.plugin == plugin for i in claims)}
        providers = sorted(c.plugin for c in self._claims.get(name, ()))
        hint = (
            f"check {name!r} is provided by {', '.join(repr(p) for p in providers)}"
            if providers
            else did_you_mean(name, own)
        )
        return f"plugin {plugin!r} provides no check {name!r}; {hint}"


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
        self._preferred: frozenset[str] = frozenset()
        self._local: list[LocalPlugin] = []

    def prefer(self, plugins: Iterable[str]) -> None:
        """Use the checks of ``plugins`` where another plugin claims the same name
        (``--prefer-plugin``); a name no registered plugin has is an :class:`InputError`."""
        names = tuple(plugins)
        known = self._plugin_names()
        for name in names:
            if name not in known:
                raise InputError(
                    f"--prefer-plugin {name!r}: no plugin of that name is installed; "
                    f"{did_you_mean(name, known)} ('finops-verify plugins' lists them)"
                )
        self._preferred = self._preferred | frozenset(names)
        self._catalogue = None

    def load_plugins_dir(self, folder: Path) -> list[LocalPlugin]:
        """Load every ``.py`` file of ``folder`` as a plugin (``--plugins-dir``, for a quick
        check before packaging), named by its file name; returns what it loaded.

        The operator asked for these files: one that cannot be loaded (a syntax error, an
        exception while importing it) is an :class:`InputError` naming the file and line,
        not a load problem that leaves the run going without it.
        """
        files = sorted(p for p in folder.iterdir() if p.suffix == ".py" and p.is_file())
        if not files:
            raise InputError(
                f"--plugins-dir {folder}: no .py file in it; put your plugin module (a .py "
                "file with @hookimpl functions) there"
            )
        loaded = []
        for file in files:
            module, digest = _run_file(file)
            if file.name in self._info or self._pm.has_plugin(file.name):
                raise InputError(
                    f"{file}: a plugin named {file.name!r} is loaded already; rename the file"
                )
            self.register(module, name=file.name)
            loaded.append(LocalPlugin(file.resolve(), digest))
        self._local += loaded
        self.check_pending()
        return loaded

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

    def _plugin_names(self) -> set[str]:
        return {n for n, _ in self._pm.list_name_plugin() if n is not None}

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
            registry = CheckRegistry(
                problems=problems,
                preferred=self._preferred,
                local_plugins=tuple(self._local),
                plugin_names=frozenset(self._plugin_names()),
            )
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
        names = self._plugin_names()
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


def _run_file(file: Path) -> tuple[types.ModuleType, str]:
    """Run ``file`` as a new module; the bytes run are the bytes hashed (read once).

    Its errors are the author's to fix: an :class:`InputError` with the file and line."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    todo = "fix it, or move it out of the --plugins-dir folder"
    try:
        code = compile(data, str(file), "exec")
    except SyntaxError as exc:
        raise InputError(f"{file}:{exc.lineno}: syntax error: {exc.msg}; {todo}") from None
    except ValueError as exc:  # NUL bytes in the source
        raise InputError(f"{file}: not Python source ({exc}); {todo}") from None
    # A module of its own, in sys.modules while it runs, as an import would make it: pydantic
    # resolves a Params model's annotations through it. Unique per file's content.
    name = f"_finops_verifier_plugins_dir.{file.stem}_{digest[:12]}"
    module = types.ModuleType(name)
    module.__file__ = str(file)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)  # the operator asked for this file to run
    except Exception as exc:
        del sys.modules[name]
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(file)]
        line = f":{frames[-1].lineno}" if frames else ""
        raise InputError(
            f"{file}{line}: loading it raised {type(exc).__name__}: {exc}; {todo}"
        ) from None
    return module, digest


def build_host(
    *,
    entry_points: bool = True,
    plugins: Iterable[object] = (),
    plugins_dirs: Iterable[Path] = (),
    prefer: Iterable[str] = (),
) -> PluginHost:
    """Build a fresh plugin host.

    :param entry_points: load every plugin of the ``finops_verifier`` entry-point group
        (the built-ins are among them).
    :param plugins: further plugin objects to register directly (tests).
    :param plugins_dirs: folders whose ``.py`` files are loaded as plugins
        (:meth:`PluginHost.load_plugins_dir`).
    :param prefer: plugins whose checks win where another claims the same name
        (:meth:`PluginHost.prefer`).
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
    for folder in plugins_dirs:
        host.load_plugins_dir(folder)
    host.prefer(prefer)
    return host


@dataclass(frozen=True)
class HostRecipe:
    """How a plugin host was built (:func:`build_host` with these arguments), so that
    another process can build the same one: a worker of a re-check
    (:mod:`verifier.run.pool`). Paths are as given, from the same working folder."""

    plugins_dirs: tuple[Path, ...] = ()
    """``--plugins-dir`` folders."""
    prefer: tuple[str, ...] = ()
    """``--prefer-plugin`` names."""

    def build(self) -> PluginHost:
        """A new host, built as the recipe says."""
        return build_host(plugins_dirs=self.plugins_dirs, prefer=self.prefer)


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
