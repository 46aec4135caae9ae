"""Hand-written NumPy references: the floors chainrule's overhead is measured against.

No graph, no modules, no optimizer objects: the same array kernels chainrule runs (``x @ W``,
``+= b``, ``np.maximum``, the shifted softmax, Adam's in-place updates), called directly. What
chainrule spends beyond these is its own overhead. Where chainrule's Adam runs its fused kernel
(`chainrule.kernels`, with numba installed), the floor calls the same kernel function.
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    """An MLP with ReLU, softmax cross-entropy and Adam, written as one function per step.

    Forward, for layers l = 1..L with h_0 = x:
        z_l = h_{l-1} W_l + b_l,   h_l = max(0, z_l) (l < L),   s = z_L
        p = softmax(s),   loss = mean_i (-log p_{i, y_i})
    Backward, with G_L = (p - onehot(y)) / n:
        dW_l = h_{l-1}^T G_l,   db_l = sum_i G_l,   G_{l-1} = (G_l W_l^T) * 1[h_{l-1} > 0]
    Adam (Kingma & Ba 2015), for each parameter x with gradient g, at step t:
        m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
        x = x - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Parameters
    ----------
    weights : list of ndarray of shape (d_in, d_out)
    biases : list of ndarray of shape (d_out,)
        Copied: the references train their own arrays.
    lr, betas, eps : Adam's hyperparameters.
    fused : bool
        Update with chainrule's fused Adam kernel (as ``optim.Adam`` does when numba is
        installed) instead of the NumPy passes below.
    """

    def __init__(self, weights, biases, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, fused=False):
        self.weights = [np.array(w) for w in weights]
        self.biases = [np.array(b) for b in biases]
        self.params = [p for pair in zip(self.weights, self.biases) for p in pair]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.work = [np.empty_like(p) for p in self.params]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.t = 0
        self.fused = fused

    def _forward(self, x):
        """The scores s and the input h_{l-1} of every layer (what the backward pass needs)."""
        inputs = [x]
        h = x
        last = len(self.weights) - 1
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            z = h @ weight
            z += bias
            h = np.maximum(z, 0) if index < last else z
            if index < last:
                inputs.append(h)
        return h, inputs

    def scores(self, x):
        return self._forward(x)[0]

    def step(self, x, y):
        """One training step on the batch (x : (n, d) float32, y : (n,) int); returns the loss."""
        n = x.shape[0]
        rows = np.arange(n)
        h, inputs = self._forward(x)
        last = len(self.weights) - 1
        shifted = h - h.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        loss = float((np.log(sum_exp)[:, 0] - shifted[rows, y]).mean())
        exp /= sum_exp
        grad = exp
        grad[rows, y] -= 1
        grad *= np.float32(1.0 / n) if grad.dtype == np.float32 else 1.0 / n

        grads = [None] * len(self.params)
        for index in range(last, -1, -1):
            h_in = inputs[index]
            grads[2 * index] = h_in.T @ grad
            grads[2 * index + 1] = grad.sum(axis=0)
            if index > 0:
                grad = (grad @ self.weights[index].T) * (h_in > 0)
        self._adam(grads)
        return loss

    def _adam(self, grads):
        self.t += 1
        beta1, beta2 = self.beta1, self.beta2
        bias_correction1 = 1 - beta1**self.t
        bias_correction2 = 1 - beta2**self.t
        if self.fused:
            from chainrule import kernels

            for x, g, m, v in zip(self.params, grads, self.m, self.v):
                if not kernels.adam(x, g, m, v, None, beta1=beta1, beta2=beta2, eps=self.eps,
                                    sqrt_bias_correction2=bias_correction2**0.5,
                                    step_size=self.lr / bias_correction1):
                    raise RuntimeError("the fused Adam kernel did not run")
            return
        for x, g, m, v, work in zip(self.params, grads, self.m, self.v, self.work):
            m *= beta1
            np.multiply(g, 1 - beta1, out=work)
            m += work                                   # m = beta1 m + (1 - beta1) g
            v *= beta2
            np.multiply(g, g, out=work)
            work *= 1 - beta2
            v += work                                   # v = beta2 v + (1 - beta2) g^2
            denom = np.sqrt(v, out=work)
            denom /= bias_correction2**0.5
            denom += self.eps
            np.divide(m, denom, out=work)
            work *= self.lr / bias_correction1
            x -= work


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient of a linear classifier, fully vectorized.

    L = (1/N) sum_i (-s_{i,y_i} + log sum_j e^{s_ij}) + reg sum W^2,  s = X W
    dL/dW = X^T (P - Y) / N + 2 reg W,  P = softmax(s), Y = onehot(y)

    Parameters
    ----------
    W : ndarray of shape (D, C)
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,), int
    reg : float

    Returns
    -------
    loss : float
    dW : ndarray of shape (D, C)
    """
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    sum_exp = exp.sum(axis=1, keepdims=True)
    loss = (np.log(sum_exp).sum() - scores[rows, y].sum()) / n + reg * float(np.vdot(W, W))
    exp /= sum_exp
    exp[rows, y] -= 1
    exp /= n
    dW = X.T @ exp
    dW += (2 * reg) * W
    return float(loss), dW


def svm_loss_vectorized(W, X, y, reg, margin=1.0):
    """Multiclass SVM loss and gradient of a linear classifier, fully vectorized.

    L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_{i,y_i} + margin) + reg sum W^2
    dL/dW = X^T M / N + 2 reg W, with M_ij = 1[margin_ij > 0] (j != y_i) and
    M_{i,y_i} = -(number of positive margins in row i).
    """
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    correct = scores[rows, y][:, None]
    margins = scores - correct + W.dtype.type(margin)
    margins[rows, y] = 0
    positive = margins > 0
    loss = float(np.where(positive, margins, 0).sum()) / n + reg * float(np.vdot(W, W))
    mask = positive.astype(W.dtype)
    mask[rows, y] = -positive.sum(axis=1)
    mask /= n
    dW = X.T @ mask
    dW += (2 * reg) * W
    return loss, dW


class SoftmaxRegressionObjective:
    """f(W, b) = (1/N) sum_i -log softmax(x_i W + b)_{y_i} + lam sum W^2, for L-BFGS.

    ``theta`` packs W (D x C, row-major) then b (C). The loss and gradient are computed in the
    data's dtype (float32); `value_and_grad_float64` wraps them for scipy, which iterates in
    float64. `exact_value` recomputes f in float64, the common yardstick of the optima.
    """

    def __init__(self, X, y, n_classes, lam):
        self.X, self.y, self.lam = X, np.asarray(y), float(lam)
        self.n, self.d = X.shape
        self.c = n_classes
        self.rows = np.arange(self.n)

    @property
    def size(self):
        return self.d * self.c + self.c

    def split(self, theta):
        return theta[: self.d * self.c].reshape(self.d, self.c), theta[self.d * self.c:]

    def value_and_grad(self, theta):
        W, b = self.split(theta)
        scores = self.X @ W
        scores += b
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        sum_exp = exp.sum(axis=1, keepdims=True)
        value = ((np.log(sum_exp).sum(dtype=np.float64) - scores[self.rows, self.y].sum(
            dtype=np.float64)) / self.n + self.lam * float(np.vdot(W, W)))
        exp /= sum_exp
        exp[self.rows, self.y] -= 1
        exp /= self.n
        grad = np.empty_like(theta)
        grad_W, grad_b = self.split(grad)
        np.matmul(self.X.T, exp, out=grad_W)
        grad_W += (2 * self.lam) * W
        exp.sum(axis=0, out=grad_b)
        return float(value), grad

    def value_and_grad_float64(self, theta64):
        value, grad = self.value_and_grad(theta64.astype(self.X.dtype))
        return value, grad.astype(np.float64)

    def exact_value(self, theta):
        X = self.X.astype(np.float64)
        W, b = self.split(np.asarray(theta, dtype=np.float64))
        scores = X @ W + b
        scores -= scores.max(axis=1, keepdims=True)
        log_sum_exp = np.log(np.exp(scores).sum(axis=1))
        return float((log_sum_exp - scores[self.rows, self.y]).mean() + self.lam * np.vdot(W, W))
