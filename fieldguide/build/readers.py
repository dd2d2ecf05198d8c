"""What a reader needs to run a page away from this repository.

- Each page with Python blocks gets a "Run this page" box under its title, linking its
  downloads: per reading (PyTorch, TensorFlow, the whole page) a `.py` and an `.ipynb`
  whose code is exactly what the test suite executed (fieldguide/pages/readings.py writes both),
  with the install line at the top, plus any file a block saves (a worker script).
- Every block outside the tabs shows which reading it belongs to, from the same marks the
  executor reads (`<!-- reading: ... -->`): a reader following one framework sees which
  blocks to copy without reading the page's source.
- `<!-- clone-command -->` becomes the `git clone` line of the repository the site is
  published from, for the pages whose "run it yourself" needs the repository (the benchmark).
- Every repository path a page names in inline code (`snippets/...`, `fieldguide/...`,
  `tests/...`, `docs/...`, `requirements.txt`, `Makefile`) links into the repository.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from fieldguide.build.dependencies import cross_section
from fieldguide.pages.blocks import parse_page
from fieldguide.pages.outputs import DocsBlockError
from fieldguide.pages.readings import (
    block_text,
    classify,
    header,
    page_readings,
    reading_install,
    script,
    tab_of,
)
from fieldguide.project import ROOT

DOWNLOADS = "downloads"
# The publishing repository: the publish workflow sets it from the repository it runs in.
DEFAULT_REPO = "https://github.com/docs-field-guide/pytorch-tensorflow-tested"
REPO_PATH_RE = re.compile(
    r"(?<![\[\w/`])`(?P<path>(?:snippets|fieldguide|tests|docs|\.github)/[\w./-]+|requirements(?:-gpu)?\.txt|Makefile"
    r"|mkdocs\.yml|conftest\.py)(?P<rest>(?:::[\w\[\]./-]+)?(?::\w[\w-]*)?)`(?!\])"
)


def repo_url() -> str:
    url = os.environ.get("DOCS_REPO_URL")
    if not url and os.environ.get("GITHUB_REPOSITORY"):
        url = f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{os.environ['GITHUB_REPOSITORY']}"
    return (url or DEFAULT_REPO).rstrip("/")


def site_url(repo: str) -> str | None:
    """Where the site is published: DOCS_SITE_URL, or GitHub Pages' address for a GitHub
    repository (the publish workflow deploys there); None for any other host."""
    url = os.environ.get("DOCS_SITE_URL")
    if url:
        return url.rstrip("/") + "/"
    found = re.fullmatch(r"https://github\.com/(?P<owner>[^/]+)/(?P<name>[^/]+?)(?:\.git)?/?", repo)
    return f"https://{found['owner'].lower()}.github.io/{found['name']}/" if found else None


def repository_settings(given: dict) -> dict[str, str]:
    """repo_url, site_url, repo_name and edit_uri: those `given` (mkdocs.yml) sets, the rest derived."""
    repo = given.get("repo_url") or repo_url()
    return {
        "repo_url": repo,
        # Absolute addresses for the sitemap and each page's canonical link.
        "site_url": given.get("site_url") or site_url(repo),
        "repo_name": given.get("repo_name") or "/".join(repo.split("/")[-2:]),
        "edit_uri": given.get("edit_uri") or "edit/main/docs/",
    }


def source_link(path: str, repo: str) -> str:
    kind = "tree" if (ROOT / path).is_dir() else "blob"
    return f"{repo.rstrip('/')}/{kind}/main/{path}"


def link_repository_paths(markdown: str, repo: str) -> str:
    """Inline code naming a repository path becomes a link to it; fenced code is left alone."""
    out, fenced = [], False
    for line in markdown.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
        if not fenced:
            line = REPO_PATH_RE.sub(
                lambda m: f"[`{m['path']}{m['rest']}`]({source_link(m['path'].rstrip('/'), repo)})", line
            )
        out.append(line)
    return "\n".join(out)


# What a label says, by the readings a block outside the tabs belongs to (pages/readings.classify).
READING_LABELS = {
    ("pytorch", "tensorflow", "page"): "PyTorch and TensorFlow readings",
    ("pytorch", "page"): "PyTorch reading",
    ("tensorflow", "page"): "TensorFlow reading",
    ("page",): "whole page only: uses both frameworks",
}
LABEL_CLASS = "docs-reading"
USES_CLASS = "docs-uses"
DEVICE_CLASS = "docs-device"


def device_note(block) -> str | None:
    """What a block's marks say about the GPU, shown beside it: the reason it needs one, or the
    reason its compute stays on the CPU on a GPU run too (the placement check holds the rest)."""
    if block.gpu_only:
        text = f"Needs a CUDA GPU ({block.gpu_only}): skipped on a CPU."
    elif "cpu" in block.marks:
        text = f"Runs on the CPU on a GPU machine too: {block.marks['cpu']}."
    else:
        return None
    return f'<p class="{DEVICE_CLASS}">{html.escape(text)}</p>'


def reading_label(readings: tuple[str, ...], save_as: str | None = None) -> str:
    text = READING_LABELS[readings] + (f"; saved as <code>{save_as}</code>" if save_as else "")
    return f'<p class="{LABEL_CLASS}" data-reading="{" ".join(readings)}">{text}</p>'


def label_readings(markdown: str, path: Path) -> str:
    """A label above every Python block outside the tabs, naming the readings that run it."""
    try:
        blocks = parse_page(path, markdown)
        classify(path, markdown, blocks)
    except DocsBlockError:
        return markdown  # the build's own checks name the problem; a label would hide nothing
    lines = markdown.split("\n")
    uses = dependencies(blocks, lines)
    for block in reversed(blocks):
        fence = lines[block.lineno - 1]
        indent = fence[: len(fence) - len(fence.lstrip())]
        above = [uses_note(uses[block.lineno])] if block.lineno in uses else []
        if (note := device_note(block)) is not None:
            above.append(note)
        if tab_of(lines, block.lineno) is None:  # in a tab, the tab's own label says it
            above.insert(0, reading_label(block.readings, block.save_as))
        lines[block.lineno - 1 : block.lineno - 1] = [x for note in above for x in (indent + note, "")]
    return "\n".join(lines)


def dependencies(blocks, lines: list[str]) -> dict[int, dict[str, tuple[str, list[str]]]]:
    """Per block (its fence's line): the earlier sections it uses names from, in the readings
    that run it (a block of both readings: what either needs), as anchor -> (title, names)."""
    out: dict[int, dict[str, tuple[str, list[str]]]] = {}
    for reading in ("pytorch", "tensorflow", "page"):
        mine = [b for b in blocks if reading in b.readings]
        for lineno, deps in cross_section(mine, lines).items():
            block = next(b for b in mine if b.lineno == lineno)
            if reading == "page" and block.readings != ("page",):
                continue  # a framework's reading says what a copier of that framework needs
            for dep in deps:
                _, names = out.setdefault(lineno, {}).setdefault(dep.anchor, (dep.section, []))
                if dep.name not in names:
                    names.append(dep.name)
    return out


def uses_note(sections: dict[str, tuple[str, list[str]]]) -> str:
    def heading(title: str) -> str:
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(title)) if title else "the page's opening"

    parts = [
        ", ".join(f"<code>{html.escape(n)}</code>" for n in names) + f' from <a href="#{a}">{heading(title)}</a>'
        for a, (title, names) in sections.items()
    ]
    names = " ".join(n for _, ns in sections.values() for n in ns)
    return f'<p class="{USES_CLASS}" data-uses="{names}">Uses {"; ".join(parts)}</p>'


CLONE_MARKER = "<!-- clone-command -->"


def clone_command(repo: str) -> str:
    """The clone line for the repository the site is published from."""
    url = repo.rstrip("/")
    folder = url.rsplit("/", 1)[-1].removesuffix(".git")
    return f"```bash\ngit clone {url}.git\ncd {folder}\n```"


def page_markdown(markdown: str, src: str, repo: str) -> str:
    """A page's Markdown (`src` under docs/) with reading labels, dependency notes and source links."""
    markdown = markdown.replace(CLONE_MARKER, clone_command(repo))
    path = ROOT / "docs" / src
    if path.suffix == ".md" and path.is_file():
        markdown = label_readings(markdown, path)
    return link_repository_paths(markdown, repo)


def readings_of(src: str):
    path = ROOT / "docs" / src
    return page_readings(path) if path.suffix == ".md" and path.is_file() else ()


def download_box(readings, base: str) -> str:
    rows = []
    for reading in readings:
        links = " · ".join(
            f'<a href="{base}{reading.stem}{ext}" download><code>{reading.stem}{ext}</code></a>'
            for ext in (".py", ".ipynb")
        )
        extra = "".join(
            f' · <a href="{base}{name}" download><code>{name}</code></a> (saved beside it)'
            for name in reading.saved_files
        )
        install = html.escape(reading_install(reading))
        rows.append(f"<li><strong>{reading.label}</strong>: {links}{extra}<br><code>{install}</code></li>")
    return (
        '<div class="admonition tip docs-run-page"><p class="admonition-title">Run this page</p>'
        "<p>Each download is exactly the code the test suite ran for that reading, in page order. "
        "Save it to a file and run <code>python FILE.py</code>, or open the <code>.ipynb</code> in "
        "Jupyter (the 3.11 interactive prompt breaks on blank lines inside indented blocks). "
        "Set <code>DOCS_DEVICE=cuda</code> to run it on a GPU.</p>"
        f"<ul>{''.join(rows)}</ul></div>"
    )


def downloads(readings) -> dict[str, str]:
    """File name -> text of every download of a page's readings."""
    files = {}
    for reading in readings:
        files[f"{reading.stem}.py"] = script(reading)
        files[f"{reading.stem}.ipynb"] = notebook(reading)
        files.update(reading.saved_files)
    return files


def page_html(content: str, readings, base: str) -> str:
    """The page's HTML with the download box under its title; `base` is the downloads folder's URL."""
    if not readings:
        return content
    box = download_box(readings, base if base.endswith("/") else base + "/")
    end = content.find("</h1>")
    return content[: end + 5] + box + content[end + 5 :] if end >= 0 else box + content


def write_downloads(site_dir: Path, files: dict[str, str]) -> None:
    folder = Path(site_dir) / DOWNLOADS
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def cell_output(block) -> str:
    """What a block's cell prints: its `#>` lines, which the suite checks against what each reading
    printed (and `python -m fieldguide notebooks-check` against what a kernel prints)."""
    if block.save_as:
        return f"Writing {block.save_as}\n"  # IPython's %%writefile
    return "".join(f"{line}\n" for line in block.expected_output)


def notebook(reading) -> str:
    """The `.ipynb` download: one code cell per block, files to save as `%%writefile` cells, each
    with the output the suite saw, so the notebook opens with its results."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    intro = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in header(reading).splitlines())
    nb.cells.append(nbformat.v4.new_markdown_cell(intro))
    for count, block in enumerate(reading.blocks, start=1):
        source = f"%%writefile {block.save_as}\n" + block_text(block) if block.save_as else block_text(block)
        printed = cell_output(block)
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)] if printed else []
        nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=count, outputs=outputs))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"
    return nbformat.writes(nb) + "\n"
