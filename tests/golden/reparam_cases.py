"""The cases of ``reparam.npz``, for PyTorch (``make_golden_reparam.py``) and minigrad
(``tests/test_reparametrize.py``): each builder takes ``nn``, torch's or minigrad's."""

SEED = 20261207

# name -> (layer builder, input shape, "weight" or "spectral", options)
CASES = {
    "wn_linear": (lambda nn: nn.Linear(3, 2), (4, 3), "weight", {}),
    "wn_linear_whole": (lambda nn: nn.Linear(3, 2), (4, 3), "weight", {"dim": None}),
    "wn_conv_dim1": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), "weight", {"dim": 1}),
    "sn_linear": (lambda nn: nn.Linear(4, 3), (5, 4), "spectral", {}),
    "sn_conv_two_iterations": (lambda nn: nn.Conv2d(2, 3, 3), (2, 2, 5, 5), "spectral",
                               {"n_power_iterations": 2}),
    "sn_conv_transpose": (lambda nn: nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4), "spectral", {}),
}  # fmt: skip
