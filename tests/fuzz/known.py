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

KNOWN = [
    # ---- issue 24's list: documented in docs/from-pytorch.md, kept as a difference
    ("value:[lg][te]_scalar(*int8,int)", "issue 24 (documented): an int8/uint8 tensor compared with an out-of-range int, e.g. uint8([0]) > -1 is False in PyTorch (-1 wraps to 255)"),  # noqa: E501
    ("value:eq_scalar(*int8,int)", "issue 24 (documented): out-of-range int comparisons, as above"),
    # ---- NEW: minigrad bugs this fuzzer found
    ("torch-only-raise:*.backward(*)", "NEW: backward after an in-place write (under no_grad) into a tensor backward saved: PyTorch refuses ('modified by an inplace operation'), minigrad runs (var, norm, reshape of var, ...); also PYTORCH internal errors: True ** x, x ** bool_tensor and group_norm(bias only) backward"),  # noqa: E501
    ("minigrad-only-raise:bmm(*)", "PYTORCH: bmm/matmul of an empty operand skips PyTorch's same-dtype check (bool @ float64 runs); minigrad checks every product"),  # noqa: E501
    ("minigrad-only-raise:*matmul*(*)", "PYTORCH: as bmm: the dtype check is skipped for empty operands"),  # noqa: E501
    ("dtype:*matmul(*)", "PYTORCH: float @ empty int8 tensor: PyTorch skips its dtype check for empty operands (int8 result)"),  # noqa: E501
    ("torch-only-raise:avg_pool2d(*)", "NEW: avg_pool2d of an integer tensor: PyTorch refuses"),
    ("minigrad-only-raise:setitem_*(*)", "NEW: int64_tensor[...] = tensor([-inf]) raises; PyTorch converts (to int64's minimum)"),  # noqa: E501
    ("torch-only-raise:clamp*(bool*)", "NEW (minor): clamp of bool tensors: PyTorch has no such kernel"),  # noqa: E501
    ("torch-only-raise:*_(*)", "NEW: in-place ops (add_, copy_, ...) accept a source that overlaps the destination in memory (t = x.unsqueeze(0); t.add_(x)); PyTorch refuses"),  # noqa: E501
    ("minigrad-only-raise:clamp_(*)", "NEW: uint8_tensor.clamp_(2, -2) raises OverflowError; PyTorch wraps the bound"),  # noqa: E501
    ("value:batch_norm(*)", "NEW (minor): batch_norm/group_norm with an infinite weight gives ±inf where PyTorch's fused form (x * w * invstd + ...) gives NaN"),  # noqa: E501
    ("value:group_norm(*)", "NEW (minor): as batch_norm, with infinite weights"),
    ("requires_grad:group_norm(*)", "PYTORCH: group_norm of an empty input returns a tensor without a graph (is_leaf True)"),  # noqa: E501
    ("torch-only-raise:setitem_*(*)", "NEW: x[int_list] = float_tensor on an int tensor (PyTorch: index_put needs equal dtypes) and x[[0]] = x (PyTorch: overlapping memory) are accepted"),  # noqa: E501
    ("grad:norm(*)", "NEW: norm backward of an input holding inf and NaN, with a zero upstream gradient: PyTorch NaN everywhere"),  # noqa: E501
    ("grad:cross_entropy(*)", "NEW (minor): cross_entropy backward of an infinite upstream gradient gives inf where PyTorch gives NaN"),  # noqa: E501
    ("value:cross_entropy(*)", "NEW (minor): cross_entropy with label smoothing over zero classes: minigrad's smoothing term is 0, PyTorch's 0 / 0 = NaN"),  # noqa: E501
    ("grad:pow(*)", "NEW (minor): x ** x at x = 0 with an infinite upstream gradient: minigrad's gradient there is 0 (the 0 ** 0 convention, selected), PyTorch's inf * 0 = NaN"),  # noqa: E501
    ("requires_grad:*<-requires_grad_(*)", "NEW (minor): a view made before its base's requires_grad_() (under no_grad) does not require grad in minigrad; PyTorch's views share the base's autograd state"),  # noqa: E501
    ("value:rdiv_scalar(*)", "NEW (minor): the sign of a zero: layer_norm without bias gives -0.0 for a zero input times a negative weight (PyTorch's fused form gives +0.0), so 300 / it is -inf"),  # noqa: E501
    ("torch-only-raise:cross_entropy(*)", "PYTORCH: cross_entropy of an (N, 0, d...) input with every target ignored fails inside PyTorch ('size mismatch (got input: [4, 0, 0, 0]...')"),  # noqa: E501
    ("value:to_dtype(*)", "PYTORCH: a float out of an integer type's range cast with .to(uint8) is undefined in C++; PyTorch gives 128, NumPy 0"),  # noqa: E501
    # ---- PYTORCH: it skips its dtype and shape checks for empty tensors, where minigrad
    # refuses as it does for non-empty ones (softmax of an int tensor, cross_entropy of an
    # int input, batch_norm of a 1-d input or without running stats in eval mode).
    ("minigrad-only-raise:*softmax*(*)", "PYTORCH: softmax/log_softmax of an empty integer or bool tensor"),  # noqa: E501
    ("minigrad-only-raise:cross_entropy_probs(*)", "PYTORCH: cross_entropy of an empty integer or bool input"),  # noqa: E501
    ("minigrad-only-raise:batch_norm(*)", "PYTORCH: batch_norm of an empty 1-d input, or without running stats in eval mode on an empty input"),  # noqa: E501
]  # fmt: skip
