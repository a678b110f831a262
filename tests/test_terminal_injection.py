"""No string from a file or a page reaches the operator's terminal as a control sequence
or as rich markup, in any command.

Each command runs in a subprocess, as an operator runs it, with rich forced to behave as
on a colour terminal (FORCE_COLOR, a wide COLUMNS), and the RAW BYTES it writes to stdout
and stderr are inspected. The input carries an OSC 52 clipboard write, an OSC 0 window
title, a device-status query (CSI 6n), a C1 CSI (U+009B), BEL, a carriage return, a
right-to-left override, and rich markup for a hyperlink. What the tool itself writes is
only SGR colours and cursor moves (``ESC [ ... letter``); anything else is a leak.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import FIXTURES, offline_args
from verifier.bundle.check import write_manifest
from verifier.bundle.store import dump_json
from verifier.report import DEFAULT_FORMATS, write_derived
from verifier.sites import SiteServer

OSC52 = "\x1b]52;c;aGFja2Vk\x07"
"""Writes "hacked" to the operator's clipboard."""
PAYLOAD = OSC52 + "\x1b]0;pwned\x1b\\" + "\x1b[6n" + "\x9b2J" + "\r" + "\u202e"
"""Every kind of control an input may carry."""
MARKUP = "[link=https://phish.example/]click[/link]"
"""Rich markup that would become an OSC 8 terminal hyperlink."""

_OURS = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def run_cli(*args: str, pythonpath: Path | None = None) -> tuple[int, bytes]:
    """Run ``finops-verify ARGS`` as an operator would; its exit code and raw output."""
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "400", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(pythonpath), env.get("PYTHONPATH")) if p
        )
    proc = subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout + b"\n" + proc.stderr


def assert_no_control_from_input(raw: bytes) -> str:
    """Assert that only the tool's own SGR and cursor codes are in ``raw``; return the
    text without them."""
    assert b"\x1b[6n" not in raw, "the input's device-status query reached the terminal"
    rest = _OURS.sub(b"", raw)
    assert b"\x1b" not in rest, "an escape sequence from the input reached the terminal"
    assert b"\x07" not in raw, "BEL reached the terminal"
    # rich's progress bar returns to the line start only before a cursor code of its own.
    assert b"\r" not in re.sub(rb"\r(?=\x1b\[)", b"", raw), "a carriage return leaked"
    text = rest.decode("utf-8")
    c1 = re.findall("[\x80-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert not c1, f"C1 or bidirectional controls reached the terminal: {c1!r}"
    return text


def assert_markup_shown_as_text(text: str, markup: str = MARKUP) -> None:
    """The markup is printed as written, not read (no OSC 8, checked above, and the
    brackets are there)."""
    assert markup in text


def assert_payload_visible(text: str) -> None:
    """The controls were made visible, not dropped: a person sees something was there."""
    assert "␛]52;c;aGFja2Vk␇" in text
    assert "␛[6n" in text
    assert "\\u009b2J" in text
    assert "\\u202e" in text
    assert "␍" in text


def _dump(data: Any, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundle(sites: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report directory verified from a submission whose name and group are hostile."""
    root = tmp_path_factory.mktemp("hostile-run")
    data = yaml.safe_load((FIXTURES / "demo" / "platform.yaml").read_text())
    data["applicant"]["name"] = f"Acme {MARKUP} {PAYLOAD}"
    data["community"][1]["group"] = f"FOCUS {PAYLOAD} {MARKUP} WG"
    sub = _dump(data, root / "submission.yaml")
    out = root / "out"
    code, raw = run_cli("verify", str(sub), "--out", str(out), *offline_args(sites))
    assert code in (1, 3), raw.decode("utf-8", "replace")
    (root / "verify-output").write_bytes(raw)
    return out


@pytest.fixture
def own_bundle(bundle: Path, tmp_path: Path) -> Path:
    """A copy of :func:`bundle` that a test may alter."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    return copy


def test_verify_summary_shows_a_hostile_name_and_group_escaped_never_as_codes_or_markup(
    bundle: Path,
) -> None:
    raw = (bundle.parent / "verify-output").read_bytes()
    text = assert_no_control_from_input(raw)
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)
    assert "FOCUS ␛]52;c;aGFja2Vk␇" in text  # the community summary names the group
    assert "Verifying Acme [link=https://phish.example/]" in text  # the progress bar


def test_verify_error_messages_show_a_hostile_field_and_value_escaped(tmp_path: Path) -> None:
    sub = _dump(
        {
            "tier": "platform",
            "applicant": {
                "name": "Acme",
                "website": f"ftp://{PAYLOAD}",
                f"{MARKUP}{PAYLOAD}": 1,
            },
        },
        tmp_path / "submission.yaml",
    )
    code, raw = run_cli("verify", str(sub), "--out", str(tmp_path / "out"))
    assert code == 2
    text = assert_no_control_from_input(raw)
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)
    assert "unknown field '[link=https://phish.example/]click[/link]␛]52;c;" in text


def test_review_with_an_osc_title_sequence_as_reviewer_is_shown_escaped(
    own_bundle: Path,
) -> None:
    copy = own_bundle
    code, raw = run_cli(
        "review",
        str(copy),
        "--requirement",
        "community",
        "--decision",
        "pass",
        "--reviewer",
        "\x1b]0;x\x07",
        "--reason",
        f"minutes {PAYLOAD} {MARKUP}",
    )
    assert code == 0, raw.decode("utf-8", "replace")
    text = assert_no_control_from_input(raw)
    assert "by ␛]0;x␇ at" in text
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)
    # Click's own message, which quotes the refused value, is shown safe too.
    code, raw = run_cli("review", str(copy), "--requirement", "x", "--decision", OSC52)
    assert code == 2
    assert "]52;c;aGFja2Vk" in assert_no_control_from_input(raw)


def test_policies_show_and_lint_show_a_hostile_policy_file_escaped(tmp_path: Path) -> None:
    policy = _dump(
        {
            "id": "hostile",
            "program": "2022",
            "tier": "platform",
            "title": f"Title {MARKUP} {PAYLOAD}",
            "source": f"https://example.org/{PAYLOAD}",
            "requirements": [
                {
                    "id": "membership",
                    "text": f"Be a member {PAYLOAD} {MARKUP}",
                    "check": "membership",
                    "params": {"sources": [f"finops-members{PAYLOAD}"]},
                },
                {"id": "other", "text": "x", "check": f"nope{PAYLOAD}"},
            ],
        },
        tmp_path / "policy.yaml",
    )
    code, raw = run_cli("policies", "show", str(policy))
    assert code == 0, raw.decode("utf-8", "replace")
    text = assert_no_control_from_input(raw)
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)
    code, raw = run_cli("policies", "lint", str(policy))
    assert code == 2
    assert "nope" in assert_no_control_from_input(raw)


def _hostile_plugin(root: Path) -> Path:
    """A distribution on PYTHONPATH whose entry-point name, check description and import
    error carry the payload."""
    dist = root / "hostile_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hostile-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[finops_verifier]\nhostile = hostile_checks\nbroken{OSC52} = hostile_broken\n",
        encoding="utf-8",
    )
    (root / "hostile_broken.py").write_text(f"raise ImportError({PAYLOAD + MARKUP!r})\n")
    (root / "hostile_checks.py").write_text(
        "from verifier import Check, Outcome, Params, hookimpl\n"
        "class P(Params):\n    pass\n"
        "class HostileCheck(Check[P]):\n"
        "    name = 'hostile-check'\n"
        f"    version = {'1.0' + OSC52!r}\n"
        f"    description = {MARKUP + ' ' + PAYLOAD!r}\n"
        "    Params = P\n"
        "    async def verify(self, ctx):\n"
        "        return Outcome.passed('x')\n"
        "@hookimpl\n"
        "def register_checks(register):\n"
        "    register(HostileCheck())\n"
    )
    return root


def test_plugins_show_hostile_plugin_names_descriptions_and_errors_escaped(
    tmp_path: Path,
) -> None:
    code, raw = run_cli("plugins", pythonpath=_hostile_plugin(tmp_path / "site"))
    assert code == 1  # a plugin failed to load
    text = assert_no_control_from_input(raw)
    assert "hostile-check" in text
    assert "plugin broken␛]52;c;aGFja2Vk␇" in text
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)


HOSTILE_FILE = f"{OSC52}[link=x]click\x9b2J"
"""A file name a tampered bundle may hold (no "/" possible in a name)."""
LISTABLE_FILE = "[link=x]click\x9b2J\u202elmth.html"
"""One without C0 controls, which a manifest could list: reported as added, as it is."""


def test_bundle_check_shows_a_hostile_file_name_escaped(own_bundle: Path) -> None:
    copy = own_bundle
    (copy / HOSTILE_FILE).write_text("x")
    (copy / LISTABLE_FILE).write_text("x")
    code, raw = run_cli("bundle", "check", str(copy))
    assert code == 1
    text = assert_no_control_from_input(raw)
    assert "added:   [link=x]click\\u009b2J\\u202elmth.html" in text
    # A name SHA256SUMS cannot list is quoted by the bundle check itself (its repr).
    assert "\\x1b]52;c;aGFja2Vk\\x07[link=x]click\\x9b2J: a name that SHA256SUMS cannot" in text


def test_replay_shows_hostile_summaries_and_file_names_escaped(own_bundle: Path) -> None:
    # A recorded summary that the replay does not reproduce is printed: make one hostile,
    # derive the human reports from it as a writer would, and re-seal, so that the bundle
    # is intact and the replay runs.
    copy = own_bundle
    report = json.loads((copy / "report.json").read_text())
    report["requirements"][0]["summary"] = f"{PAYLOAD} {MARKUP}"
    write_derived(dump_json(report), copy, DEFAULT_FORMATS)
    write_manifest(copy)
    code, raw = run_cli("replay", str(copy))
    assert code == 1, raw.decode("utf-8", "replace")
    text = assert_no_control_from_input(raw)
    assert "DIFFERS membership" in text
    assert_payload_visible(text)
    assert_markup_shown_as_text(text)
    # An altered bundle is refused; the message names the hostile file, escaped.
    (copy / HOSTILE_FILE).write_text("x")
    code, raw = run_cli("replay", str(copy))
    assert code == 2
    assert "\\x1b]52;c;aGFja2Vk\\x07[link=x]click\\x9b2J" in assert_no_control_from_input(raw)


@pytest.mark.parametrize(
    ("given", "keep", "shown"),
    [
        pytest.param("a\x1b]52;c;x\x07b", "", "a␛]52;c;x␇b", id="C0 controls become pictures"),
        pytest.param("a\x7fb\x00", "", "a␡b␀", id="DEL and NUL too"),
        pytest.param("a\x9b2Jb", "", "a\\u009b2Jb", id="a C1 control becomes its escape"),
        pytest.param("abc\u202edef", "", "abc\\u202edef", id="a bidi override is escaped"),
        pytest.param("a\nb\r\n", "", "a␊b␍␊", id="a single value keeps no line break"),
        pytest.param("a\nb\r\n", "\n", "a\nb␍\n", id="a message keeps its line breaks only"),
        pytest.param("Ana Sá [b]x[/b]", "", "Ana Sá [b]x[/b]", id="text and brackets stay"),
        pytest.param(None, "", "", id="None is empty"),
    ],
)
def test_safe_text_makes_every_control_visible(given: object, keep: str, shown: str) -> None:
    from verifier.safetext import safe_text

    assert safe_text(given, keep=keep) == shown
