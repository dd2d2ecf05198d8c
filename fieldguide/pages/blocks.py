"""Find the Python blocks of a page and run them exactly as MkDocs renders them.

MkDocs expands `--8<--` lines with pymdownx.snippets before it renders a fence,
so this module expands them with the same preprocessor, configured from the
same `mkdocs.yml`, and remembers where every expanded line came from, so that a
failure names the line of `snippets/...py` it was written at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
import yaml
from pymdownx.snippets import SnippetMissingError
from sybil import Document
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

from fieldguide.pages.outputs import DocsBlockError, expected_output
from fieldguide.project import ROOT

MKDOCS_YML = ROOT / "mkdocs.yml"

PYTHON_LANGS = {"python", "py"}
# Spellings that look like Python but would not be run: refused, never ignored.
PYTHONISH_RE = re.compile(r"^\{?\s*\.?(py\w*|ipython\w*)\b", re.IGNORECASE)
SNIPPET_LINE_RE = re.compile(r"^[ \t]*;*-+8<-+")


@dataclass
class Line:
    text: str
    path: Path  # where the line was written: the page, or a snippet file
    lineno: int  # 1-based, in that file


@dataclass
class PythonBlock:
    page: Path
    lineno: int  # line of the opening fence on the page
    info: str
    lines: list[Line]
    gpu_only: str | None = None  # the reason, when the block needs a GPU
    start: int = 0  # offset of the opening fence in the page's text
    readings: tuple[str, ...] = ("page",)  # set by readings.classify
    save_as: str | None = None  # a file the reader saves instead of running
    marks: dict[str, str] = field(default_factory=dict)  # the comments above the fence

    @property
    def source(self) -> str:
        return "\n".join(line.text for line in self.lines) + "\n"

    @property
    def expected_output(self) -> list[str]:
        return expected_output(line.text for line in self.lines)

    @property
    def where(self) -> str:
        return f"{relative(self.page)}:{self.lineno}"


def relative(path: Path) -> str:
    """The path from the project root (the folder of the nearest mkdocs.yml), as messages show it."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / "mkdocs.yml").is_file():
            return str(path.relative_to(parent))
    return str(path)


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` and `!ENV` tags; the snippet options do not."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


@cache
def snippet_options(config_path: Path = MKDOCS_YML) -> dict:
    """The pymdownx.snippets options exactly as mkdocs.yml gives them."""
    config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_IgnoreTags)
    for entry in config.get("markdown_extensions", []):
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            options = dict(entry["pymdownx.snippets"] or {})
            break
    else:
        raise DocsBlockError(f"{relative(config_path)}: pymdownx.snippets is not configured")
    # MkDocs runs from the directory of mkdocs.yml; make the bases independent of the cwd.
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    options["base_path"] = [str((config_path.parent / b).resolve()) for b in bases]
    return options


def snippet_preprocessor(config_path: Path = MKDOCS_YML):
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippet_options(config_path)},
    )
    return md.preprocessors["snippet"]


def _origins(expanded: list[str], snippet_file: Path | None, fallback: Line, section: str | None = None) -> list[Line]:
    """Match expanded lines, in order, to the lines of the file they came from.

    A section is a run of the file's lines with marker lines left out, so a
    forward scan from its start marker finds each line (from the top of the file,
    a line like `with torch.no_grad():` would match an earlier section's copy);
    anything it cannot place is attributed to the `--8<--` line that pulled it in.
    """
    if snippet_file is None:
        return [Line(text, fallback.path, fallback.lineno) for text in expanded]
    file_lines = snippet_file.read_text(encoding="utf-8").split("\n")
    out, cursor = [], 0
    if section:
        marker = f"[start:{section}]"
        cursor = next((k + 1 for k, text in enumerate(file_lines) if marker in text and "8<" in text), 0)
    for text in expanded:
        for j in range(cursor, len(file_lines)):
            if file_lines[j] == text or (text.strip() and file_lines[j].strip() == text.strip()):
                out.append(Line(text, snippet_file, j + 1))
                cursor = j + 1
                break
        else:
            out.append(Line(text, fallback.path, fallback.lineno))
    return out


def expand(lines: list[Line], preprocessor, where: str) -> list[Line]:
    """Expand `--8<--` lines the way pymdownx.snippets does, keeping each line's origin."""
    out: list[Line] = []
    for line in lines:
        if not SNIPPET_LINE_RE.match(line.text):
            out.append(line)
            continue
        try:
            expanded = preprocessor.run([line.text])
        except SnippetMissingError as exc:
            raise DocsBlockError(f"{relative(line.path)}:{line.lineno}: {exc} (in the block at {where})") from None
        target = re.search(r"""(["'])(?P<spec>.+?)\1""", line.text)
        snippet_file, section = None, None
        if target:
            parsed = preprocessor.parse_snippet_target(target["spec"])
            found = parsed and preprocessor.get_snippet_path(parsed["path"])
            snippet_file = Path(found) if found else None
            section = parsed["section"] if parsed else None
        out.extend(_origins(expanded, snippet_file, line, section))
    return out


COMMENT_RE = re.compile(r"^\s*<!--.*-->\s*$")
# A block's marks, on the comment lines right above its fence, read with Sybil's lexer for
# directives in HTML comments: `<!-- gpu-only: reason -->`, `<!-- reading: pytorch -->`,
# `<!-- save-as: worker.py -->`, `<!-- cpu: reason -->` (its compute stays on the CPU on a GPU
# run too, and the page shows why). (Sybil's skip parser is not used: the gpu-only condition is
# the reader's device, and the suite counts each skip with its reason per page.)
_MARKS = DirectiveInHTMLCommentLexer(directive=r"gpu-only|cpu|reading|save-as", arguments=r"[^\n]+?")


def marks_by_fence(text: str) -> dict[int, dict[str, str]]:
    """Fence line -> {mark: argument} for the marks in the comments right above that line."""
    lines = text.split("\n")
    out: dict[int, dict[str, str]] = {}
    for region in _MARKS(Document(text, "<page>")):
        below = text.count("\n", 0, region.end) + 1  # 0-based index of the line after the comment
        while below < len(lines) and (not lines[below].strip() or COMMENT_RE.match(lines[below])):
            below += 1
        out.setdefault(below + 1, {}).setdefault(region.lexemes["directive"], region.lexemes["arguments"].strip())
    return out


# Sybil's own Markdown fence lexer (the one its stock code-block parsers use), keeping the
# whole info line: `python title="..."` and fences inside tabs, at any indent.
_FENCES = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE))


def find_fences(text: str):
    """Yield (start_offset, fence_lineno, info, body_lines) for every fence, at any indent."""
    for region in _FENCES(Document(text, "<page>")):
        source = str(region.lexemes["source"])
        body = source.split("\n")
        if body and body[-1] == "":
            body.pop()
        yield region.start, text.count("\n", 0, region.start) + 1, region.lexemes["info"].strip(), body


def language(info: str) -> str:
    word = info.split()[0] if info.split() else ""
    return word.strip("{}").lstrip(".").lower()


def parse_page(path: Path, text: str | None = None, config_path: Path = MKDOCS_YML) -> list[PythonBlock]:
    """Every Python block of a page, snippets expanded. Raises DocsBlockError on a bad page."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if text is None else text
    preprocessor = snippet_preprocessor(config_path)
    page_lines = text.split("\n")
    marks = marks_by_fence(text)
    blocks = []
    fenced = set()
    for start, lineno, info, body in find_fences(text):
        fenced.update(range(lineno, lineno + len(body) + 2))
        lang = language(info)
        if lang not in PYTHON_LANGS:
            if PYTHONISH_RE.match(info):
                raise DocsBlockError(
                    f"{relative(path)}:{lineno}: fence language {lang!r} would not be executed; use ```python"
                )
            continue
        own = marks.get(lineno, {})
        raw = [Line(text_, path, lineno + 1 + k) for k, text_ in enumerate(body)]
        lines = expand(raw, preprocessor, f"{relative(path)}:{lineno}")
        blocks.append(PythonBlock(path, lineno, info, lines, own.get("gpu-only"), start, marks=own))
    for k, line in enumerate(page_lines, start=1):
        if k not in fenced and SNIPPET_LINE_RE.match(line) and "8<" in line:
            raise DocsBlockError(
                f"{relative(path)}:{k}: --8<-- outside a code fence would bring in text the tests never see; "
                "include snippets inside a fence"
            )
    return blocks


def page_blocks(path: Path, config_path: Path = MKDOCS_YML) -> list[PythonBlock]:
    """The page on disk, parsed once per process while it is unchanged: execution, the readings,
    block accounting, lint and coverage all share this one parse (and its block objects)."""
    path, config_path = Path(path).resolve(), Path(config_path).resolve()
    return list(_parsed(path, path.stat().st_mtime_ns, config_path))


@cache
def _parsed(path: Path, mtime_ns: int, config_path: Path) -> tuple[PythonBlock, ...]:
    return tuple(parse_page(path, config_path=config_path))
