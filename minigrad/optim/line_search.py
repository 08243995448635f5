"""The strong-Wolfe line search of :class:`~minigrad.optim.LBFGS` (``line_search_fn=
'strong_wolfe'``), as PyTorch ports it from Torch7's ``lswolfe.lua`` (Nocedal & Wright,
*Numerical Optimization*, algorithms 3.5 and 3.6).

Along a descent direction ``d`` from the parameters ``x``, the search looks for a step
``t`` whose loss ``f(x + t d)`` and slope ``g(x + t d) . d`` satisfy both

* **sufficient decrease** (Armijo): ``f(t) <= f(0) + c1 * t * g(0).d``, and
* **curvature**: ``|g(t).d| <= c2 * |g(0).d|`` (the slope has flattened out).

It runs in two phases. *Bracketing* grows ``t`` until an interval ``[t_prev, t]`` must hold
such a point (the loss rose, or the slope turned positive). *Zoom* then shrinks that
interval, each time trying the minimum of the cubic that fits the loss and slope at its two
ends. Scalars are 0-d tensors where PyTorch has them (slopes) and Python numbers where it
has those (losses), so the arithmetic rounds as PyTorch's does.
"""

from __future__ import annotations


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimum of the cubic through two points with their values ``f`` and slopes
    ``g``, clamped to ``bounds`` (default: between the points); their midpoint when the
    cubic has no minimum.

    Example:
        >>> import minigrad
        >>> # f(x) = (x - 1)^2 from its values and slopes at 0 and 3
        >>> g1, g2 = minigrad.tensor(-2.0), minigrad.tensor(4.0)
        >>> round(float(cubic_interpolate(0.0, 1.0, g1, 3.0, 4.0, g2)), 4)
        1.0
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    # The cubic's minimum, measured from the farther point x2 (or x1 when it is larger):
    #   d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2),  d2 = sqrt(d1^2 - g1 g2)
    #   x* = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if not d2_square >= 0:
        return (xmin_bound + xmax_bound) / 2.0
    d2 = d2_square.sqrt()
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, xmin_bound), xmax_bound)


def strong_wolfe(evaluate, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Search along ``d`` for a step satisfying the strong Wolfe conditions.

    Args:
        evaluate: ``evaluate(x, t, d)`` returns the loss (a float) and the flat gradient at
            ``x + t d``, leaving the parameters at ``x``.
        x: the parameters to search from (a list of tensors).
        t: the first step to try.
        d: the search direction (a flat tensor); ``f``, ``g``, ``gtd``: the loss, the flat
            gradient and the slope ``g . d`` at ``x``.
        c1, c2: the constants of the sufficient-decrease and curvature conditions.
        tolerance_change: stop zooming once the bracket moves the parameters less.
        max_ls: the most evaluations to spend.

    Returns:
        ``(loss, flat_grad, t, evaluations)`` at the step found.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([3.0])  # f(w) = w^2, searched along d = -f'(3)
        >>> def evaluate(x, t, d):
        ...     v = x[0] + t * d
        ...     return float((v * v).sum()), 2 * v
        >>> d = minigrad.tensor([-6.0])
        >>> f, g, t, n = strong_wolfe(evaluate, [w], 1.0, d, 9.0, -d, -d.dot(d))
        >>> round(float(t), 3), round(f, 6), n  # the exact minimum, w + t d = 0
        (0.5, 0.0, 2)
    """
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = evaluate(x, t, d)
    evaluations = 1
    gtd_new = g_new.dot(d)

    # Bracketing: grow t until [t_prev, t] holds a point satisfying the conditions.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:  # both conditions hold at t itself
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:  # the slope turned: a minimum lies behind t
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        # Still descending: extrapolate, at least 1% and at most 10x further.
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.clone(), gtd_new
        f_new, g_new = evaluate(x, t, d)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # out of evaluations: zoom between the start and the last t
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom: shrink the bracket around a point satisfying the conditions.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # A trial point near an end of the bracket makes slow progress: the second time
        # in a row (or when it is outside), move it 10% of the bracket inside instead.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = evaluate(x, t, d)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # Not enough decrease, or no lower than the low end: t is the new high end.
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.clone(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the slope points away from the high end: the old low end replaces it
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.clone(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evaluations
