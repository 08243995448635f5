"""A Griffe extension for the API reference (see mkdocstrings' ``extensions``
in mkdocs.yml).

minigrad's docstrings head their doctests ``Example:``, as Napoleon and many
projects do. Griffe's Google-style parser knows only the plural, ``Examples:``,
and would show the singular as a note whose ``>>>`` lines read as prose. This
renames the heading before the docstring is parsed, so that every example is
shown as code.
"""

from __future__ import annotations

import re

import griffe

_HEADING = re.compile(r"^(\s*)Example:\s*$", flags=re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` headings to ``Examples:`` in every docstring."""

    def on_instance(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _HEADING.sub(
                r"\1Examples:", obj.docstring.value
            )
