"""``finops-verify plugins new NAME``: write a complete plugin package from templates.

The templates are package data (``verifier/templates/plugin/``, shipped in the wheel). A
file's path is rendered like its text: the folder ``PACKAGE`` becomes the Python package,
``NAME`` the plugin's name; a ``.j2`` file is a Jinja2 template (the suffix is dropped),
any other file is copied as it is. What is written::

    finops-verifier-NAME/
      pyproject.toml               the finops_verifier entry point, hatchling, pytest options
      README.md
      finops_verifier_NAME/__init__.py            the check, its Params, both hooks
      finops_verifier_NAME/policies/NAME.yaml     a policy, via register_policy_dirs
      tests/test_finops_verifier_NAME.py          tests through verifier.testing
      tests/sites/...                             the pages those tests serve

NAME is validated here (it names the check, the entry point, the distribution and the
package, so it must suit all four), and a folder that holds anything is never written to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2

from verifier.errors import InputError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
"""A plugin name: lowercase words of letters and digits joined by single hyphens."""
MAX_NAME = 40
"""The longest plugin name (it is repeated in the distribution and package names)."""
PROGRAM = "2025"
"""The program version of the policy a new plugin ships (the current one)."""


@dataclass(frozen=True)
class PluginNames:
    """Every name a new plugin derives from NAME."""

    name: str
    """The check's name and the entry point's, e.g. ``repo-licence``."""
    dist: str
    """The distribution (``pip install``), e.g. ``finops-verifier-repo-licence``."""
    package: str
    """The Python package, e.g. ``finops_verifier_repo_licence``."""
    camel: str
    """The prefix of its class names, e.g. ``RepoLicence``."""

    @classmethod
    def of(cls, name: str) -> PluginNames:
        """The names of plugin ``name``; an :class:`InputError` saying what a name may be."""
        if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME:
            raise InputError(
                f"plugin name {name!r}: use lowercase letters and digits, in words joined by "
                f"single hyphens, starting with a letter, at most {MAX_NAME} characters "
                "(e.g. 'repo-licence'); it names the check, the entry point, the "
                "distribution finops-verifier-NAME and the package finops_verifier_NAME"
            )
        snake = name.replace("-", "_")
        return cls(
            name=name,
            dist=f"finops-verifier-{name}",
            package=f"finops_verifier_{snake}",
            camel="".join(part.capitalize() for part in name.split("-")),
        )


def default_folder(name: str) -> Path:
    """Where ``plugins new NAME`` writes without ``--dir``: ``./finops-verifier-NAME``."""
    return Path(f"finops-verifier-{name}")


def new_plugin(name: str, folder: Path) -> list[Path]:
    """Write the plugin ``name`` into ``folder`` (created; it must be absent or empty).

    :return: the files written, in order.
    :raises InputError: for a bad name, or a folder that is a file or holds anything.
    """
    names = PluginNames.of(name)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file; give --dir a folder that does not exist yet")
    if folder.is_dir() and any(folder.iterdir()):
        raise InputError(
            f"{folder}: the folder is not empty, and a new plugin never overwrites anything; "
            "give --dir a new or empty folder"
        )
    context = {
        "name": names.name,
        "dist": names.dist,
        "package": names.package,
        "snake": names.package,
        "camel": names.camel,
        "title": f"{names.camel} check",
        "program": PROGRAM,
        "policy_id": f"{names.name}-{PROGRAM}",
    }
    # Names are validated above and the output is code, not HTML: nothing to escape.
    env = jinja2.Environment(
        autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    written = []
    for relative, source in _templates(resources.files("verifier") / "templates" / "plugin"):
        parts = [
            part.replace("PACKAGE", names.package).replace("NAME", names.name) for part in relative
        ]
        target = folder.joinpath(*parts)
        data = source.read_bytes()
        if target.suffix == ".j2":
            target = target.with_suffix("")
            data = env.from_string(data.decode("utf-8")).render(context).encode("utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def _templates(
    root: Traversable, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Traversable]]:
    """Every file below ``root`` with its path parts, sorted (caches left out)."""
    found: list[tuple[tuple[str, ...], Traversable]] = []
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            found += _templates(item, (*prefix, item.name))
        else:
            found.append(((*prefix, item.name), item))
    return found
