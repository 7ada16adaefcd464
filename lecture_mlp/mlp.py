"""A multilayer perceptron in the lecture's notation, trained by backprop.

Samples are rows. Layer k (k = 1..K) has weights W^k of shape (n_{k−1}, n_k), so
``W[i, j]`` is the slides' W_ij^k (from unit i of layer k−1 to unit j of layer k), and
biases b^k of shape (n_k,):

    θ^k = O^{k−1} W^k + b^k,        O^k = σ(θ^k),        O^0 = X.

The output layer's activation belongs to the loss (sigmoid, or softmax for the
categorical cross entropy). Backprop:

    δ^K = loss.delta(θ^K, t)                          (the one loss-dependent line)
    δ^k = (δ^{k+1} W^{k+1}ᵀ) ⊙ σ'(θ^k),  σ'(θ^k) = O^k(1 − O^k)   (hidden layers)
    ∂C/∂W^k = O^{k−1}ᵀ δ^k / N,   ∂C/∂b^k = Σ_rows δ^k / N
    W^k ← W^k − η ∂C/∂W^k                             (the slides' update, averaged)

C is the loss's mean over the N samples, so every gradient carries the 1/N.
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .losses import get_loss, mean
from .validation import (
    as_float_dtype,
    as_float_matrix,
    as_rng,
    check_count,
    check_finite,
    check_positive,
    check_same_shape,
)


@dataclass
class History:
    """What ``MLP.train`` records, one entry per epoch plus one before training.

    ``loss[e]``, ``accuracy[e]``: on the training set; index 0 is the network before
    training, and index e ≥ 1 is defined by ``record``: "after" (the network after
    epoch e) or "during" (epoch e's own forward passes, see ``MLP.train``).
    ``val_loss[e]``, ``val_accuracy[e]``: on the held-out set (X_val, t_val), always
    the network before training (e = 0) and after epoch e; empty without a held-out set.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    record: str = "after"


class MLP:
    """Sigmoid MLP with layer widths ``sizes`` = [n_0, n_1, ..., n_K] and a loss.

    ``loss``: a Loss instance or one of 'quadratic', 'cross_entropy',
    'softmax_cross_entropy'. ``seed`` fixes the initial weights, drawn from
    N(0, 1/n_{k−1}) (or N(0, init_scale²) when ``init_scale`` is given); biases
    start at 0. ``dtype`` float64 (default, for gradient checks) or float32 (speed).
    ``activation`` of the hidden units: 'sigmoid' (default, the lecture's) or 'tanh'.
    """

    def __init__(self, sizes, loss, *, seed=0, dtype=np.float64, activation="sigmoid",
                 init_scale=None):
        sizes = list(sizes) if np.ndim(sizes) == 1 else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"sizes must list at least two layer widths [n_0, ..., n_K], "
                             f"got {sizes!r}")
        for n in sizes:
            check_count(n, "sizes (every layer width)", 1)
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(HIDDEN_ACTIVATIONS)}, "
                             f"got {activation!r}")
        self.dtype = as_float_dtype(dtype, "dtype")
        if init_scale is not None:
            check_positive(init_scale, "init_scale")
        self.sizes = [int(n) for n in sizes]
        self.loss_fn = get_loss(loss)  # the Loss object; net.loss(X, t) is its value
        self.activation = activation
        self._f, self._f_prime = HIDDEN_ACTIVATIONS[activation]
        rng = as_rng(seed, "seed")
        self.weights, self.biases = [], []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            scale = init_scale if init_scale is not None else 1 / np.sqrt(n_in)
            self.weights.append((rng.standard_normal((n_in, n_out)) * scale).astype(self.dtype))
            self.biases.append(np.zeros(n_out, dtype=self.dtype))

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, loss={self.loss_fn!r}, activation={self.activation!r}, "
                f"dtype={self.dtype.name})")

    @property
    def depth(self):
        """K, the number of weight layers."""
        return len(self.weights)

    # ----------------------------------------------------------------- checks
    def _check_X(self, X, finite=True):
        X = as_float_matrix(X, "X", dtype=self.dtype, finite=finite)
        if X.shape[0] == 0:
            raise ValueError(f"X must have at least one sample (row), got shape {X.shape}")
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have sizes[0] = {self.sizes[0]} columns (one per input "
                             f"unit), got shape {X.shape}")
        return X

    def _check_data(self, X, t, finite_X=True):
        X = self._check_X(X, finite_X)
        t = as_float_matrix(t, "t", dtype=self.dtype)
        check_same_shape(t, np.empty((X.shape[0], self.sizes[-1])))
        self.loss_fn._check_targets(t)
        return X, t

    # ---------------------------------------------------------------- forward
    def _forward(self, X):
        """[O^0, ..., O^{K−1}] and the output pre-activations θ^K (no checks)."""
        outputs = [X]
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            theta = outputs[-1] @ W
            theta += b  # θ^k = O^{k−1} W^k + b^k, the bias added in place
            # O^k = σ(θ^k), written over θ^k: backprop needs only O^k, as σ'(θ^k) = O^k(1 − O^k).
            outputs.append(self._f(theta, out=theta))
        theta_K = outputs[-1] @ self.weights[-1]
        theta_K += self.biases[-1]
        return outputs, theta_K

    def forward(self, X):
        """The layer outputs [O^0 = X, O^1, ..., O^K], each N × n_k."""
        outputs, theta_K = self._forward(self._check_X(X))
        return outputs + [self.loss_fn._output(theta_K)]

    def predict(self, X):
        """O^K, the network's output (N × n_K)."""
        return self.forward(X)[-1]

    def theta(self, X):
        """θ^K, the output layer's pre-activations (N × n_K)."""
        return self._forward(self._check_X(X))[1]

    def loss(self, X, t):
        """The loss's value (mean over the N samples) at the network's θ^K."""
        X, t = self._check_data(X, t)
        return mean(self.loss_fn._per_sample(self._forward(X)[1], t))

    # --------------------------------------------------------------- backward
    def _backward(self, outputs, theta_K, t, grad_W=None, scale=1.0):
        """(grad_W, grad_b) of the mean loss, times ``scale``, from a forward pass (no checks).

        ``grad_W``: arrays shaped like the weights to write into (the training loop
        passes the same ones for every batch); None allocates fresh ones. ``scale``:
        the training step passes η and gets the steps η ∂C/∂W^k, η ∂C/∂b^k.
        """
        N = theta_K.shape[0]
        grad_W = [None] * self.depth if grad_W is None else list(grad_W)
        grad_b = [None] * self.depth
        delta = self.loss_fn._delta(theta_K, t)  # δ^K: the only line that depends on the loss
        # Every gradient below is linear in δ^K, so multiplying δ^K once by scale/N (the
        # mean's 1/N, and η in a training step) scales them all, without a pass over
        # each ∂C/∂W^k. From here on ``delta`` holds (scale/N)·δ^k.
        delta = delta * (scale / N)
        for k in range(self.depth, 0, -1):  # k = K, ..., 1; weights[k-1] is W^k
            # ∂C/∂W^k = O^{k−1}ᵀ δ^k / N and ∂C/∂b^k = Σ_rows δ^k / N (times scale)
            grad_W[k - 1] = np.matmul(outputs[k - 1].T, delta, out=grad_W[k - 1])
            grad_b[k - 1] = delta.sum(axis=0)
            if k > 1:
                # Hidden layers keep σ'(θ^{k−1}) = O(1 − O) whatever the loss.
                delta = delta @ self.weights[k - 1].T
                delta *= self._f_prime(outputs[k - 1])  # δ^{k−1} = (δ^k W^kᵀ) ⊙ σ'(θ^{k−1})
        return grad_W, grad_b

    def gradients(self, X, t):
        """(grad_W, grad_b): exact gradients of ``net.loss(X, t)``, shaped like the parameters."""
        X, t = self._check_data(X, t)
        outputs, theta_K = self._forward(X)
        return self._backward(outputs, theta_K, t)

    # --------------------------------------------------------------- training
    def _step(self, X, t, eta, grad_W=None, on_batch=None):
        """One gradient-descent step on the batch (X, t): W^k ← W^k − η ∂C/∂W^k.

        ``grad_W``: optional scratch arrays shaped like the weights (see ``_backward``).
        ``on_batch(theta_K, t)``: optional, called with the batch's θ^K before the update
        (``train`` records from it; it must not keep the arrays, which are reused).
        """
        outputs, theta_K = self._forward(X)
        if on_batch is not None:
            on_batch(theta_K, t)
        self._update(self._backward(outputs, theta_K, t, grad_W, scale=eta))

    def _update(self, steps):
        """W^k ← W^k − η ∂C/∂W^k and b^k ← b^k − η ∂C/∂b^k, in place, given the steps
        (η ∂C/∂W^k, η ∂C/∂b^k) from ``_backward(..., scale=η)``."""
        step_W, step_b = steps
        # In place: the lists keep pointing at the same arrays.
        for W, b, step_Wk, step_bk in zip(self.weights, self.biases, step_W, step_b):
            W -= step_Wk  # W^k ← W^k − η ∂C/∂W^k
            b -= step_bk  # b^k ← b^k − η ∂C/∂b^k

    def epoch(self, X, t, *, eta, batch_size=None, rng=None, epoch_number=None):
        """One pass of mini-batch gradient descent over (X, t), in place.

        ``batch_size`` None is full-batch gradient descent; otherwise the rows are
        shuffled once (by ``rng``, a numpy Generator or seed) and cut into batches of
        ``batch_size`` (the last may be smaller). Each batch takes one step whose
        gradient is the mean over that batch. Bad input raises a ValueError and leaves
        the network (and ``rng``) as they were; so does a step that makes a parameter
        NaN or inf (a diverging η): the error says so, naming ``epoch_number`` if given.
        """
        # With mini-batches, X is checked for NaN and inf batch by batch (in _epoch).
        X, t = self._check_data(X, t, finite_X=batch_size is None)
        eta = check_positive(eta, "eta")
        if batch_size is not None:
            batch_size = check_count(batch_size, "batch_size", 1)
        if epoch_number is not None:
            epoch_number = check_count(epoch_number, "epoch_number", 1)
        self._epoch(X, t, eta, batch_size, as_rng(rng, "rng"),
                    check_rows=batch_size is not None, epoch_number=epoch_number)

    def _epoch(self, X, t, eta, batch_size, rng, check_rows=False, epoch_number=None,
               on_batch=None):
        """The epoch, on checked data. ``check_rows``: X has not been checked for NaN
        and inf yet; check each batch's rows as they are copied out. ``on_batch``: see
        ``_step``.

        A bad batch may come after good ones, and a step may make the parameters NaN or
        inf (η too large): so the parameters (and the generator) at the start are kept,
        and restored before the error is raised. Divergence is checked once, at the end
        of the epoch (a NaN or inf stays NaN or inf through later steps), on one sum per
        parameter array: negligible beside the epoch's steps.
        """
        N = X.shape[0]
        params = self.weights + self.biases
        start_params = [p.copy() for p in params]
        rng_state = rng.bit_generator.state
        # Overflow in a diverging epoch is reported below as an error, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            if batch_size is None or batch_size >= N:
                if check_rows:
                    check_finite(X, "X")
                self._step(X, t, eta, on_batch=on_batch)
            else:
                self._batches(X, t, eta, batch_size, rng, check_rows, start_params,
                              rng_state, on_batch)
        if not self._parameters_finite():
            _restore(params, start_params, rng, rng_state)
            raise _diverged(eta, epoch_number)

    def _batches(self, X, t, eta, batch_size, rng, check_rows, start_params, rng_state,
                 on_batch=None):
        """The mini-batch steps of one epoch (see ``_epoch``)."""
        N = X.shape[0]
        order = rng.permutation(N)  # one shuffle per epoch; batches are slices of it
        # The hot path runs thousands of same-shaped steps per epoch, so the batch's rows
        # and the weight gradients go into arrays allocated once per epoch and reused.
        # take(mode="clip") copies the rows straight into them (the default mode buffers
        # the copy to check the indices, which come from the permutation and are valid).
        X_rows = np.empty((batch_size, X.shape[1]), X.dtype)
        t_rows = np.empty((batch_size, t.shape[1]), t.dtype)
        grad_W = [np.empty_like(W) for W in self.weights]
        # Checking each batch's rows just after the copy reads them from cache, not a
        # second time from memory.
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            n = len(rows)  # batch_size, except perhaps for the last batch
            X_batch = X.take(rows, axis=0, out=X_rows[:n], mode="clip")
            if check_rows:
                try:
                    check_finite(X_batch, "X")
                except ValueError:
                    _restore(self.weights + self.biases, start_params, rng, rng_state)
                    raise
            self._step(X_batch, t.take(rows, axis=0, out=t_rows[:n], mode="clip"), eta, grad_W,
                       on_batch)

    def _parameters_finite(self):
        """True when every weight and bias is finite: a sum is finite only if every term
        is, so one sum per array settles it (entry by entry only if a sum overflows)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return all(np.isfinite(p.sum()) or np.isfinite(p).all()
                       for p in self.weights + self.biases)

    def train(self, X, t, *, eta, epochs, batch_size=None, seed=0, X_val=None, t_val=None,
              record=None):
        """Train in place by ``epochs`` calls of ``epoch``; return a History. Never prints.

        ``eta`` η > 0; ``epochs`` ≥ 0 passes; ``batch_size`` None (full batch) or ≥ 1;
        ``seed`` fixes the shuffling (one Generator for all epochs, as ``epoch``'s
        ``rng``). ``X_val``, ``t_val``: an optional held-out set, never trained on.

        What is recorded (loss = the loss's mean over the samples, as ``net.loss``;
        accuracy = the fraction classified right, as ``net.accuracy``):

        - ``history.loss[0]``, ``history.accuracy[0]``: on (X, t), the network before
          training.
        - ``history.loss[e]``, ``history.accuracy[e]`` for e = 1..epochs, on (X, t):
          - ``record="after"``: the network after epoch e, i.e. ``net.loss(X, t)`` then.
            With mini-batches this costs one forward pass over all of X per epoch
            (about half an epoch's arithmetic); with full batch it is free (the next
            step's forward pass is that record).
          - ``record="during"``: the mean over the N training samples of each sample's
            loss (and whether it was classified right) in the forward pass of the step
            that used it in epoch e, i.e. before that step's update: the mean over the
            epoch's batches of the loss before each step, each batch weighted by its
            size. It comes from the forward passes the steps do anyway, so it costs
            almost nothing. It describes the network as it moved through epoch e, not
            at its end.
          - ``record=None`` (default): "after" for full batch (batch_size None or ≥ N,
            where it is free), "during" for mini-batches. ``history.record`` says
            which was used.
        - ``history.val_loss[e]``, ``history.val_accuracy[e]`` for e = 0..epochs: on
          (X_val, t_val), the network before training (e = 0) and after epoch e: one
          forward pass over X_val each. Empty lists without a held-out set.
        """
        X, t = self._check_data(X, t)
        eta = check_positive(eta, "eta")
        epochs = check_count(epochs, "epochs", 0)
        if batch_size is not None:
            batch_size = check_count(batch_size, "batch_size", 1)
        if (X_val is None) != (t_val is None):
            raise ValueError("X_val and t_val must be given together (a held-out set), or "
                             "neither")
        if X_val is not None:
            X_val, t_val = self._check_held_out(X_val, t_val)
        full_batch = batch_size is None or batch_size >= X.shape[0]
        if record is None:
            record = "after" if full_batch else "during"
        if record not in ("after", "during"):
            raise ValueError(f"record must be 'after', 'during' or None, got {record!r}")
        rng = as_rng(seed, "seed")
        history = History(record=record)

        def held_out():
            if X_val is not None:
                self._record(history.val_loss, history.val_accuracy, self._forward(X_val)[1],
                             t_val)

        held_out()
        if full_batch and record == "after":
            # Each step's forward pass over all of X is also the record of the state
            # before it, so one forward pass per epoch serves both.
            for e in range(1, epochs + 1):
                outputs, theta_K = self._forward(X)
                self._record(history.loss, history.accuracy, theta_K, t)
                self._full_batch_step(outputs, theta_K, t, eta, epoch_number=e)
                held_out()
            self._record(history.loss, history.accuracy, self._forward(X)[1], t)
            return history
        self._record(history.loss, history.accuracy, self._forward(X)[1], t)
        for e in range(1, epochs + 1):
            if record == "after":
                self._epoch(X, t, eta, batch_size, rng, epoch_number=e)
                self._record(history.loss, history.accuracy, self._forward(X)[1], t)
            else:
                batches = _BatchRecord(self.loss_fn, *t.shape, self.dtype)
                self._epoch(X, t, eta, batch_size, rng, epoch_number=e, on_batch=batches)
                loss, accuracy = batches.loss_and_accuracy()
                history.loss.append(loss)
                history.accuracy.append(accuracy)
            held_out()
        return history

    def _full_batch_step(self, outputs, theta_K, t, eta, epoch_number):
        """The update of a full-batch epoch from its forward pass; a step that makes the
        parameters NaN or inf is undone and raised as divergence (as in ``_epoch``)."""
        params = self.weights + self.biases
        start_params = [p.copy() for p in params]
        with np.errstate(over="ignore", invalid="ignore"):
            self._update(self._backward(outputs, theta_K, t, scale=eta))
        if not self._parameters_finite():
            _restore(params, start_params)
            raise _diverged(eta, epoch_number)

    def _check_held_out(self, X_val, t_val):
        """The held-out set as checked arrays, or a ValueError naming X_val or t_val."""
        X_val = as_float_matrix(X_val, "X_val", dtype=self.dtype)
        if X_val.shape[0] == 0 or X_val.shape[1] != self.sizes[0]:
            raise ValueError(f"X_val must have at least one row and sizes[0] = {self.sizes[0]} "
                             f"columns (one per input unit), got shape {X_val.shape}")
        t_val = as_float_matrix(t_val, "t_val", dtype=self.dtype)
        check_same_shape(t_val, np.empty((X_val.shape[0], self.sizes[-1])), "t_val")
        try:
            self.loss_fn._check_targets(t_val)
        except ValueError as exc:
            raise ValueError(f"t_val (the held-out targets): {exc}") from None
        return X_val, t_val

    def _record(self, losses, accuracies, theta_K, t):
        """Append the loss and accuracy of the state whose output pre-activations are θ^K."""
        losses.append(mean(self.loss_fn._per_sample(theta_K, t)))
        accuracies.append(_accuracy(self.loss_fn._output(theta_K), t))

    def accuracy(self, X, t):
        """Fraction of samples classified right: O > ½ for one output, else the arg max."""
        X, t = self._check_data(X, t)
        return _accuracy(self.loss_fn._output(self._forward(X)[1]), t)

    def copy(self):
        """An independent copy (same sizes, loss and parameters)."""
        twin = object.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.weights = [W.copy() for W in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        return twin


def _restore(params, saved, rng=None, rng_state=None):
    """Put the parameters (in place) and the generator, if any, back as they were."""
    for p, kept in zip(params, saved):
        p[...] = kept
    if rng is not None:
        rng.bit_generator.state = rng_state


def _diverged(eta, epoch_number):
    where = "" if epoch_number is None else f" in epoch {epoch_number}"
    return ValueError(f"training diverged{where}: a step made the weights NaN or inf, so "
                      f"eta = {eta:g} is too large here; the weights and biases are restored "
                      f"to their values before that epoch. Try a smaller eta.")


def _accuracy(O, t):
    if O.shape[1] == 1:
        return float(np.mean((O > 0.5) == (t > 0.5)))
    return float(np.mean(O.argmax(axis=1) == t.argmax(axis=1)))


class _BatchRecord:
    """The "during" record of ``MLP.train``: each batch's θ^K (from its step's forward
    pass, before the update) and targets, copied into arrays for the whole epoch, then
    the loss and the right answers of all N samples at once at the end. (Computing
    them batch by batch took 44 % of an epoch at batch 10 on the 64-30-10 digits net;
    the two copies per step take about 2 %.)"""

    def __init__(self, loss_fn, N, M, dtype):
        self.loss_fn, self.filled = loss_fn, 0
        self.theta = np.empty((N, M), dtype)
        self.t = np.empty((N, M), dtype)

    def __call__(self, theta_K, t):
        n = theta_K.shape[0]
        self.theta[self.filled:self.filled + n] = theta_K
        self.t[self.filled:self.filled + n] = t
        self.filled += n

    def loss_and_accuracy(self):
        """(mean loss, fraction right) over the samples of the epoch."""
        return (mean(self.loss_fn._per_sample(self.theta, self.t)),
                _accuracy(self.loss_fn._output(self.theta), self.t))
