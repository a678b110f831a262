"""The names plugin authors import are the API: complete, sorted, documented."""

from __future__ import annotations

import inspect

import pytest

import verifier
from verifier import hookspecs


def test_all_is_sorted_and_complete() -> None:
    public = sorted(n for n in dir(verifier) if not n.startswith("_") or n == "__version__")
    # Submodules and the __future__ feature are attributes, not API.
    modules = {n for n in public if inspect.ismodule(getattr(verifier, n))} | {"annotations"}
    assert verifier.__all__ == sorted(verifier.__all__)
    assert set(verifier.__all__) == set(public) - modules


@pytest.mark.parametrize(
    "name", [n for n in verifier.__all__ if n not in ("__version__", "hookimpl")]
)
def test_every_exported_name_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(verifier, name))
    assert doc, f"verifier.{name} needs a docstring"
    assert len(doc) > 10, f"verifier.{name} needs a docstring"


def test_hookimpl_marks_implementations_of_this_project() -> None:
    assert verifier.hookimpl.project_name == hookspecs.PROJECT == "finops_verifier"


HOOKS = [
    n for n, f in vars(hookspecs).items() if inspect.isfunction(f) and n.startswith("register")
]


def test_hooks_are_few_and_verb_first() -> None:
    assert 2 <= len(HOOKS) <= 4
    assert all(n.split("_")[0] in {"register"} for n in HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_documents_when_it_fires_each_param_and_what_it_returns(hook: str) -> None:
    function = getattr(hookspecs, hook)
    doc = inspect.getdoc(function) or ""
    assert "Fires" in doc, f"{hook}: say when it fires"
    for param in inspect.signature(function).parameters:
        assert f":param {param}:" in doc, f"{hook}: document :param {param}:"
    assert ":return:" in doc, f"{hook}: say what it returns"
