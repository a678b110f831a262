"""Any string from a file or a page, made safe to show: on a terminal, in a report.

Submissions, policies, bundles and fetched pages are untrusted text. Shown raw on the
operator's terminal, an ``ESC ] 52`` sequence writes their clipboard, ``ESC ] 8`` makes a
hyperlink, ``ESC [ 2J`` clears the screen, a carriage return overwrites what was printed,
and a C1 control (U+009B is a one-character ``ESC [`` to many terminals) does the same
without any ESC. Bidirectional formatting characters reorder the text around them (a URL
shown reversed). :func:`safe_text` is the one helper that makes all of these visible, for
every command's output (rich markup is a separate matter: print the result as
``rich.text.Text``, or through ``rich.markup.escape``, never as a markup string).
"""

from __future__ import annotations

import re

_C0 = re.compile(r"[\x00-\x1f\x7f]")
# C1 controls; lone surrogates (which cannot be encoded); bidirectional embeddings,
# overrides, isolates and marks (invisible, yet they reorder the text around them); line
# and paragraph separators (a line break to some terminals and editors).
_ESCAPED = re.compile(
    "[\x80-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]"
)


def safe_text(value: object, *, keep: str = "") -> str:
    """``value`` as printable text: each C0 control and DEL becomes its Unicode picture
    (ESC shows as ␛, NUL as ␀, DEL as ␡); each C1 control, lone surrogate, bidirectional
    formatting character and line or paragraph separator its ``\\uXXXX`` escape. Nothing
    is dropped, so a person sees that something was there. ``None`` is ``""``.

    :param keep: C0 characters to leave as they are: ``"\\n"`` for a multi-line message
        whose line breaks are ours. A single value (a name, a URL) keeps none, so it
        cannot start a line that looks like the tool's own.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _C0.sub(lambda m: m.group() if m.group() in keep else _picture(m.group()), text)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _picture(char: str) -> str:
    return "␡" if char == "\x7f" else chr(0x2400 + ord(char))
