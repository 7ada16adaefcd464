"""PyTorch twins of ``MLP.epoch`` for the epoch benchmark (torch is an optional extra).

Both start from a lecture_mlp network's weights (so the same initial scale), shuffle
once per epoch (``torch.randperm``) and index each batch, and take steps on the mean
over the batch of the package's per-sample losses:

    quadratic       ½ Σ_j (σ(θ_j^K) − t_j)²                    (MSE summed, halved)
    cross_entropy   −Σ_j [t_j log σ(θ_j^K) + (1 − t_j) log(1 − σ(θ_j^K))]
                    (BCEWithLogits summed over the outputs)

- ``AutogradTwin``: the usual way, nn.Linear layers, autograd and torch.optim.SGD.
- ``ByHandTwin``: the package's backprop written with torch tensors, no autograd.
"""

import numpy as np
import torch
import torch.nn.functional as F

LOSSES = ("quadratic", "cross_entropy")


def _mean_loss(loss, theta_K, t):
    """The mean over the batch of the package's per-sample loss, from θ^K."""
    if loss == "quadratic":
        return 0.5 * F.mse_loss(torch.sigmoid(theta_K), t, reduction="sum") / len(t)
    if loss == "cross_entropy":
        return F.binary_cross_entropy_with_logits(theta_K, t, reduction="sum") / len(t)
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


class AutogradTwin:
    """Sigmoid MLP with nn.Linear layers, trained by autograd and torch.optim.SGD."""

    def __init__(self, net, loss, eta):
        layers = []
        for W, b in zip(net.weights, net.biases):
            linear = torch.nn.Linear(*W.shape, dtype=_torch_dtype(W.dtype))
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T))  # nn.Linear stores W^kᵀ
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.Sigmoid()]
        self.model = torch.nn.Sequential(*layers[:-1])  # outputs θ^K; the loss adds σ
        self.loss = loss
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=eta)

    def gradients(self, X, t):
        """[∂C/∂W^k], [∂C/∂b^k] as numpy arrays, W^k shaped n_{k−1} × n_k."""
        self.optimizer.zero_grad()
        _mean_loss(self.loss, self.model(X), t).backward()
        linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        return ([m.weight.grad.T.numpy().copy() for m in linears],
                [m.bias.grad.numpy().copy() for m in linears])

    def epoch(self, X, t, batch_size, generator):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            self.optimizer.zero_grad()
            _mean_loss(self.loss, self.model(X[rows]), t[rows]).backward()
            self.optimizer.step()


class ByHandTwin:
    """The package's backprop in torch, no autograd: δ^K from the loss, then
    δ^k = (δ^{k+1} W^{k+1}ᵀ) ⊙ O^k(1 − O^k), W^k ← W^k − η O^{k−1}ᵀ δ^k / N."""

    def __init__(self, net, loss, eta):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        self.weights = [torch.from_numpy(W.copy()) for W in net.weights]
        self.biases = [torch.from_numpy(b.copy()) for b in net.biases]
        self.loss, self.eta = loss, eta

    @torch.no_grad()
    def sums(self, X, t):
        """[O^{k−1}ᵀ δ^k], [Σ_rows δ^k] on the batch: N times the gradients."""
        outputs = [X]
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            outputs.append(torch.sigmoid(torch.addmm(b, outputs[-1], W)))
        O = torch.sigmoid(torch.addmm(self.biases[-1], outputs[-1], self.weights[-1]))
        delta = O - t
        if self.loss == "quadratic":
            delta *= O * (1 - O)
        sum_W, sum_b = [None] * len(self.weights), [None] * len(self.weights)
        for k in range(len(self.weights), 0, -1):
            sum_W[k - 1] = outputs[k - 1].T @ delta
            sum_b[k - 1] = delta.sum(dim=0)
            if k > 1:
                O = outputs[k - 1]
                delta = (delta @ self.weights[k - 1].T) * O * (1 - O)
        return sum_W, sum_b

    def gradients(self, X, t):
        """[∂C/∂W^k], [∂C/∂b^k] (torch tensors) of the mean loss on the batch."""
        sum_W, sum_b = self.sums(X, t)
        return [s / len(X) for s in sum_W], [s / len(X) for s in sum_b]

    @torch.no_grad()
    def epoch(self, X, t, batch_size, generator):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            sum_W, sum_b = self.sums(X[rows], t[rows])
            step = self.eta / len(rows)  # η/N folded into one in-place update
            for W, b, sW, sb in zip(self.weights, self.biases, sum_W, sum_b):
                W.sub_(sW, alpha=step)
                b.sub_(sb, alpha=step)


TWINS = {"torch_autograd": AutogradTwin, "torch_by_hand": ByHandTwin}


def _torch_dtype(dtype):
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[dtype]


def gradient_agreement(net, X, t, loss):
    """Largest relative error between the package's gradients and each twin's, on
    the batch (X, t); run in float64 before timing, so the timed code is the same maths."""
    from lecture_mlp.gradcheck import rel_error

    grad_W, grad_b = net.gradients(X, t)
    Xt, tt = torch.from_numpy(X), torch.from_numpy(t)
    errors = {}
    for name, twin in TWINS.items():
        twin_W, twin_b = twin(net, loss, eta=0.1).gradients(Xt, tt)
        errors[name] = max(rel_error(a, np.asarray(b))
                           for a, b in zip(grad_W + grad_b, list(twin_W) + list(twin_b)))
    return errors
