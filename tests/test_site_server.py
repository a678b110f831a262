"""The offline site server's hold: a test that stops a run midway holds it there."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

from verifier.sites import serve_sites


def test_a_held_server_answers_only_once_released(tmp_path: Path) -> None:
    (tmp_path / "a.example").mkdir()
    (tmp_path / "a.example" / "index.html").write_text("<p>hi</p>")
    with serve_sites(tmp_path) as server:
        url = f"http://127.0.0.1:{server.port}/"
        answers: list[bytes] = []

        def ask() -> None:
            request = urllib.request.Request(url, headers={"Host": "a.example"})
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append(response.read())

        server.hold()
        asking = threading.Thread(target=ask)
        asking.start()
        while not server.requests:  # waits for a state, not a time
            threading.Event().wait(0.01)
        asking.join(0.3)
        assert asking.is_alive(), "answered while held"
        assert not answers
        server.release()
        asking.join(30)
        assert answers == [b"<p>hi</p>"]
        ask()  # released: the next request is answered at once
        assert len(answers) == 2
