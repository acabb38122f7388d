"""A linear-chain conditional random field (CRF) output layer.

This module knows torch only. Tensors are batch-first; each sequence's padding is
at its end and every sequence has at least one step. Scores are unnormalised log
potentials: a tag sequence ``y`` of length ``n`` scores

    start[y[0]] + sum(emissions[t, y[t]] for t < n)
    + sum(transitions[y[t - 1], y[t]] for 0 < t < n) + end[y[n - 1]]

and ``p(y | emissions)`` is its softmax over all tag sequences of length ``n``.
Every loop runs over time only, never over the batch.
"""

import torch
from torch import nn

# Score of a forbidden transition. Finite, so log-sum-exp and gradients stay
# finite even where every path is forbidden; exp(-1e4) is 0 in float32 and
# float64, so a forbidden path has probability 0 and never wins Viterbi.
FORBIDDEN_SCORE = -1e4

_REDUCTIONS = ("none", "sum", "mean", "token_mean")


class LinearChainCRF(nn.Module):
    """Linear-chain CRF trained by its log-likelihood and decoded by Viterbi.

    Parameters
    ----------
    num_tags : int
        Number of tags.
    allowed_transitions : bool tensor of shape (num_tags, num_tags), default=None
        ``allowed_transitions[i, j]`` is false where tag ``j`` may never follow
        tag ``i``. None allows every transition.
    allowed_start : bool tensor of shape (num_tags,), default=None
        False for tags that may never start a sequence. None allows all.
    allowed_end : bool tensor of shape (num_tags,), default=None
        False for tags that may never end a sequence. None allows all.

    Attributes
    ----------
    start_transitions : Parameter of shape (num_tags,)
        Score of starting with each tag.
    end_transitions : Parameter of shape (num_tags,)
        Score of ending with each tag.
    transitions : Parameter of shape (num_tags, num_tags)
        ``transitions[i, j]`` is the score of moving from tag ``i`` to tag ``j``.

    Notes
    -----
    The parameters start at zero. The log-likelihood is concave in them, so there is
    no symmetry to break and no bad basin to escape; at zero the CRF starts as an
    independent softmax over each step's emissions, and building it draws nothing
    from torch's random generator, so adding a CRF leaves the initialisation of the
    layers built after it unchanged.

    Forbidden transitions score ``FORBIDDEN_SCORE`` (-1e4) whatever their parameter
    holds, and their parameters receive no gradient. The masks are buffers: they
    follow ``.to(device)`` and are saved in the ``state_dict``.

    Examples
    --------
    >>> import torch
    >>> crf = LinearChainCRF(3)
    >>> emissions = torch.randn(2, 4, 3)
    >>> tags = torch.tensor([[0, 1, 2, 1], [2, 2, 0, 0]])
    >>> lengths = torch.tensor([4, 2])
    >>> crf.log_likelihood(emissions, tags, lengths).shape
    torch.Size([2])
    >>> crf.decode(emissions, lengths)[1, 2:]
    tensor([-1, -1])
    >>> crf.marginals(emissions, lengths).detach().sum(-1).round(decimals=4)
    tensor([[1., 1., 1., 1.],
            [1., 1., 0., 0.]])
    """

    def __init__(
        self,
        num_tags,
        *,
        allowed_transitions=None,
        allowed_start=None,
        allowed_end=None,
    ):
        super().__init__()
        self.num_tags = num_tags
        self.start_transitions = nn.Parameter(torch.zeros(num_tags))
        self.end_transitions = nn.Parameter(torch.zeros(num_tags))
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.register_buffer(
            "allowed_transitions", torch.ones(num_tags, num_tags, dtype=torch.bool)
        )
        self.register_buffer("allowed_start", torch.ones(num_tags, dtype=torch.bool))
        self.register_buffer("allowed_end", torch.ones(num_tags, dtype=torch.bool))
        self.set_allowed_transitions(allowed_transitions, allowed_start, allowed_end)

    def extra_repr(self):
        return f"num_tags={self.num_tags}"

    def set_allowed_transitions(
        self, allowed_transitions=None, allowed_start=None, allowed_end=None
    ):
        """Forbid transitions, for example those never seen in the training tags.

        Each argument is a boolean mask (true: allowed) shaped as in the class
        docstring; None allows everything. See :func:`observed_transitions`.
        """
        for name, mask in [
            ("allowed_transitions", allowed_transitions),
            ("allowed_start", allowed_start),
            ("allowed_end", allowed_end),
        ]:
            buffer = getattr(self, name)
            if mask is None:
                buffer.fill_(True)
                continue
            mask = torch.as_tensor(mask, dtype=torch.bool)
            if mask.shape != buffer.shape:
                raise ValueError(
                    f"{name} must have shape {tuple(buffer.shape)} for "
                    f"{self.num_tags} tags; got shape {tuple(mask.shape)}."
                )
            buffer.copy_(mask)
        return self

    def forward(self, emissions, tags, lengths, reduction="none"):
        """Same as :meth:`log_likelihood`."""
        return self.log_likelihood(emissions, tags, lengths, reduction=reduction)

    def log_likelihood(self, emissions, tags, lengths, reduction="none"):
        """Log-probability of each tag sequence given its emissions.

        Parameters
        ----------
        emissions : float tensor of shape (batch, max_length, num_tags)
            Per-step tag scores. Values on padding are ignored (even NaN).
        tags : long tensor of shape (batch, max_length)
            Gold tags. Values on padding are ignored (even -100).
        lengths : long tensor of shape (batch,)
            Number of real steps in each sequence, each at least 1; any device.
        reduction : {'none', 'sum', 'mean', 'token_mean'}, default='none'
            'none' returns one value per sequence, 'mean' averages over sequences
            and 'token_mean' divides the sum by the number of real steps.

        Returns
        -------
        log_likelihood : tensor of shape (batch,), or a scalar when reduced
            In the emissions' dtype. Negate it for a loss.
        """
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"reduction must be one of {_REDUCTIONS}; got {reduction!r}."
            )
        emissions, mask, lengths = self._prepare(emissions, lengths)
        start, transitions, end = self._scores(emissions)
        tags = tags.to(emissions.device).masked_fill(~mask, 0)

        gold = emissions.gather(2, tags.unsqueeze(2)).squeeze(2).sum(1)
        steps = transitions[tags[:, :-1], tags[:, 1:]]
        gold = gold + steps.masked_fill(~mask[:, 1:], 0.0).sum(1)
        last_tags = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
        gold = gold + start[tags[:, 0]] + end[last_tags]

        alphas = _log_alphas(emissions, start, transitions)
        last_alpha = alphas.gather(1, _at_ends(lengths, self.num_tags)).squeeze(1)
        result = gold - torch.logsumexp(last_alpha + end, dim=1)
        if reduction == "sum":
            return result.sum()
        if reduction == "mean":
            return result.mean()
        if reduction == "token_mean":
            return result.sum() / mask.sum()
        return result

    @torch.no_grad()
    def decode(self, emissions, lengths):
        """Most likely tag sequence of each sequence (Viterbi).

        Parameters
        ----------
        emissions : float tensor of shape (batch, max_length, num_tags)
        lengths : long tensor of shape (batch,)

        Returns
        -------
        tags : long tensor of shape (batch, max_length)
            Best tags on real steps and -1 on padding, on the emissions' device.
        """
        emissions, mask, lengths = self._prepare(emissions, lengths)
        start, transitions, end = self._scores(emissions)
        max_length = emissions.shape[1]

        score = start + emissions[:, 0]
        backpointers = []
        for step in range(1, max_length):
            best, argbest = (score.unsqueeze(2) + transitions).max(dim=1)
            backpointers.append(argbest)
            score = torch.where(mask[:, step, None], best + emissions[:, step], score)

        # Walk back from each sequence's own end: a sequence that has ended keeps
        # its final tag until the walk reaches its last real step.
        current = (score + end).argmax(dim=1)
        path = [current]
        for step in range(max_length - 1, 0, -1):
            previous = backpointers[step - 1].gather(1, current.unsqueeze(1))
            current = torch.where(step < lengths, previous.squeeze(1), current)
            path.append(current)
        path = torch.stack(path[::-1], dim=1)
        return path.masked_fill(~mask, -1)

    def marginals(self, emissions, lengths):
        """Posterior probability of each tag at each step (forward-backward).

        Parameters
        ----------
        emissions : float tensor of shape (batch, max_length, num_tags)
        lengths : long tensor of shape (batch,)

        Returns
        -------
        marginals : tensor of shape (batch, max_length, num_tags)
            ``p(y_t = k | emissions)``; sums to 1 over tags on real steps and is 0
            on padding. Differentiable.
        """
        emissions, mask, lengths = self._prepare(emissions, lengths)
        start, transitions, end = self._scores(emissions)
        alphas = _log_alphas(emissions, start, transitions)

        # beta[b, t, i]: log-sum of the scores of every way to finish the
        # sequence from tag i at step t.
        beta = end.expand_as(emissions[:, 0])
        betas = [beta]
        for step in range(emissions.shape[1] - 1, 0, -1):
            following = (emissions[:, step] + beta).unsqueeze(1)
            previous = torch.logsumexp(transitions + following, dim=2)
            # A sequence whose last real step is step - 1 starts its beta there.
            beta = torch.where(mask[:, step, None], previous, end)
            betas.append(beta)

        log_marginals = alphas + torch.stack(betas[::-1], dim=1)
        # Normalising per step rather than subtracting log Z makes each step sum
        # to 1 up to rounding; the two are equal in exact arithmetic.
        return log_marginals.softmax(dim=2).masked_fill(~mask.unsqueeze(2), 0.0)

    def _prepare(self, emissions, lengths):
        if emissions.dim() != 3 or emissions.shape[2] != self.num_tags:
            raise ValueError(
                "emissions must have shape (batch, max_length, num_tags="
                f"{self.num_tags}); got shape {tuple(emissions.shape)}."
            )
        lengths = lengths.to(emissions.device)
        steps = torch.arange(emissions.shape[1], device=emissions.device)
        mask = steps < lengths.unsqueeze(1)
        # Zeroing padding keeps garbage there (inf, NaN) out of every sum and out
        # of the gradients, where 0 * NaN would otherwise leak back.
        emissions = emissions.masked_fill(~mask.unsqueeze(2), 0.0)
        return emissions, mask, lengths

    def _scores(self, emissions):
        """Start, transition and end scores with forbidden ones replaced."""
        dtype = emissions.dtype
        start = self.start_transitions.masked_fill(~self.allowed_start, FORBIDDEN_SCORE)
        transitions = self.transitions.masked_fill(
            ~self.allowed_transitions, FORBIDDEN_SCORE
        )
        end = self.end_transitions.masked_fill(~self.allowed_end, FORBIDDEN_SCORE)
        return start.to(dtype), transitions.to(dtype), end.to(dtype)


def _at_ends(lengths, num_tags):
    """Index of each sequence's last step, shaped to gather along time."""
    return (lengths - 1).view(-1, 1, 1).expand(-1, 1, num_tags)


def _log_alphas(emissions, start, transitions):
    """Forward algorithm: ``alphas[b, t, j]``, the log-sum of the scores of all
    paths through steps ``0..t`` that end in tag ``j``.

    Every sequence runs to ``max_length`` on its zeroed padding and callers read
    each sequence's value at its own last step: cheaper than a masked update per
    step, and the values past the end stay finite.
    """
    # A product in exp space (shift, exp, matmul, log) runs about 25% faster here,
    # but underflows once scores spread by about 87 in float32 and then goes wrong;
    # log-sum-exp stays exact at any scale.
    steps = emissions.unbind(1)
    alpha = start + steps[0]
    alphas = [alpha]
    for emission in steps[1:]:
        alpha = torch.logsumexp(alpha.unsqueeze(2) + transitions, dim=1) + emission
        alphas.append(alpha)
    return torch.stack(alphas, dim=1)


def observed_transitions(tags, lengths, num_tags):
    """Masks of the transitions, start tags and end tags present in ``tags``.

    Parameters
    ----------
    tags : long tensor of shape (batch, max_length)
        Tag sequences, padded at the end (values on padding are ignored).
    lengths : long tensor of shape (batch,)
        Number of real steps in each sequence, each at least 1.
    num_tags : int
        Number of tags.

    Returns
    -------
    allowed_transitions, allowed_start, allowed_end : bool tensors
        Of shapes (num_tags, num_tags), (num_tags,) and (num_tags,), ready for
        :meth:`LinearChainCRF.set_allowed_transitions`.

    Examples
    --------
    >>> import torch
    >>> tags = torch.tensor([[0, 1, 1], [2, 0, 0]])
    >>> transitions, start, end = observed_transitions(
    ...     tags, torch.tensor([3, 1]), num_tags=3
    ... )
    >>> transitions.int()
    tensor([[0, 1, 0],
            [0, 1, 0],
            [0, 0, 0]], dtype=torch.int32)
    >>> start, end
    (tensor([ True, False,  True]), tensor([False,  True,  True]))
    """
    lengths = lengths.to(tags.device)
    steps = torch.arange(tags.shape[1], device=tags.device)
    mask = steps < lengths.unsqueeze(1)
    tags = tags.masked_fill(~mask, 0)
    pairs = tags[:, :-1] * num_tags + tags[:, 1:]
    counts = torch.bincount(pairs[mask[:, 1:]], minlength=num_tags * num_tags)
    last_tags = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
    return (
        counts.view(num_tags, num_tags) > 0,
        torch.bincount(tags[:, 0], minlength=num_tags) > 0,
        torch.bincount(last_tags, minlength=num_tags) > 0,
    )
