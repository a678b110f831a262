"""``finops-verify schema NAME``: print the JSON Schema of one file.

Attached to the ``finops-verify`` group by :mod:`verifier.cli.main`.
"""

from __future__ import annotations

import click

from verifier.errors import InputError
from verifier.inputs.yamlfile import did_you_mean
from verifier.schemas import NAMES, render


@click.command("schema")
@click.argument("name", metavar="NAME")
def schema(name: str) -> None:
    """Print the JSON Schema of a file: NAME is submission, sources, policy, roster, report
    (report.json) or recheck (recheck.json).

    The same schemas are in the repository's schemas/ folder. An editor with the YAML
    language server completes and checks a submission whose first line is
    "# yaml-language-server: $schema=submission.schema.json" (the path of the file).

    \b
    Example:
      finops-verify schema submission > submission.schema.json
    """
    if name not in NAMES:
        hint = did_you_mean(name, NAMES)
        if not hint.startswith("known"):
            hint += f" (known: {', '.join(NAMES)})"
        raise InputError(f"no schema {name!r}; {hint}")
    # The text of schemas/<name>.schema.json byte for byte (tests/test_schemas.py).
    click.echo(render(name), nl=False)
