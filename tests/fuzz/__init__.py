"""The differential fuzzer of issue 24: random minigrad programs against PyTorch 2.13.

``fuzz_pytorch.py`` is the command line (it needs PyTorch); the other modules (the op
table, the program generator, the comparator, the allowlist and the list of known
mismatches) do not, so the regular test suite tests them without PyTorch.
"""
