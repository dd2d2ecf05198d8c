"""The machinery behind the site, in layers that import only the layers listed before them.

pages    parse a page once into blocks, marks and readings (`#>` output lines: pages/outputs.py)
run      the reading executor: one clean process per reading (run/worker.py), the Sybil plugin
measure  benchmarks, served routes, pipelines, notebooks, drift: each writes its JSON, nothing else
render   pure functions from committed data to page regions, charts and generated files
build    the MkDocs hooks' logic as plain functions; build/mkdocs_hooks.py is the thin adapter
tools    the formatter wrapper and the suite-share report (used by people and the Makefile)

`python -m fieldguide` (fieldguide/__main__.py) is the one command on top; nothing imports it.
ARCHITECTURE.md draws the same picture with the data files.
"""
