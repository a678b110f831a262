"""CSS declarations as a browser reads them, and which of them hide an element.

:func:`parse_declarations` reads ``prop: value; ...`` with comments dropped anywhere and
escapes replaced (CSS Syntax §4.3.7); :func:`hiding_declaration` says which declaration
hides the element (the thresholds are listed in :mod:`verifier.fetch.visibility`).
Used for inline ``style`` attributes and for the rules of a page's stylesheets
(:mod:`verifier.fetch.stylesheets`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# --- inline and stylesheet declarations -------------------------------------------------

# --- CSS text: comments and escapes (CSS Syntax §4.3.7) ---------------------------------

COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([^\n\r\f]))")


def _code_point(m: re.Match[str]) -> str:
    if m.group(2) is not None:
        return m.group(2)
    n = int(m.group(1), 16)
    return chr(n) if 0 < n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else "\ufffd"


def unescape(text: str) -> str:
    """``text`` with its CSS escapes replaced by what they stand for (``\\64isplay`` ->
    ``display``, ``n\\one`` -> ``none``): a hex escape of up to 6 digits and one optional
    white space, or the escaped character."""
    return _ESCAPE.sub(_code_point, text) if "\\" in text else text


def canonical(sheet: str) -> str:
    """Every escape of ``sheet`` as six hex digits with no white space after it, so that
    no escaped character (a space, ``{``, ``.``) reads as syntax and :func:`unescape`
    still reads it (``.\\70 romo`` -> ``.\\000070romo``)."""
    if "\\" not in sheet:
        return sheet
    return _ESCAPE.sub(lambda m: f"\\{ord(_code_point(m)):06x}", sheet)


def parse_declarations(text: str) -> dict[str, str]:
    """``prop: value; ...`` as a mapping of lower-case properties to lower-case values,
    read as CSS reads them: comments dropped, escapes replaced, ``!important`` dropped, a
    later declaration winning."""
    out: dict[str, str] = {}
    for part in COMMENT.sub("", canonical(text)).split(";"):
        prop, sep, value = part.partition(":")
        if sep:
            value = unescape(value).lower().replace("!important", "")
            out[unescape(prop).strip().lower()] = " ".join(value.split())
    return out


# The number is written `\d*\.\d+|\d+` (the same numbers as `\d*\.?\d+`): the latter
# tries every split of a run of digits between its two `\d`, so a value of 16,000 digits
# and a stray character took 32 s, with no deadline for an inline style or a kept sheet.
_LENGTH = re.compile(r"^(?:calc\(\s*)?([-+]?(?:\d*\.\d+|\d+)(?:e[-+]?\d+)?)\s*([a-z%]*)(?:\s*\))?$")
_FAR_PX = -999.0
"""Offsets (px, em, rem or no unit) at or beyond which a box is off the screen."""
_FAR_VIEW = -100.0
"""Offsets in ``vw``, ``vh``, ``vmin`` or ``vmax`` at or beyond which it is."""
_FAR_PERCENT = -1000.0
"""Offsets in ``%`` at or beyond which it is: ten times its container (a box moved by
its own or its container's size may still be on the screen)."""
_FAINT = 0.05
"""Opacity, alpha, ``scale()`` and ``zoom`` at or below which nothing shows (5 % too)."""


def _number(value: str) -> tuple[float, str] | None:
    """``-12.5px`` as ``(-12.5, "px")``; also ``calc(0px)``, a literal in ``calc()``
    (no arithmetic: a calculation is not read, and hides nothing here)."""
    m = _LENGTH.match(value.strip())
    if m is None or (value.strip().startswith("calc(") != value.strip().endswith(")")):
        return None
    return float(m.group(1)), m.group(2)


def _tiny_font(value: str) -> bool:
    n = _number(value)
    if n is None:
        return False
    size, unit = n
    limits = {"px": 3.0, "pt": 3.0, "em": 0.2, "rem": 0.2, "%": 20.0, "": 0.5}
    limits.update(dict.fromkeys(("vw", "vh", "vmin", "vmax"), 0.3))  # 3px on a 1000px screen
    return size <= 0 or size < limits.get(unit, 0.0)


def _far(value: str) -> bool:
    """An offset that moves a box off the screen: any of the lengths in ``value``."""
    for part in value.replace(",", " ").split():
        n = _number(part)
        if n is not None and (
            (n[0] <= _FAR_PX and n[1] in ("px", "em", "rem", ""))
            or (n[0] <= _FAR_VIEW and n[1] in ("vw", "vh", "vmin", "vmax"))
            or (n[0] <= _FAR_PERCENT and n[1] == "%")
        ):
            return True
    return False


def _faint(value: str) -> bool:
    """An opacity (``0``, ``3%``) at or below :data:`_FAINT`."""
    n = _number(value)
    return n is not None and n[1] in ("", "%") and n[0] <= _FAINT * (100 if n[1] else 1)


def _zero(value: str) -> bool:
    n = _number(value)
    return n is not None and n[0] <= (1.0 if n[1] == "px" else 0.0)


_TRANSLATE = ("translate", "translatex", "translatey", "translate3d")
_COLOURS = ("rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color")
# A function name starts where no name character is before it: tried again from inside a
# name, as the same name's tail, it matched nothing more but read to the end of the value
# each time (`aaa...(bbb...`, 16 KiB: 4 s).
_FUNCTION = re.compile(r"(?<![a-z-])([a-z-]+)\(([^()]*)\)")


def _functions(value: str, *names: str) -> Iterable[list[str]]:
    """The arguments of every ``name(...)`` in ``value``, split on commas and spaces."""
    for m in _FUNCTION.finditer(value):
        if m.group(1) in names:
            yield m.group(2).replace(",", " ").replace("/", " / ").split()


def _transparent(value: str) -> bool:
    """A colour no one sees: ``transparent``, ``#0000``, ``#rrggbb00``, or a colour
    function whose alpha (after ``/`` or as its fourth argument) is faint."""
    if value == "transparent":
        return True
    if re.fullmatch(r"#[0-9a-f]{3}0|#[0-9a-f]{6}0{2}", value):
        return True
    for args in _functions(value, *_COLOURS):
        alpha = args[-1] if "/" in args else args[3] if len(args) == 4 else None
        if alpha is not None and _faint(alpha):
            return True
    return False


def _moved_off(value: str) -> bool:
    """``transform`` translating a box off the screen."""
    return any(_far(" ".join(a)) for a in _functions(value, *_TRANSLATE))


def _vanishing(factor: str) -> bool:
    """A scale factor (``0.001``, ``-0``, ``1%``) of :data:`_FAINT` or less in size."""
    return _faint(factor.removeprefix("-"))


def _shrunk(value: str) -> bool:
    """``transform`` scaling a box to nothing in any direction."""
    return any(
        _vanishing(a)
        for args in _functions(value, "scale", "scalex", "scaley", "scale3d")
        for a in args
    )


def _degenerate_polygon(value: str) -> bool:
    """``clip-path: polygon(...)`` enclosing no area (all its points on one line)."""
    for args in _functions(value, "polygon"):
        if args and args[0] in ("nonzero", "evenodd"):
            args = args[1:]
        coords = [n for a in args if (n := _number(a)) is not None]
        if not coords or len(coords) < len(args) or len(coords) % 2:
            return False  # not a polygon a browser draws
        if len({unit for _, unit in coords if unit}) > 1:
            return False  # mixed units: no area to compute
        xs, ys = [c[0] for c in coords[0::2]], [c[0] for c in coords[1::2]]
        area = sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(xs)))
        return abs(area) < 1e-9
    return False


def _clip_path(value: str) -> bool:
    """``clip-path`` leaving nothing: ``inset(50%)``, ``circle(0)``, a flat polygon."""
    closed = re.match(r"(inset\(\s*(50|100)%|circle\(\s*0)", value)
    return closed is not None or _degenerate_polygon(value)


def _painted_through(decls: dict[str, str]) -> bool:
    """Transparent text that still shows: a background clipped to the text (gradient
    headings) or an outline drawn around it."""
    clip = decls.get("background-clip", "") + decls.get("-webkit-background-clip", "")
    background = decls.get("background", "") + decls.get("background-image", "")
    stroke = decls.get("-webkit-text-stroke", "") + decls.get("-webkit-text-stroke-width", "")
    return ("text" in clip and ("gradient" in background or "url(" in background)) or any(
        (n := _number(p)) is not None and n[0] > 0 for p in stroke.split()
    )


def _overflow(decls: dict[str, str], axis: str) -> str | None:
    """The overflow that clips ``axis`` (``x`` or ``y``), or ``None`` if it shows."""
    both = decls.get("overflow", "").split()
    value = decls.get(f"overflow-{axis}") or (
        both[0 if axis == "x" or len(both) == 1 else 1] if both else ""
    )
    return value if value in ("hidden", "clip", "auto", "scroll") else None


_HIDES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("display", lambda v: v == "none"),
    ("visibility", lambda v: v in ("hidden", "collapse")),
    ("content-visibility", lambda v: v == "hidden"),
    ("opacity", _faint),
    ("filter", lambda v: any(_faint(a[0]) for a in _functions(v, "opacity") if a)),
    ("font-size", _tiny_font),
    ("zoom", _faint),
    ("text-indent", _far),
    ("left", _far),
    ("top", _far),
    ("right", _far),
    ("bottom", _far),
    ("inset", _far),
    ("margin", _far),
    ("margin-left", _far),
    ("margin-top", _far),
    ("margin-right", _far),
    ("margin-bottom", _far),
    ("translate", _far),
    ("transform", lambda v: _moved_off(v) or _shrunk(v)),
    ("scale", lambda v: any(_vanishing(p) for p in v.split())),
    ("clip", lambda v: v.replace(" ", "").startswith("rect(0")),
    ("clip-path", _clip_path),
)


def hiding_declaration(decls: dict[str, str]) -> str | None:
    """The declaration that hides an element (``display:none``), or ``None``; the
    thresholds are in the module docstring."""
    for prop, hides in _HIDES:
        value = decls.get(prop)
        if value is not None and hides(value):
            return f"{prop}:{value}"
    for prop in ("color", "-webkit-text-fill-color"):
        value = decls.get(prop)
        if value is not None and _transparent(value) and not _painted_through(decls):
            return f"{prop}:{value}"
    for prop, axis in (("width", "x"), ("max-width", "x"), ("height", "y"), ("max-height", "y")):
        value, overflow = decls.get(prop), _overflow(decls, axis)
        if value is not None and overflow is not None and _zero(value):
            return f"{prop}:{value} with overflow:{overflow}"
    return None
