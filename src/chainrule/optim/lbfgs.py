"""L-BFGS (Liu & Nocedal 1989), a port of ``torch.optim.LBFGS`` with its strong-Wolfe line
search (Nocedal & Wright 2006, algorithms 3.5 and 3.6, with cubic interpolation)."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, enable_grad
from .optimizer import Optimizer, check_number

LINE_SEARCHES = (None, "strong_wolfe")


def _as_float(loss):
    return loss.item() if isinstance(loss, Tensor) else float(loss)


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to
    ``bounds`` (default: the interval between x1 and x2); its midpoint if the cubic has none.
    Nocedal & Wright (2006), equation 3.59."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square**0.5
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, low), high)
    return (low + high) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                 max_ls=25):
    """Find a step t along d satisfying the strong Wolfe conditions

        f(x + t d) <= f(x) + c1 t g^T d          (sufficient decrease)
        |g(x + t d)^T d| <= c2 |g^T d|           (curvature)

    by bracketing (expanding t up to 10x per try) and then zooming with cubic interpolation.
    ``obj_func(x, t, d)`` returns (loss, flat gradient) at x + t d. Returns
    (f_new, g_new, t, number of evaluations).
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    evaluations = 1
    gtd_new = g_new.dot(d)

    # bracketing phase: find an interval containing a point that satisfies the conditions
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate with a cubic between t + 1% and 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # reached the maximum number of tries
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: shrink the bracket until a point satisfies the conditions
    insufficient_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # keep t away from the ends of the bracket (Moré & Thuente's safeguard)
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) \
                    else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = obj_func(x, t, d)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evaluations


class LBFGS(Optimizer):
    r"""Limited-memory BFGS for full-batch problems; ``step(closure)`` runs up to ``max_iter``
    iterations (PyTorch's ``LBFGS``, step for step).

    Each iteration approximates the inverse Hessian from the last ``history_size`` pairs
    s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k (kept when y^T s > 1e-10) by the two-loop
    recursion, starting from H_0 = (s^T y / y^T y) I:

        q = -g;  for k newest..oldest: a_k = rho_k s_k^T q;  q = q - a_k y_k   (rho_k = 1/y_k^T s_k)
        r = H_0 q;  for k oldest..newest: b_k = rho_k y_k^T r;  r = r + (a_k - b_k) s_k
        d = r;  x = x + t d

    with t = lr (on the very first iteration min(1, 1/||g||_1) lr), or the step found by the
    strong-Wolfe line search when ``line_search_fn="strong_wolfe"``.

    Parameters
    ----------
    params : iterable of Tensor
        One parameter group only.
    lr : float
    max_iter : int
        Iterations per ``step()``.
    max_eval : int, optional
        Function evaluations per ``step()`` (default max_iter * 5 // 4).
    tolerance_grad : float
        Stop when max |g| <= tolerance_grad.
    tolerance_change : float
        Stop when the step or the change of loss is below this.
    history_size : int
    line_search_fn : None or "strong_wolfe"
    """

    requires_closure = True

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and isinstance(max_iter, int):
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: does not support parameter groups (got "
                             f"{len(self.param_groups)}); pass one list of parameters")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS: does not support parameter groups")
        super().add_param_group(param_group)

    def _check_group(self, group):
        for name in ("lr", "tolerance_grad", "tolerance_change"):
            check_number("LBFGS", name, group[name])
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: {name} must be a positive integer, got {value!r}")
        if group["line_search_fn"] not in LINE_SEARCHES:
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r}")

    # ------------------------------------------------------------------ flat views
    def _gather_flat_grad(self):
        return np.concatenate([np.zeros(p.data.size, dtype=p.data.dtype) if p.grad is None
                               else p.grad.reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            size = p.data.size
            p.data += step_size * update[offset:offset + size].reshape(p.data.shape)
            offset += size

    def _clone_param(self):
        return [p.data.copy() for p in self._params]

    def _set_param(self, values):
        for p, value in zip(self._params, values):
            p.data[...] = value

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = _as_float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ------------------------------------------------------------------ the step
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; return the loss before them.

        Parameters
        ----------
        closure : callable
            Zeroes the gradients, computes the full-batch loss, calls ``backward()`` and
            returns the loss.
        """
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step needs a closure that re-evaluates the loss and its "
                            "gradient (zero_grad, loss, backward, return loss)")

        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = _as_float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss  # already optimal

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")  # noqa: N806 - H_0 of the recursion
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # ---- the direction d
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1  # noqa: N806
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # noqa: N806
                num_old = len(old_dirs)
                al = [0.0] * num_old
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # ---- the step size t
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            evaluations = 0
            if line_search_fn == "strong_wolfe":
                x_init = self._clone_param()

                def obj_func(x, step, direction):
                    return self._directional_evaluate(evaluate, x, step, direction)

                loss, flat_grad, t, evaluations = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                optimal = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                optimal = False
                if n_iter != max_iter:  # re-evaluate unless this was the last iteration
                    loss = _as_float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    optimal = np.abs(flat_grad).max() <= tolerance_grad
                    evaluations = 1
            current_evals += evaluations
            state["func_evals"] += evaluations

            # ---- the stopping rules
            if n_iter == max_iter or current_evals >= max_eval or optimal:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    def _update(self, param, grad, state, group):  # pragma: no cover - step() is overridden
        raise TypeError("LBFGS updates in step(closure)")

    # ------------------------------------------------------------------ saving and resuming
    def state_dict(self):
        """As `Optimizer.state_dict`, with the curvature pairs stacked into arrays of shape
        (k, n) (k pairs kept, n parameters in all) and ``ro`` into shape (k,)."""
        saved = super().state_dict()
        for values in saved["state"].values():
            n = sum(p.data.size for p in self._params)
            dtype = self._params[0].data.dtype
            for name in ("old_dirs", "old_stps"):
                if name in values:
                    pairs = values[name]
                    values[name] = (np.stack(pairs) if pairs else np.zeros((0, n), dtype=dtype))
            if "ro" in values:
                values["ro"] = np.asarray(values["ro"], dtype=np.float64)
            for name in ("d", "prev_flat_grad"):
                if isinstance(values.get(name), np.ndarray):
                    values[name] = values[name].copy()
            for name in ("t", "H_diag", "prev_loss"):
                if isinstance(values.get(name), (np.generic, np.ndarray)):
                    values[name] = float(values[name])
        return saved

    def _restore(self, where, index, name, value, param):
        if isinstance(value, Tensor):
            value = value.data
        n = sum(p.data.size for p in self._params)
        dtype = self._params[0].data.dtype
        if name in ("old_dirs", "old_stps"):
            value = np.asarray(value, dtype=dtype)
            if value.ndim != 2 or value.shape[1] != n:
                raise ValueError(f"{where}: {name} must have shape (k, {n}), got {value.shape}")
            return [row.copy() for row in value]
        if name == "ro":
            return [float(v) for v in np.asarray(value).reshape(-1)]
        if name in ("d", "prev_flat_grad"):
            value = np.asarray(value, dtype=dtype)
            if value.shape != (n,):
                raise ValueError(f"{where}: {name} must have shape ({n},), got {value.shape}")
            return value.copy()
        if isinstance(value, (np.ndarray, np.generic)):
            return value.item()
        return value
