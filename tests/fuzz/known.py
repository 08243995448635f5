"""Mismatch classes the fuzzer finds today that are open bugs, or PyTorch's own quirks.

Each entry is ``(pattern, note)``: an fnmatch pattern over mismatch signatures
(``kind:op(operand dtypes)``, see ``compare.py``; ``maker<-writer`` names an alias made by
``maker`` that the in-place ``writer`` revealed), and what it is. The CLI reports these
mismatches (with a minimized reproducer) but does not fail on them, so that CI stays green
while the fixes land. Empty the list as they do: the CLI prints the patterns it no longer
meets. Notes start with the issue-24 item, or NEW (found by this fuzzer, not in issue 24),
or PYTORCH (PyTorch's bug or quirk: to document in docs/from-pytorch.md, then move to the
allowlist in ``compare.py``).
"""

KNOWN: list[tuple[str, str]] = []
