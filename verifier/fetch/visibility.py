"""What a visitor sees of a page: its visible text and links, and what it hides.

An applicant controls their own pages, so text a visitor never sees must not count as
evidence: ``<div style="display:none">Pricing, free trial</div>`` on a page that says
"internal prototype" is not an offering for sale. :func:`view_of` walks a parsed page
once, in document order, and sorts every string and link into *visible* or *hidden*,
with the reason it is hidden:

- the ``hidden`` attribute, ``aria-hidden="true"``, a ``popover``, a ``<template>``, a
  closed ``<dialog>``;
- content a browser does not show as text: the fallback of ``<canvas>``, ``<video>``,
  ``<audio>``, ``<object data>``, the inside of ``<iframe>``, ``<noembed>``,
  ``<noframes>``, ``<datalist>``, an SVG's ``<defs>`` and ``<symbol>`` (but what a
  ``<use>`` shows), ``<desc>``, ``<title>``, ``<metadata>``;
- an inline ``style`` that hides (:func:`hiding_declaration`), read as CSS reads it
  (comments anywhere, escapes replaced, :func:`parse_declarations`), with these
  thresholds: ``display:none``; ``visibility:hidden|collapse``;
  ``content-visibility:hidden``; ``opacity``, ``filter:opacity()``, ``zoom``, any factor
  of ``scale()``/``scale`` and a colour's alpha at or below 0.05 (5 %); ``font-size`` at
  or below 0, under 3px/3pt, 0.2em/rem, 20 %, 0.3vw/vh/vmin/vmax; ``left``, ``top``,
  ``right``, ``bottom``, ``inset``, ``margin*``, ``text-indent``, ``translate`` and
  ``transform: translate*()`` at or beyond -999px/em/rem, -100vw/vh/vmin/vmax or -1000 %;
  ``width``/``height`` (or their ``max-``) at most 1px where the overflow of that axis
  clips (``hidden``, ``clip``, ``auto``, ``scroll``); ``clip:rect(0...``; ``clip-path``
  ``inset(50%|100%)``, ``circle(0)`` or a ``polygon()`` of no area; a transparent
  ``color`` or ``-webkit-text-fill-color`` (``transparent``, ``#0000``, ``#rrggbb00``,
  ``rgba(...,0)``, ``hsl(... / 0)``) unless a background clipped to the text or a text
  stroke paints it. A literal ``calc(0px)`` is read; no other arithmetic.
- a rule of the page's stylesheets that hides an element by tag, class, id or attribute
  (:class:`StyleRules`): its ``<style>`` elements, ``<link rel="stylesheet">`` given as
  a ``data:`` URL and ``@import`` of ``data:`` URLs (at most 1 MiB of ``data:`` CSS,
  :func:`stylesheets`). Rules are read generously (the subject of a complex selector,
  rules inside ``@media`` queries other than print): reading too much as hidden costs a
  person's review, reading too little would let hidden text pass. An element with more
  than 256 hiding rules filed under its classes, id and tag is read as hidden, so the
  work per element stays bounded.
- an ``<a href>`` with no text and no image shows nothing to click.

Scripts, styles, ``<noscript>``, the ``<head>`` (but its title), comments and other
markup are not text at all, as before. Stylesheets linked from other files are not
fetched: what they hide is read as visible (a known limit, in the README).

The walk is linear in the page: each element's state is derived from its parent's, which
the document order has already visited (a walk up ``.parents`` for every string is
quadratic, and 45,000 nested ``<div>`` took 80 s that way).
"""

from __future__ import annotations

import base64
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_to_bytes

import httpx
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

from verifier.fetch.bounded import Overtime

IGNORED = frozenset({"script", "style", "noscript", "head"})
"""Elements whose content is not text a reader sees, hidden or not (title taken apart)."""


@dataclass(frozen=True)
class Hidden:
    """A passage of a page that a visitor does not see."""

    text: str
    """Its text, whitespace collapsed."""
    reason: str
    """Why it is hidden, as a phrase (``display:none in its style attribute``)."""


@dataclass(frozen=True)
class Link:
    """An ``<a href>`` of a page."""

    href: str
    """The link's target, made absolute against the page's final URL."""
    text: str
    """Its text (or the ``alt`` of an image in it), whitespace collapsed."""
    hidden: str | None
    """``None`` for a link a visitor sees, else why it is hidden."""


@dataclass(frozen=True)
class PageView:
    """A page as a visitor sees it (see the module docstring)."""

    visible_text: str
    """The title and visible text, whitespace collapsed."""
    hidden: tuple[Hidden, ...]
    """The hidden passages, one per outermost hidden element with text, in order."""
    links: tuple[Link, ...]
    """Every ``<a href>`` with a valid target, visible or not, in order."""
    reasons: dict[int, str] = field(repr=False)
    """``id(tag)`` of every hidden element -> why; see :meth:`hidden_reason`."""

    def hidden_reason(self, tag: Tag) -> str | None:
        """Why ``tag`` (or an element around it) is hidden from visitors; ``None`` if seen."""
        return self.reasons.get(id(tag))


# --- inline and stylesheet declarations -------------------------------------------------

# --- CSS text: comments and escapes (CSS Syntax §4.3.7) ---------------------------------

_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
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


def _canonical(sheet: str) -> str:
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
    for part in _COMMENT.sub("", _canonical(text)).split(";"):
        prop, sep, value = part.partition(":")
        if sep:
            value = unescape(value).lower().replace("!important", "")
            out[unescape(prop).strip().lower()] = " ".join(value.split())
    return out


_LENGTH = re.compile(r"^(?:calc\(\s*)?([-+]?\d*\.?\d+(?:e[-+]?\d+)?)\s*([a-z%]*)(?:\s*\))?$")
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
_FUNCTION = re.compile(r"([a-z-]+)\(([^()]*)\)")


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


# --- the page's own <style> rules -------------------------------------------------------

_INTERACTIVE = re.compile(r":(hover|focus|focus-within|focus-visible|active|target|checked)\b")
_PSEUDO_ELEMENT = re.compile(r"::|:(before|after|first-line|first-letter|selection)\b", re.I)
_PSEUDO = re.compile(r":[a-zA-Z-]+(\([^)]*\))?")
_ATTR = re.compile(
    r"\[\s*([^\]=~|^$*\s]+)\s*(?:([~|^$*]?=)\s*(\"[^\"]*\"|'[^']*'|[^\]\s]*))?\s*([is])?\s*\]",
    re.I,
)
_COMPOUND = re.compile(r"(?:\[[^\]]*\]|\([^)]*\)|[^\s>+~\[(])+")
"""A compound selector: what lies between combinators, brackets and parentheses whole."""
# An identifier: ASCII letters, "_", "-", digits after the first, any non-ASCII character,
# and escapes (made canonical by _canonical, so "\\" and six hex digits).
_NAME_CHAR = r"(?:[\w-]|[^\x00-\x7f]|\\[0-9a-f]{6})"
_WORD = re.compile(rf"([.#]?)(-?(?:[_a-zA-Z]|[^\x00-\x7f]|\\[0-9a-f]{{6}}){_NAME_CHAR}*)")
_MAX_PER_KEY = 32
"""Rules tried per class, id or tag; past that the key alone hides (reads more as hidden)."""
_MAX_TRIES = 256
"""Rules tried on one element; past that it is read as hidden (a person looks)."""
_MAX_DATA_CSS = 1 << 20
"""Characters of CSS read from ``data:`` stylesheets of one page, in total."""


@dataclass(frozen=True)
class _Compound:
    """The subject of a selector (``div.promo#x[data-y="z"]``) and the rule it came from."""

    tag: str | None
    classes: frozenset[str]
    ident: str | None
    attrs: tuple[tuple[str, str | None, bool], ...]
    """``(name, value or None for any, compared case-insensitively)``."""
    rule: str

    def matches(self, tag: Tag, classes: frozenset[str]) -> bool:
        """Whether it selects ``tag``, whose classes are ``classes``."""
        if self.tag and tag.name != self.tag:
            return False
        if self.ident and tag.get("id") != self.ident:
            return False
        if self.classes and not self.classes <= classes:
            return False
        for name, value, folded in self.attrs:
            got = tag.get(name)
            if got is None:
                return False
            text = _attr_text(got)
            if value is not None and (text.lower() if folded else text) != value:
                return False
        return True

    @property
    def key(self) -> str:
        """Where :class:`StyleRules` files it: its id, else a class, else its tag, else *."""
        if self.ident:
            return f"#{self.ident}"
        if self.classes:
            return f".{min(self.classes)}"
        return self.tag or "*"


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return value if isinstance(value, list) else ([value] if value else [])


def _attr_text(value: str | list[str]) -> str:
    return " ".join(value) if isinstance(value, list) else value


def _compound(selector: str, decl: str) -> _Compound | None:
    """The subject (last compound) of ``selector`` (escapes made canonical); ``None`` when
    the rule hides only while a visitor interacts (``:hover``) or only generated content
    (``::before``)."""
    if _INTERACTIVE.search(selector) or _PSEUDO_ELEMENT.search(selector):
        return None
    compounds = _COMPOUND.findall(selector)
    if not compounds:
        return None
    last = compounds[-1]
    attrs = []
    for m in _ATTR.finditer(last):
        folded = (m.group(4) or "").lower() == "i"
        value = unescape(m.group(3).strip("\"'")) if m.group(2) == "=" else None
        attrs.append(
            (unescape(m.group(1)).lower(), value.lower() if value and folded else value, folded)
        )
    tag, classes, ident = None, set(), None
    for prefix, word in _WORD.findall(_PSEUDO.sub("", _ATTR.sub("", last))):
        word = unescape(word)
        if prefix == ".":
            classes.add(word)
        elif prefix == "#":
            ident = word
        else:
            tag = word.lower()
    return _Compound(tag, frozenset(classes), ident, tuple(attrs), f"{unescape(last)} {{{decl}}}")


def _blocks(sheet: str) -> Iterable[tuple[str, str, bool]]:
    """``(selectors, declarations, print_only)`` of every rule of ``sheet``, in one pass:
    a rule inside ``@media print`` hides nothing from a visitor on a screen."""
    stack: list[str] = []  # the preludes of the blocks we are in
    last, opened = 0, -1
    for m in re.finditer(r"[{}]", sheet):
        if m.group() == "{":
            stack.append(sheet[last : m.start()].rsplit(";", 1)[-1].strip())
            opened = m.end()
        elif stack:
            prelude = stack.pop()
            if opened >= 0:  # no block inside: a rule
                printing = any(p.lower().split() == ["@media", "print"] for p in stack)
                yield prelude, sheet[opened : m.start()], printing
            opened = -1
        last = m.end()


_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?([\"']?)(data:[^\"')]*)\1\s*\)?\s*([^;{}]*)", re.I)


def _data_css(url: str) -> str | None:
    """The CSS a ``data:`` URL carries (percent-encoded or base64), or ``None``."""
    head, sep, data = url.partition(",")
    if not sep or not head.lower().startswith("data:"):
        return None
    if head.lower().endswith(";base64"):
        try:
            raw = base64.b64decode("".join(unquote(data).split()) + "==", validate=False)
        except ValueError:
            return None
    else:
        raw = unquote_to_bytes(data)
    return raw.decode("utf-8", errors="replace")


def stylesheets(soup: BeautifulSoup) -> list[str]:
    """The CSS a browser reads without fetching anything: every ``<style>``, every
    ``<link rel="stylesheet">`` given as a ``data:`` URL and every ``@import`` of a
    ``data:`` URL in those, in order; at most :data:`_MAX_DATA_CSS` characters of
    ``data:`` CSS in all. Print-only sheets are left out."""
    budget = _MAX_DATA_CSS
    out: list[str] = []

    def add(css: str, data: bool) -> None:
        nonlocal budget
        if data:
            css = css[:budget]
            budget -= len(css)
        out.append(css)
        for m in _IMPORT.finditer(css):
            inner = _data_css(m.group(2)) if m.group(3).strip().lower() != "print" else None
            if inner is not None and budget > 0:
                add(inner, data=True)  # as deep as the budget allows: each costs its length

    for tag in soup.find_all(["style", "link"]):
        if str(tag.get("media", "")).strip().lower() == "print":
            continue
        if tag.name == "style":
            add(tag.get_text(), data=False)
            continue
        rel = _attr_text(tag.get("rel") or "").lower().split()
        href = tag.get("href")
        if "stylesheet" in rel and "alternate" not in rel and isinstance(href, str):
            css = _data_css(href.strip())
            if css is not None and budget > 0:
                add(css, data=True)
    return out


class StyleRules:
    """The rules of a page's stylesheets (:func:`stylesheets`) that hide what they select."""

    def __init__(self, css: Iterable[str], deadline: float | None = None) -> None:
        self._by: dict[str, list[_Compound]] = defaultdict(list)
        count = 0
        for sheet in css:
            for selectors, body, print_only in _blocks(_canonical(_COMMENT.sub("", sheet))):
                count += 1
                if deadline is not None and not count % 256 and time.monotonic() > deadline:
                    raise Overtime("reading the page's <style> went past its deadline")
                decl = hiding_declaration(parse_declarations(body))
                if decl is None or print_only or selectors.startswith("@"):
                    continue
                for selector in selectors.split(","):
                    compound = _compound(selector, decl)
                    if compound is not None:
                        self._add(compound)

    def _add(self, compound: _Compound) -> None:
        key = compound.key
        entries = self._by[key]
        if len(entries) == _MAX_PER_KEY:
            # Too many rules on one key to try each: the key alone hides (reads more).
            tag, cls, ident = key, frozenset({key[1:]}), key[1:]
            entries[:] = [
                _Compound(
                    tag if key[0] not in ".#*" else None,
                    cls if key[0] == "." else frozenset(),
                    ident if key[0] == "#" else None,
                    (),
                    f"{key} (one of {_MAX_PER_KEY}+ hiding rules)",
                )
            ]
        if len(entries) < _MAX_PER_KEY:
            entries.append(compound)

    def hides(self, tag: Tag) -> str | None:
        """Why a rule hides ``tag`` (``the rule .promo {display:none} of the page's
        <style>``), or ``None``. Past
        :data:`_MAX_TRIES` rules tried on it, the element reads as hidden."""
        if not self._by:
            return None
        names = dict.fromkeys(_classes(tag))  # in the page's order: the same reason every run
        classes = frozenset(names)
        keys = [f".{c}" for c in names]
        ident = tag.get("id")
        if isinstance(ident, str):
            keys.append(f"#{ident}")
        keys += [str(tag.name), "*"]
        tries = 0
        for key in keys:
            rules = self._by.get(key, ())
            tries += len(rules)
            if tries > _MAX_TRIES:
                return f"more than {_MAX_TRIES} rules of the page's <style> to try on it"
            for rule in rules:
                if rule.matches(tag, classes):
                    return f"the rule {rule.rule} of the page's <style>"
        return None


# --- the walk ---------------------------------------------------------------------------


_NOT_RENDERED = {
    "canvas": "fallback content of a <canvas>",
    "video": "fallback content of a <video>",
    "audio": "fallback content of an <audio>",
    "iframe": "text inside an <iframe> (a browser shows the page it loads)",
    "noembed": "a <noembed>",
    "noframes": "a <noframes>",
    "datalist": "the options of a <datalist>",
}
"""Elements whose content a browser does not show as text (hidden or not)."""
_SVG_NOT_RENDERED = {
    "defs": "an SVG <defs>",
    "symbol": "an SVG <symbol>",
    "desc": "an SVG <desc>",
    "title": "an SVG <title>",
    "metadata": "an SVG <metadata>",
}
"""The same inside an ``<svg>``; what a ``<use>`` shows of a ``<defs>`` or ``<symbol>``
is seen."""


def _own_reason(tag: Tag, rules: StyleRules, in_svg: bool) -> str | None:
    name = tag.name
    if name == "template":
        return "a <template>"
    if name in _NOT_RENDERED:
        return _NOT_RENDERED[name]
    if in_svg and name in _SVG_NOT_RENDERED:
        return _SVG_NOT_RENDERED[name]
    if name == "object" and tag.get("data"):
        return "fallback content of an <object> with data to show"
    if tag.has_attr("hidden"):
        return "the hidden attribute"
    if name == "dialog" and not tag.has_attr("open"):
        return "a closed <dialog>"
    if tag.has_attr("popover"):
        return "a popover, shown only once opened"
    if str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return 'aria-hidden="true"'
    style = tag.get("style")
    if isinstance(style, str):
        decl = hiding_declaration(parse_declarations(style))
        if decl:
            return f"{decl} in its style attribute"
    return rules.hides(tag)


def _used_ids(soup: BeautifulSoup) -> set[str]:
    """The ids an SVG ``<use>`` shows (``href="#logo"``, ``xlink:href="#logo"``)."""
    out = set()
    for use in soup.find_all("use"):
        for name in ("href", "xlink:href"):
            value = use.get(name)
            if isinstance(value, str) and value.startswith("#"):
                out.add(value[1:])
    return out


def _collapse(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def view_of(soup: BeautifulSoup, base_url: str, deadline: float | None = None) -> PageView:
    """Sort ``soup``'s text and links into visible and hidden (module docstring); raise
    :class:`Overtime` once ``time.monotonic()`` passes ``deadline``."""
    rules = StyleRules(stylesheets(soup), deadline)
    used = _used_ids(soup)
    reasons: dict[int, str] = {}
    svg: set[int] = set()  # elements inside an <svg>
    ignored: set[int] = set()
    root_of: dict[int, Tag] = {}  # hidden element -> its outermost hidden ancestor
    anchor_of: dict[int, Tag] = {}  # element -> the <a href> around it
    hidden_parts: dict[int, list[str]] = {}
    hidden_roots: list[Tag] = []
    link_parts: dict[int, list[str]] = {}
    anchors: list[Tag] = []
    visible: list[str] = []
    for count, node in enumerate(soup.descendants):
        # Often: one element may cost up to _MAX_TRIES rules.
        if deadline is not None and not count % 16 and time.monotonic() > deadline:
            raise Overtime("reading the page went past its deadline")
        parent = node.parent
        pid = id(parent)
        if isinstance(node, Tag):
            nid = id(node)
            if pid in ignored or node.name in IGNORED:
                ignored.add(nid)
                continue
            if node.name == "svg" or pid in svg:
                svg.add(nid)
            if pid in reasons and not (
                reasons[pid] in _SVG_NOT_RENDERED.values() and node.get("id") in used
            ):
                reasons[nid] = reasons[pid]
                root_of[nid] = root_of[pid]
            else:
                own = _own_reason(node, rules, nid in svg)
                if own is not None:
                    reasons[nid] = own
                    root_of[nid] = node
                    hidden_roots.append(node)
                    hidden_parts[nid] = []
            if pid in anchor_of:
                anchor_of[nid] = anchor_of[pid]
            if node.name == "a" and isinstance(node.get("href"), str):
                anchor_of[nid] = node
                anchors.append(node)
                link_parts[nid] = []
            if node.name == "img" and pid in anchor_of and node.get("alt"):
                link_parts[id(anchor_of[pid])].append(f"\x00{_attr_text(node['alt'])}")
            continue
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue  # comments, doctype, processing instructions, CDATA
        if pid in ignored:
            continue
        text = str(node)
        if pid in reasons:
            hidden_parts[id(root_of[pid])].append(text)
        else:
            visible.append(text)
        anchor = anchor_of.get(pid)
        if anchor is not None and (pid not in reasons or id(anchor) in reasons):
            link_parts[id(anchor)].append(text)  # a visible link's hidden words are not its text
    title = soup.title
    title_text = title.get_text(" ") if title and id(title) not in svg else ""
    hidden = tuple(
        Hidden(text, reasons[id(root)])
        for root in hidden_roots
        if (text := _collapse(hidden_parts[id(root)]))
    )
    return PageView(
        visible_text=_collapse([title_text, *visible]),
        hidden=hidden,
        links=tuple(_links(anchors, link_parts, reasons, base_url, deadline)),
        reasons=reasons,
    )


def _links(
    anchors: list[Tag],
    parts: dict[int, list[str]],
    reasons: dict[int, str],
    base_url: str,
    deadline: float | None,
) -> Iterable[Link]:
    base = httpx.URL(base_url)
    for count, a in enumerate(anchors):
        if deadline is not None and not count % 256 and time.monotonic() > deadline:
            raise Overtime("reading the page's links went past its deadline")
        try:
            href = str(base.join(str(a["href"])))
        except (httpx.InvalidURL, ValueError):
            continue  # a malformed href is no link to follow or count
        words = [p for p in parts[id(a)] if not p.startswith("\x00")]
        alts = [p[1:] for p in parts[id(a)] if p.startswith("\x00")]
        text = _collapse(words) or _collapse(alts)
        reason = reasons.get(id(a))
        if reason is None and not text and a.find(["img", "svg"]) is None:
            reason = "a link with no text or image to click"
        yield Link(href, text, reason)
