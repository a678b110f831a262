"""Content-Encoding decoding that never produces more than a cap.

httpx 0.28 decodes a whole compressed chunk at once: a 1.7 KB brotli body became one
1 GiB chunk (reference/hostile-inputs.md, item 3). So responses are read with
``aiter_raw()`` and decoded here, each step asking for at most the bytes still allowed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

from verifier.errors import FetchTooLarge

MAX_LAYERS = 2
"""Stacked encodings accepted (``gzip, gzip`` is legal but rare; more is an attack)."""

ACCEPT_ENCODING = "gzip, deflate, br"
"""What we ask for: only encodings we can decode with a bound (no zstd)."""


class UndecodableError(ValueError):
    """The body uses an encoding we cannot decode safely, or is corrupt."""


class IncompleteError(ValueError):
    """The compressed body ended early: a truncated response."""


class _Layer:
    """One decoding step with a bounded output per call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._zlib: zlib._Decompress | None = None
        self._br: brotli.Decompressor | None = None
        if name in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._zlib = zlib.decompressobj()
        elif name == "br":
            self._br = brotli.Decompressor()
        else:
            raise UndecodableError(f"unsupported Content-Encoding {name!r}")
        self._deflate_raw_tried = name != "deflate"

    @property
    def finished(self) -> bool:
        """Whether the compressed stream reached its end marker."""
        if self._zlib is not None:
            return self._zlib.eof
        assert self._br is not None
        return bool(self._br.is_finished())

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """Decode ``data``, yielding pieces of at most ``limit`` bytes each."""
        step = max(1, min(limit, 1 << 20))
        if self._zlib is not None:
            pending = data
            while True:
                try:
                    out = self._zlib.decompress(pending, step)
                except zlib.error as exc:
                    if not self._deflate_raw_tried:
                        # Some servers send raw deflate without the zlib header.
                        self._deflate_raw_tried = True
                        self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                        out = self._zlib.decompress(pending, step)
                    else:
                        raise UndecodableError(f"corrupt {self.name} body: {exc}") from exc
                self._deflate_raw_tried = True
                if out:
                    yield out
                pending = self._zlib.unconsumed_tail
                if not pending and not out:
                    return
                if not pending and len(out) < step:
                    return
        else:
            assert self._br is not None
            try:
                out = self._br.process(data, output_buffer_limit=step)
                while True:
                    if out:
                        yield out
                    if self._br.can_accept_more_data() or self._br.is_finished():
                        return
                    out = self._br.process(b"", output_buffer_limit=step)
            except brotli.error as exc:
                raise UndecodableError(f"corrupt br body: {exc}") from exc


class BoundedDecoder:
    """Decodes a Content-Encoding chain, raising once the decoded size passes ``cap``."""

    def __init__(self, content_encoding: str, cap: int, url: str) -> None:
        names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > MAX_LAYERS:
            raise UndecodableError(
                f"{len(names)} stacked Content-Encodings ({content_encoding}); at most "
                f"{MAX_LAYERS} are accepted"
            )
        # Encodings are listed in the order applied; decode in reverse.
        self._layers = [_Layer(n) for n in reversed(names)]
        self._cap = cap
        self._url = url
        self.size = 0

    def feed(self, raw: bytes) -> list[bytes]:
        """Decode a raw chunk; raises :class:`FetchTooLarge` past the cap."""
        pieces = [raw]
        for layer in self._layers:
            nxt: list[bytes] = []
            for piece in pieces:
                for out in layer.feed(piece, self._cap - self.size + 1):
                    nxt.append(out)
                    if sum(len(x) for x in nxt) + self.size > self._cap:
                        raise FetchTooLarge(
                            self._url,
                            f"stopped after {_mib(self._cap)}: "
                            "the decoded body is larger than the cap",
                        )
            pieces = nxt
        total = sum(len(p) for p in pieces)
        if self.size + total > self._cap:
            raise FetchTooLarge(
                self._url, f"stopped after {_mib(self._cap)}: the body is larger than the cap"
            )
        self.size += total
        return pieces

    def finish(self) -> None:
        """Raise :class:`IncompleteError` if a compressed stream stopped before its end
        (a body cut short must not be taken for the whole page)."""
        for layer in self._layers:
            if not layer.finished:
                raise IncompleteError(f"the {layer.name} stream ended before its end marker")


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
