"""The cases of ``reparam.npz``, for PyTorch (``make_golden_reparam.py``) and minigrad
(``tests/test_reparametrize.py``): each builder takes ``nn``, torch's or minigrad's."""

SEED = 20261207

# name -> (layer builder, input shape, the reparametrization, options): "weight" and
# "spectral" are the hook-based forms (nn.utils.weight_norm, nn.utils.spectral_norm),
# "p_weight" and "p_spectral" the parametrizations (nn.utils.parametrizations.*).
CASES = {
    "wn_linear": (lambda nn: nn.Linear(3, 2), (4, 3), "weight", {}),
    "wn_linear_whole": (lambda nn: nn.Linear(3, 2), (4, 3), "weight", {"dim": None}),
    "wn_conv_dim1": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), "weight", {"dim": 1}),
    "sn_linear": (lambda nn: nn.Linear(4, 3), (5, 4), "spectral", {}),
    "sn_conv_two_iterations": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), "spectral",
                               {"n_power_iterations": 2}),
    "sn_conv_transpose": (lambda nn: nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4), "spectral", {}),
    "p_wn_linear": (lambda nn: nn.Linear(3, 2), (4, 3), "p_weight", {}),
    "p_wn_conv_whole": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), "p_weight", {"dim": None}),
    "p_sn_linear": (lambda nn: nn.Linear(4, 3), (5, 4), "p_spectral", {}),
    "p_sn_conv_transpose": (lambda nn: nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4), "p_spectral",
                            {"n_power_iterations": 2}),
}  # fmt: skip


def tensors_of(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The learned tensors and the power iteration's buffers, as dotted names."""
    return {
        "weight": (("weight_g", "weight_v"), ()),
        "spectral": (("weight_orig",), ("weight_u", "weight_v")),
        "p_weight": (
            ("parametrizations.weight.original0", "parametrizations.weight.original1"),
            (),
        ),
        "p_spectral": (
            ("parametrizations.weight.original",),
            ("parametrizations.weight.0._u", "parametrizations.weight.0._v"),
        ),
    }[kind]


def value_of(module, dotted: str):
    """``module.a.b.c`` for ``"a.b.c"`` (a ModuleList's index as a name too)."""
    for part in dotted.split("."):
        module = module[int(part)] if part.isdigit() else getattr(module, part)
    return module
