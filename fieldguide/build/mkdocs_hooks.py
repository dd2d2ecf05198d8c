"""The only file MkDocs loads (mkdocs.yml `hooks:`): each event calls plain functions of the build layer.

The functions take text and paths and know nothing of MkDocs; this adapter turns MkDocs' objects
into those arguments. Another engine needs a file like this one and nothing else changed.
"""

from __future__ import annotations

from pathlib import Path

from fieldguide.build import api_links, notebooks, readers, site, sources

_downloads: dict[str, str] = {}  # written into the site when the build ends


def on_config(config, **_kwargs):
    from mkdocs.exceptions import PluginError

    for key, value in readers.repository_settings(config).items():
        config[key] = value
    plugin = config["plugins"].get("mkdocs-jupyter")
    try:
        options = notebooks.jupyter_options(Path(config["config_file_path"]).parent)
    except ValueError as err:
        raise PluginError(str(err)) from None
    if plugin is not None:
        plugin.config.update(options)
    return config


def on_page_markdown(markdown: str, page, config, **_kwargs) -> str:
    src = page.file.src_uri
    markdown = site.page_markdown(markdown)
    markdown = readers.page_markdown(markdown, src, config["repo_url"])
    return sources.page_markdown(markdown, src)


def on_page_content(html: str, page, config, **_kwargs) -> str:
    from mkdocs.utils import get_relative_url

    plugin = config["plugins"].get("mkdocs-jupyter")
    html = notebooks.notebook_page(html, page.file.src_uri, bool(plugin and plugin.config["execute"]))
    html = api_links.page_html(html)
    readings = readers.readings_of(page.file.src_uri)
    _downloads.update(readers.downloads(readings))
    return readers.page_html(html, readings, get_relative_url(f"{readers.DOWNLOADS}/", page.url or "."))


def on_post_page(output: str, page, **_kwargs) -> str:
    return site.page_html(output, page.file.src_uri)


def on_post_build(config, **_kwargs) -> None:
    readers.write_downloads(Path(config["site_dir"]), _downloads)
