"""The toolkit is API: complete, sorted, documented, and usable by a plugin that is
installed through its entry point, exactly as the built-ins use it."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import respx

import verifier
import verifier.toolkit
from tests.test_plugin_loading import install_fake_distribution
from verifier import Status
from verifier.host import build_host
from verifier.testing import make_submission, run_check, settings_for
from verifier.toolkit import directory, names, pages, text

MODULES = [verifier.toolkit, directory, names, pages, text]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_each_toolkit_module_declares_a_sorted_all_of_names_it_defines(
    module: ModuleType,
) -> None:
    assert module.__doc__, f"{module.__name__} needs a module docstring"
    assert module.__all__ == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"


def test_the_package_re_exports_every_public_name_of_its_modules() -> None:
    exported = {n for m in (directory, names, pages, text) for n in m.__all__}
    assert set(verifier.toolkit.__all__) == exported


TOOLKIT_NAMES = [n for n in verifier.toolkit.__all__ if not n.isupper() and n != "PageState"]


@pytest.mark.parametrize("name", TOOLKIT_NAMES)
def test_every_public_toolkit_name_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(verifier.toolkit, name))
    assert doc, f"verifier.toolkit.{name} needs a docstring"
    assert len(doc) > 10, f"verifier.toolkit.{name} needs a docstring"


def test_the_constants_are_documented_in_their_module() -> None:
    for module in (directory, names, pages, text):
        source = inspect.getsource(module)
        for name in (n for n in module.__all__ if n.isupper() or n == "PageState"):
            if f"\n{name} = " in source:  # defined here, not re-exported
                after = source.split(f"\n{name} = ", 1)[1]
                assert '"""' in after.split("\n\n", 1)[0], f"{module.__name__}.{name}"


def test_verifier_re_exports_the_most_used_toolkit_names_as_the_same_objects() -> None:
    for name in ("Read", "read_page", "says", "text_mentions"):
        assert getattr(verifier, name) is getattr(verifier.toolkit, name)


# A third party's check, written against the public names only: the applicant's website
# names the applicant. It must tell a missing page from a server fault.
OUTSIDE_PLUGIN = """
    from verifier import Check, Outcome, hookimpl
    from verifier.toolkit import read_page, text_mentions

    class NamesItself(Check):
        name = "names-itself"

        async def verify(self, ctx):
            url = ctx.submission.applicant.website
            read = await read_page(ctx, url)
            if read.state == "gone":
                return Outcome.failed(f"{url} {read.reason}")
            if read.state != "ok":
                return Outcome.error(f"{url} {read.reason}")
            if text_mentions(read.page.visible_text, [ctx.submission.applicant.name]):
                return Outcome.passed("the website names the applicant")
            return Outcome.failed("the website does not name the applicant")

    @hookimpl
    def register_checks(register):
        register(NamesItself())
"""

PAGE = "<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"
BODY = "Acme Cloud Economics helps teams understand and manage their cloud spend. " * 3


@pytest.mark.parametrize(
    ("answer", "status", "summary"),
    [
        pytest.param(
            httpx.Response(200, html=PAGE.format(title="Acme", body=BODY)),
            Status.PASS,
            "the website names the applicant",
            id="a page naming the applicant passes",
        ),
        pytest.param(
            httpx.Response(404),
            Status.FAIL,
            "http://acme.test/ answered 404: the page does not exist",
            id="a 404 is an absence: fail",
        ),
        pytest.param(
            httpx.Response(200, html=PAGE.format(title="Page Not Found", body=BODY)),
            Status.FAIL,
            "http://acme.test/ answered 200 with the title 'Page Not Found'",
            id="a not-found page answering 200 is an absence too",
        ),
        pytest.param(
            httpx.Response(503),
            Status.ERROR,
            "http://acme.test/ could not be fetched (gave up after 2 attempts: HTTP 503)",
            id="a 503 is a fault: error, never fail",
        ),
    ],
)
def test_a_plugin_installed_through_an_entry_point_uses_the_toolkits_rules(
    site_dir: Path, answer: httpx.Response, status: Status, summary: str
) -> None:
    install_fake_distribution(
        site_dir, "fake-outside", {"outside": "fake_outside"}, {"fake_outside": OUTSIDE_PLUGIN}
    )
    registered = build_host().checks().checks["names-itself"]
    assert registered.distribution == "fake-outside"
    with respx.mock(assert_all_called=True) as router:
        router.get("http://acme.test/", name="home").mock(side_effect=[answer, answer])
        result = run_check(
            registered.check,
            make_submission(
                applicant={"name": "Acme Cloud Economics, Inc.", "website": "http://acme.test/"}
            ),
            settings=settings_for(None),
        )
    assert (result.status, result.summary) == (status, summary)
    assert result.evidence[0].kind == "fetch"
