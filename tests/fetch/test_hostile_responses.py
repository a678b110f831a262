"""Hostile inputs 16-35 (reference/hostile-inputs.md): hostile responses, network faults.

Settings are small (1 s deadline, 1 MiB cap, instant back-off) so the whole file runs in
seconds; each test asserts the outcome, the reason and what the server saw.
"""

from __future__ import annotations

import email.utils
import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import brotli
import pytest
import zstandard

from tests.fetch.conftest import SITE, Sleeps, fast, fetch
from tests.fetch.hostile_server import (
    Conn,
    HostileServer,
    response,
    wait_for,
    zeros_brotli,
    zeros_gzip,
)
from verifier.errors import FetchFailed, FetchTimeout, FetchTooLarge
from verifier.fetch import Page

URL = f"http://{SITE}"
HTML = b"<!doctype html><html><head><title>t</title></head><body>hello</body></html>"


def test_16_content_length_over_the_cap_is_refused_from_the_headers(
    server: HostileServer,
) -> None:
    server.route("/big", b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n" + b"a" * 100)
    err = fetch(fast(server), f"{URL}/big")
    assert isinstance(err, FetchTooLarge)
    assert err.reason == ("refused before reading: Content-Length 1073741824 is over the 1 MiB cap")
    assert err.attempts == 1
    assert server.paths() == ["/big"]


def test_17_an_endless_chunked_body_stops_at_the_decoded_byte_cap(server: HostileServer) -> None:
    err = fetch(fast(server), f"{URL}/endless-chunked")
    assert isinstance(err, FetchTooLarge)
    assert err.reason == "stopped after 1 MiB: the body is larger than the cap"
    assert server.paths() == ["/endless-chunked"]


def test_17_a_gibibyte_without_content_length_stops_at_the_cap(server: HostileServer) -> None:
    # The server makes the 1 GiB lazily; it sees the client go after about 1 MiB.
    err = fetch(fast(server), f"{URL}/endless")
    assert isinstance(err, FetchTooLarge)
    assert err.reason.startswith("stopped after 1 MiB")
    assert server.paths() == ["/endless"]


def test_18_a_lying_content_length_is_retried_and_never_stored_as_complete(
    server: HostileServer,
) -> None:
    sleeps = Sleeps()
    err = fetch(fast(server, retries=1), f"{URL}/lying-length", sleep=sleeps)
    assert isinstance(err, FetchFailed)
    assert err.reason.startswith("gave up after 2 attempts: incomplete body")
    assert [h["error"].split(":")[0] for h in err.history] == ["incomplete body"] * 2
    assert server.paths() == ["/lying-length"] * 2
    assert len(sleeps.waits) == 1


def test_18_a_truncated_gzip_stream_is_incomplete_not_a_page(server: HostileServer) -> None:
    err = fetch(fast(server, retries=0), f"{URL}/truncated-gzip")
    assert isinstance(err, FetchFailed)
    assert "incomplete body: the gzip stream ended before its end marker" in err.reason
    assert server.paths() == ["/truncated-gzip"]


def test_19_a_gzip_bomb_stops_at_the_cap(server: HostileServer) -> None:
    bomb = zeros_gzip(16 * 1024 * 1024)
    server.route("/bomb", response(200, bomb, {"Content-Encoding": "gzip"}))
    err = fetch(fast(server), f"{URL}/bomb")
    assert isinstance(err, FetchTooLarge)
    assert err.reason == "stopped after 1 MiB: the decoded body is larger than the cap"
    assert server.paths() == ["/bomb"]


def test_20_a_brotli_bomb_stops_at_the_cap_and_zstd_is_refused(server: HostileServer) -> None:
    server.route("/br", response(200, zeros_brotli(64 * 1024 * 1024), {"Content-Encoding": "br"}))
    zstd = zstandard.ZstdCompressor().compress(bytes(1024 * 1024))
    server.route("/zstd", response(200, zstd, {"Content-Encoding": "zstd"}))
    br, zs = fetch(fast(server), f"{URL}/br", f"{URL}/zstd")
    assert isinstance(br, FetchTooLarge)
    assert br.reason == "stopped after 1 MiB: the decoded body is larger than the cap"
    assert isinstance(zs, FetchFailed)
    assert zs.reason == "undecodable: unsupported Content-Encoding 'zstd'"
    assert server.paths() == ["/br", "/zstd"]
    assert "zstd" not in server.requests[0].headers["accept-encoding"]


def test_21_stacked_or_unknown_encodings_are_refused_not_parsed(server: HostileServer) -> None:
    body = gzip.compress(gzip.compress(gzip.compress(HTML)))
    server.route("/stacked", response(200, body, {"Content-Encoding": "gzip, gzip, gzip"}))
    server.route(
        "/two",
        response(200, gzip.compress(brotli.compress(HTML)), {"Content-Encoding": "br, gzip"}),
    )
    server.route("/weird", response(200, HTML, {"Content-Encoding": "x-weird"}))
    stacked, two, weird = fetch(fast(server), f"{URL}/stacked", f"{URL}/two", f"{URL}/weird")
    assert isinstance(stacked, FetchFailed)
    assert stacked.reason.startswith("undecodable: 3 stacked Content-Encodings")
    assert isinstance(two, Page)
    assert two.body == HTML  # two layers are legal, decoded in reverse order
    assert isinstance(weird, FetchFailed)
    assert weird.reason == "undecodable: unsupported Content-Encoding 'x-weird'"


def test_22_a_body_drip_is_stopped_by_the_total_deadline(server: HostileServer) -> None:
    # How close to the deadline it stops is measured by `make bench`, not asserted here.
    err = fetch(fast(server), f"{URL}/drip-body")
    assert isinstance(err, FetchTimeout)
    assert err.reason == "timed out: no complete answer within 1s"
    assert err.attempts == 1  # a full deadline is not spent again on a retry
    assert server.paths() == ["/drip-body"]


def test_23_a_header_drip_is_stopped_by_the_total_deadline(server: HostileServer) -> None:
    err = fetch(fast(server), f"{URL}/drip-headers")
    assert isinstance(err, FetchTimeout)
    assert err.reason == "timed out: no complete answer within 1s"
    assert server.paths() == ["/drip-headers"]


def test_24_a_server_that_accepts_and_never_answers_times_out(server: HostileServer) -> None:
    err = fetch(fast(server, read_timeout=5.0), f"{URL}/silent")
    assert isinstance(err, FetchTimeout)
    assert err.reason == "timed out: no complete answer within 1s"
    assert err.history == [
        {"attempt": 1, "url": f"{URL}/silent", "error": "timed out: no complete answer within 1s"}
    ]
    assert server.paths() == ["/silent"]


def test_24_a_closed_port_gives_up_after_bounded_retries(server: HostileServer) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connection refused
        settings = fast(resolve=((f"{SITE}:80", f"127.0.0.1:{port}"),), retries=2)
        err = fetch(settings, f"{URL}/")
    assert isinstance(err, FetchFailed)
    assert err.reason.startswith("gave up after 3 attempts: could not connect")
    assert len(err.history) == 3


def test_25_a_connection_reset_is_retried_then_recorded(server: HostileServer) -> None:
    sleeps = Sleeps()
    err = fetch(fast(server, retries=2, backoff=0.5), f"{URL}/reset", sleep=sleeps)
    assert isinstance(err, FetchFailed)
    assert err.reason.startswith("gave up after 3 attempts: ")
    assert "connection broken" in err.reason or "incomplete body" in err.reason
    assert server.paths() == ["/reset"] * 3
    # Exponential back-off with jitter: 0.5 then 1.0 s, each scaled into [50%, 100%].
    assert len(sleeps.waits) == 2
    assert 0.25 <= sleeps.waits[0] <= 0.5
    assert 0.5 <= sleeps.waits[1] <= 1.0


def test_26_retry_after_in_seconds_and_as_a_date_is_honoured(server: HostileServer) -> None:
    later = email.utils.formatdate(time.time() + 3, usegmt=True)
    server.route(
        "/busy",
        response(429, b"slow down", {"Retry-After": "2"}),
        response(429, b"slow down", {"Retry-After": later}),
        response(200, HTML),
    )
    sleeps = Sleeps()
    page = fetch(fast(server), f"{URL}/busy", sleep=sleeps)
    assert isinstance(page, Page)
    assert page.status == 200
    assert page.attempts == 3
    assert [h.get("status", h.get("error")) for h in page.history] == [
        "HTTP 429",
        "HTTP 429",
        200,
    ]
    assert sleeps.waits[0] >= 2
    assert 1 <= sleeps.waits[1] <= 3
    assert server.paths() == ["/busy"] * 3


def test_26_an_absurd_retry_after_gives_up_at_once(server: HostileServer) -> None:
    server.route("/later", response(429, b"", {"Retry-After": "86400"}))
    sleeps = Sleeps()
    err = fetch(fast(server), f"{URL}/later", sleep=sleeps)
    assert isinstance(err, FetchFailed)
    assert err.reason == (
        "gave up after 1 attempt: HTTP 429 (Retry-After 86400s is over the 5s cap)"
    )
    assert sleeps.waits == []
    assert server.paths() == ["/later"]


def test_27_503_then_200_is_a_page(server: HostileServer) -> None:
    server.route("/flaky", response(503, b"busy"), response(200, HTML))
    page = fetch(fast(server), f"{URL}/flaky")
    assert isinstance(page, Page)
    assert (page.status, page.attempts) == (200, 2)
    assert page.history[0]["error"] == "HTTP 503"
    assert server.paths() == ["/flaky", "/flaky"]


def test_27_503_forever_gives_up_after_the_retries(server: HostileServer) -> None:
    server.route("/down", response(503, b"busy"))
    err = fetch(fast(server, retries=3), f"{URL}/down")
    assert isinstance(err, FetchFailed)
    assert err.reason == "gave up after 4 attempts: HTTP 503"
    assert err.attempts == 4
    assert server.paths() == ["/down"] * 4


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_27_client_errors_are_answers_and_never_retried(server: HostileServer, status: int) -> None:
    server.route("/gone", response(status, b"<html><body>no</body></html>"))
    page = fetch(fast(server), f"{URL}/gone")
    assert isinstance(page, Page)
    assert page.status == status
    assert not page.ok
    assert page.attempts == 1
    assert server.paths() == ["/gone"]


def test_29_an_oversized_header_block_is_a_protocol_error_not_a_crash(
    server: HostileServer,
) -> None:
    headers = b"".join(b"X-Junk-%d: %s\r\n" % (i, b"j" * 1000) for i in range(200))
    server.route("/headers", b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 0\r\n\r\n")
    err = fetch(fast(server, retries=0), f"{URL}/headers")
    assert isinstance(err, FetchFailed)
    assert "gave up after 1 attempt: protocol error" in err.reason
    assert server.paths() == ["/headers"]


def test_30_a_wrong_content_type_is_sniffed_and_both_types_recorded(
    server: HostileServer,
) -> None:
    server.route("/plain", response(200, HTML, {"Content-Type": "application/octet-stream"}))
    server.route("/json", response(200, b'{"a": 1}', {"Content-Type": "application/json"}))
    html, data = fetch(fast(server), f"{URL}/plain", f"{URL}/json")
    assert html.is_html
    assert html.soup.title.string == "t"
    assert "declared application/octet-stream, but the bytes are HTML" in html.notes
    ev = html.evidence().data
    assert (ev["declared_type"], ev["sniffed_type"]) == ("application/octet-stream", "text/html")
    assert not data.is_html
    assert data.soup.find("body") is None


def test_31_a_pdf_where_html_was_expected_is_recorded_not_parsed(server: HostileServer) -> None:
    pdf = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n<html><body>fake</body></html>"
    server.route("/lens", response(200, pdf, {"Content-Type": "text/html; charset=utf-8"}))
    page = fetch(fast(server), f"{URL}/lens")
    assert isinstance(page, Page)
    assert page.status == 200
    assert not page.is_html
    assert page.soup.find("body") is None  # never parsed as HTML
    assert page.sniffed_type == "application/pdf"
    assert "declared text/html, but the bytes are application/pdf" in page.notes
    assert page.evidence().data["size"] == len(pdf)
    assert server.paths() == ["/lens"]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html", "<html><body>Café Zürich</body></html>".encode("latin-1"), "Café Zürich"),
        (
            "text/html; charset=utf-8",
            b"<html><body>ok \xff\xfe\xc3( broken</body></html>",
            "broken",
        ),
        ("text/html; charset=x-bogus", b"<html><body>plain ascii</body></html>", "plain ascii"),
        (
            "text/html",
            b'<html><head><meta charset="windows-1252"></head><body>\x93quoted\x94</body></html>',
            "\u201cquoted\u201d",
        ),
        ("text/html", b"\xef\xbb\xbf<html><body>bom \xc3\xa9</body></html>", "bom é"),
    ],
    ids=["latin-1-no-charset", "invalid-utf-8", "unknown-charset", "meta-cp1252", "bom"],
)
def test_32_charsets_never_crash_and_the_encoding_used_is_recorded(
    server: HostileServer, content_type: str, body: bytes, expected: str
) -> None:
    server.route("/p", response(200, body, {"Content-Type": content_type}))
    page = fetch(fast(server), f"{URL}/p")
    text = page.soup.get_text()
    assert expected in text
    assert page.encoding
    assert page.evidence().data["encoding"] == page.encoding
    if "latin" in expected or "Café" in expected or "quoted" in expected:
        assert "\ufffd" not in text


def test_34_a_meta_refresh_is_followed_through_the_guard_as_a_hop(server: HostileServer) -> None:
    refresh = b'<html><head><meta http-equiv="Refresh" content="0; URL=/real"></head></html>'
    server.route("/lens", response(200, refresh))
    server.route("/real", response(200, HTML))
    page = fetch(fast(server), f"{URL}/lens")
    assert page.final_url == f"{URL}/real"
    assert page.body == HTML
    assert [h.to_json() for h in page.hops] == [
        {"url": f"{URL}/lens", "status": 200, "location": f"{URL}/real", "via": "meta refresh"}
    ]
    assert f"followed meta refresh after 0s from {URL}/lens to {URL}/real" in page.notes
    assert server.paths() == ["/lens", "/real"]


def test_34_a_meta_refresh_in_noscript_or_too_slow_is_recorded_not_followed(
    server: HostileServer,
) -> None:
    noscript = b'<html><head><noscript><meta http-equiv="refresh" content="0;url=/x"></noscript>'
    slow = b'<html><head><meta http-equiv="refresh" content="300;url=/x"></head></html>'
    script = b'<html><head><meta http-equiv="refresh" content="0;url=javascript:go()">'
    server.route("/noscript", response(200, noscript))
    server.route("/slow", response(200, slow))
    server.route("/script", response(200, script))
    a, b, c = fetch(fast(server), f"{URL}/noscript", f"{URL}/slow", f"{URL}/script")
    assert "meta refresh after 0s to 'javascript:go()' (not followed: not http)" in c.notes
    assert a.final_url == f"{URL}/noscript"
    assert not a.hops
    assert b.final_url == f"{URL}/slow"
    assert f"meta refresh after 300s to {URL}/x (not followed: delay too long)" in b.notes
    assert server.paths() == ["/noscript", "/slow", "/script"]


def test_34_meta_refreshes_count_against_the_redirect_budget(server: HostileServer) -> None:
    loop = b'<meta http-equiv="refresh" content="0;url=/lens">'
    server.route("/lens", response(200, loop.replace(b"/lens", b"/other")))
    server.route("/other", response(200, loop))
    err = fetch(fast(server), f"{URL}/lens")
    assert err.reason == f"redirect loop: {URL}/lens was already visited, after 2 hop(s)"
    assert server.paths() == ["/lens", "/other"]


def test_35_a_cross_site_canonical_link_is_recorded_and_not_followed(
    server: HostileServer,
) -> None:
    body = b'<html><head><link rel="canonical" href="https://elsewhere.example/lens"></head></html>'
    server.route("/lens", response(200, body))
    page = fetch(fast(server), f"{URL}/lens")
    assert page.final_url == f"{URL}/lens"
    assert (
        "canonical link: https://elsewhere.example/lens (not followed, another site)" in page.notes
    )
    assert page.evidence().data["notes"] == list(page.notes)
    assert server.paths() == ["/lens"]


def test_every_attempt_appears_in_the_history(server: HostileServer) -> None:
    def reset(c: Conn) -> None:
        c.reset()

    server.route("/r", response(302, b"", {"Location": "/t"}))
    server.route("/t", reset, response(502, b""), response(200, HTML))
    page = fetch(fast(server), f"{URL}/r")
    assert [(h["attempt"], h["url"].rsplit("/", 1)[1]) for h in page.history] == [
        (1, "r"),
        (1, "t"),
        (2, "t"),
        (3, "t"),
    ]
    assert page.history[2]["error"] == "HTTP 502"
    assert page.history[3]["status"] == 200
    assert wait_for(lambda: server.paths() == ["/r", "/t", "/t", "/t"])


def test_33_a_self_signed_certificate_is_a_tls_error_never_retried_never_ignored(
    tmp_path: Path,
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={SITE}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handshakes: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True):
                    handshakes.append("completed")
            except (ssl.SSLError, OSError):
                handshakes.append("refused by the client")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        settings = fast(resolve=((f"{SITE}:443", f"127.0.0.1:{port}"),))
        err = fetch(settings, f"https://{SITE}/")
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)
    assert isinstance(err, FetchFailed)
    assert err.reason.startswith("TLS error: ")
    assert "self-signed certificate" in err.reason or "self signed" in err.reason
    assert err.attempts == 1
    assert handshakes == ["refused by the client"]


def test_28_a_bot_challenge_is_recorded_as_such_and_not_retried(server: HostileServer) -> None:
    challenge = b"<html><head><title>Just a moment...</title></head><body>cf-chl-widget</body>"
    server.route("/503", response(503, challenge))
    server.route("/403", response(403, b"<html><script src='/cdn-cgi/challenge-platform/x'>"))
    blocked, forbidden = fetch(fast(server), f"{URL}/503", f"{URL}/403")
    assert isinstance(blocked, FetchFailed)
    assert blocked.reason == "blocked by bot protection: HTTP 503 from Cloudflare (marker 'cf-chl')"
    assert blocked.attempts == 1
    assert isinstance(forbidden, Page)
    assert forbidden.status == 403
    assert (
        "a bot-protection challenge from Cloudflare (marker 'challenge-platform'): "
        "not the page itself" in forbidden.notes
    )
    assert server.paths() == ["/503", "/403"]


def test_30_json_is_read_as_json_and_html_is_not(server: HostileServer) -> None:
    server.route(
        "/cert.json", response(200, b'{"id": "LF-1"}', {"Content-Type": "application/json"})
    )
    server.route("/html", response(200, HTML))
    server.route("/broken.json", response(200, b'{"id": ', {"Content-Type": "application/json"}))
    data, html, broken = fetch(
        fast(server), f"{URL}/cert.json", f"{URL}/html", f"{URL}/broken.json"
    )
    assert data.json() == {"id": "LF-1"}
    assert not data.is_html
    with pytest.raises(ValueError, match="is text/html, not JSON"):
        html.json()
    with pytest.raises(ValueError, match="is not valid JSON"):
        broken.json()
