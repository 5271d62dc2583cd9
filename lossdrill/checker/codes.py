"""The diagnosis vocabulary: stable codes other tools depend on.

The first block is the DESIGN vocabulary; later blocks were added with the tasks beyond
the lecture. Codes are never renamed or removed; the README lists them all.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # DESIGN vocabulary
    "wrong-reduction": "sum instead of mean, mean over the wrong axis, or an extra 1/n",
    "missing-half": "a factor of 2 or 1/2 is missing or extra",
    "wrong-sign": "the result has the opposite sign",
    "unstable": "right on moderate inputs, but inf/nan/inaccurate on extreme ones",
    "constant-alpha": "focal loss weights every example by alpha instead of alpha_t",
    "distance-squared": "squared distances used where the contract wants plain distances",
    "distance-not-squared": "plain distances used where the contract wants squared ones",
    "label-convention": "labels read with the wrong convention (0/1 vs -1/+1, swapped meaning)",
    "empty-batch": "an empty batch does not return 0.0",
    "mutates-input": "the function modifies one of its inputs",
    "wrong-shape": "the result has the wrong shape",
    "wrong-type": "the result has the wrong type",
    "exception": "the function raised an exception",
    "timeout": "the function did not return in time",
    "memory": "the function used too much memory",
    "missing-function": "the file does not define the function",
    "syntax-error": "the file does not parse",
    # beyond the lecture
    "wrong-axis": "a softmax, sum or normalisation runs along the wrong axis",
    "missing-normalisation": "embeddings are not L2-normalised before the similarity",
    "self-similarity": "each view's similarity with itself is left in the denominator",
    "wrong-smoothing": "label smoothing spreads epsilon over k-1 classes instead of k",
    "ignores-parameter": "a hyperparameter (delta, q, alpha, gamma, margin, ...) is ignored",
    "swapped-arguments": "two arguments are used in each other's place (p and q, q and 1-q)",
    "probabilities-not-logits": "treats logits as probabilities (or the other way round)",
    "pos-weight-misplaced": "pos_weight multiplies the wrong term",
    "missing-temperature": "the temperature is ignored or applied the wrong way",
    "one-direction": "only one of the two directions of a symmetric loss is computed",
    "wrong-result": "the result is wrong in a way no known mistake explains",
    # trustworthy verdicts
    "forbidden-import": "the file imports lossdrill itself (its references or checker) or calls a library function that is the task's answer (on a framework track: the library loss the task asks you to write)",
    "ignores-rule": "a rule the contract states (a zero case, an overflow, a tie) is not followed",
    "dtype-cast": "one argument is converted to another's dtype (float predictions rounded to integer targets)",
    "approximate-equality": "equality is tested with a tolerance (np.isclose) where the contract means exactly equal",
    # the framework tracks (implement --framework torch|jax)
    "graph-broken": ".item(), float(), .detach(), .numpy() or torch.tensor(...) re-wrapping cuts the gradient",
    "wrong-gradient": "the values are right but the autodiff gradient is not (a clamp, where or stop_gradient blocks it)",
    "non-finite-gradient": "the gradient is inf or nan where the true gradient is finite",
    "device-mismatch": "tensors made without the input's device (they stay on the CPU for a CUDA input)",
    "dtype-changed": "the result's dtype differs from the input's (float32 in, float64 out)",
    "in-place-on-input": "an input tensor is changed in place (autograd's leaf error or a mutated input)",
    "not-jittable": "fails under jax.jit: Python control flow or float() on a traced value",
}


def describe(code: str) -> str:
    return CODES.get(code, code)
