"""Collection rules for the fuzzer's folder.

``fuzz_pytorch.py`` is the fuzzer's command line: it imports PyTorch, which the regular
suite never needs, so the doctest run over ``tests/`` must not import it. The smoke test
``tests/test_fuzz_smoke.py`` runs it (and skips, saying why, without PyTorch).
"""

collect_ignore = ["fuzz_pytorch.py"]
