"""API names link to the frameworks' reference (docs/data/api_links.yml, fieldguide/build/api_links.py)."""

from __future__ import annotations

import re

from fieldguide.build import api_links
from tests_support import ROOT

PAGES = sorted((ROOT / "docs").rglob("*.md"))


def test_every_api_a_page_names_is_in_the_map():
    missing = {page.relative_to(ROOT).as_posix(): api_links.unmapped(page.read_text("utf-8")) for page in PAGES}
    assert {page: names for page, names in missing.items() if names} == {}


def test_a_page_naming_an_api_the_map_lacks_is_reported():
    page = "Compile with `torch.compile(model)`, then call `torch.not_an_api()` and `F.relu`.\n"
    page += "```python\ntorch.also_not_an_api()  # in a code block: not prose\n```\n"
    assert api_links.unmapped(page) == ["torch.not_an_api"]


def test_the_map_has_no_problems_and_each_host_is_a_reference():
    assert api_links.problems() == []
    planted = api_links.ApiLinks({"torch.compile": "https://example.com/compile"}, {}, {"torch.compile": "why"})
    assert api_links.problems(planted) == [
        "torch.compile: https://example.com/compile is not on "
        "https://docs.pytorch.org/, https://www.tensorflow.org/, https://keras.io/",
        "torch.compile: both linked and unlinked",
    ]


def test_the_first_mention_in_each_section_is_linked_and_nothing_else():
    api = api_links.ApiLinks(
        {"torch.nn.Linear": "https://docs.pytorch.org/linear", "tf.function": "https://www.tensorflow.org/fn"},
        {"nn.": "torch.nn."},
        {},
    )
    content = (
        "<p><code>nn.Linear</code> and again <code>nn.Linear(3, 2)</code>, "
        '<a href="#x"><code>tf.function</code></a></p>'
        '<pre><code>nn.Linear</code></pre><h2 id="b">B <code>tf.function</code></h2>'
        "<p><code>nn.Linear</code>, <code>tf.function</code>, <code>numpy.sum</code></p>"
    )
    linked = api_links.page_html(content, api)
    found = re.findall(r'<a class="api-link" href="([^"]+)"[^>]*><code>([^<]+)</code></a>', linked)
    assert found == [
        ("https://docs.pytorch.org/linear", "nn.Linear"),
        ("https://docs.pytorch.org/linear", "nn.Linear"),
        ("https://www.tensorflow.org/fn", "tf.function"),
    ]
    assert "<pre><code>nn.Linear</code></pre>" in linked  # a code block is left alone
    assert '<h2 id="b">B <code>tf.function</code></h2>' in linked  # so is a heading


def test_the_built_pages_link_api_names_to_their_reference(site):
    graphs = (site / "graphs" / "index.html").read_text(encoding="utf-8")
    url = api_links.load().links["torch.compile"]
    assert f'<a class="api-link" href="{url}" title="torch.compile in its reference"><code>torch.compile' in graphs
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<pre\b(?:(?!</pre>).)*api-link", text, re.S), f"{page}: a link inside a code block"
