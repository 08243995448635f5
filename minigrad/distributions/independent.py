"""``Independent``: the last batch dims of a distribution read as event dims."""

from __future__ import annotations

from .distribution import Distribution


class Independent(Distribution):
    """``base_distribution`` with its last ``reinterpreted_batch_ndims`` batch dims made
    event dims: ``log_prob`` and ``entropy`` sum over them. A diagonal Gaussian over
    vectors is ``Independent(Normal(mu, sigma), 1)``.

    Example:
        >>> import minigrad
        >>> from minigrad.distributions import Independent, Normal
        >>> d = Independent(Normal(minigrad.zeros(4, 3), 1.0), 1)
        >>> d.batch_shape, d.event_shape, d.log_prob(minigrad.zeros(4, 3)).shape
        ((4,), (3,), minigrad.Size([4]))
    """

    arg_names = ()

    def __init__(self, base_distribution, reinterpreted_batch_ndims: int, validate_args=None):
        n = reinterpreted_batch_ndims
        base_batch = base_distribution.batch_shape
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(base_batch):
            raise ValueError(
                f"Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {n} vs {len(base_batch)}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        cut = len(base_batch) - n
        super().__init__(base_batch[:cut], base_batch[cut:] + base_distribution.event_shape,
                         validate_args=False)  # fmt: skip
        self.has_rsample = base_distribution.has_rsample

    def _sum(self, value):
        return (
            value.sum(tuple(range(-self.reinterpreted_batch_ndims, 0)))
            if (self.reinterpreted_batch_ndims)
            else value
        )

    def sample(self, sample_shape=()):
        """The base distribution's draw."""
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        """The base distribution's reparameterised draw."""
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        """The base log-probabilities summed over the reinterpreted dims."""
        return self._sum(self.base_dist.log_prob(value))

    def entropy(self):
        """The base entropies summed over the reinterpreted dims."""
        return self._sum(self.base_dist.entropy())

    @property
    def mean(self):
        """The base distribution's mean."""
        return self.base_dist.mean

    @property
    def variance(self):
        """The base distribution's variance."""
        return self.base_dist.variance

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
