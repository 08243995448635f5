"""Collection rules for the doctest run over ``minigrad/`` (pytest's testpaths).

``minigrad/fast/cuda_kernels.py`` compiles CUDA kernels with CuPy when it is imported, so
without CuPy there is nothing to import; its behaviour is tested on a GPU by
``tests/test_cuda_kernels.py`` (which says why it skips elsewhere).
"""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("cupy") else ["minigrad/fast/cuda_kernels.py"]
