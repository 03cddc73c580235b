"""A parsed data file together with every line number the project's YAML constructors recorded: what two
loaders (or a loader and its cache) must agree on."""
from __future__ import annotations


def with_lines(value):
    if isinstance(value, dict):
        return ("map", value.line, sorted(value.key_lines.items()),
                sorted((str(k), with_lines(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("seq", value.line, list(value.item_lines), [with_lines(v) for v in value])
    return (type(value).__name__, value)
