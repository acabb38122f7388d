"""PyTorch modules behind the estimators.

This module knows torch only: no numpy, no scikit-learn, no skorch. The estimators
describe the network they want through keyword arguments and never build a layer
themselves.
"""

import warnings

import torch
from torch import nn

from ._crf import LinearChainCRF
from ._threads import single_thread

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class RecurrentEncoder(nn.Module):
    """A stack of recurrent layers that reads padded sequences without packing.

    The fused kernels run on the padded batch: the forward direction meets
    padding only after a sequence's real steps, and the backward direction reads
    each sequence reversed within its own length (:meth:`forward_padded`), so
    padding never reaches a real step and a sequence's result does not depend on
    its neighbours in the batch, as with packing but several times faster on
    CPUs. A batch whose sequences all share one length takes the plain path.
    """

    def __init__(
        self,
        input_size,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        init="torch",
    ):
        super().__init__()
        kwargs = dict(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            # torch warns when dropout is set on a single layer: it only acts
            # between layers.
            dropout=dropout if num_layers > 1 else 0.0,
            batch_first=True,
        )
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.rnn = _CELLS[cell](**kwargs)
        self.cell = cell
        self.num_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.num_directions
        if init == "orthogonal":
            self.orthogonal_init()

    def orthogonal_init(self):
        """Orthogonal hidden-to-hidden weights (each gate's block) and, for the
        LSTM, a forget-gate bias of 1 (Jozefowicz et al. 2015).

        An orthogonal recurrent matrix keeps the norm of the state and of the
        gradient through the steps of a long sequence at the start of training,
        and a forget gate that starts open lets the gradient reach early steps;
        torch's default (uniform weights, zero biases) halves the memory at
        every step. The input weights keep torch's initialisation. The QR
        factorisations run on one thread, so that the weights do not depend
        on the caller's thread count.
        """
        hidden_size = self.rnn.hidden_size
        with torch.no_grad(), single_thread():
            for name, weight in self.rnn.named_parameters():
                if name.startswith("weight_hh"):
                    for block in weight.split(hidden_size, dim=0):
                        nn.init.orthogonal_(block)
                elif name.startswith("bias") and self.cell == "lstm":
                    # Gates in torch's order: input, forget, cell, output. The
                    # two biases add up, so the forget gate starts at 1.
                    weight.zero_()
                    if name.startswith("bias_hh"):
                        weight[hidden_size : 2 * hidden_size] = 1.0

    def forward(self, values, lengths, input_affine=None):
        """Run the recurrence.

        Returns ``(outputs, last)``: ``outputs`` of shape
        ``(batch, max_length, output_size)`` (meaningless on padding steps) and
        ``last`` of shape ``(batch, output_size)``, the final state of each
        direction of the top layer at each sequence's own end.

        ``input_affine``, a pair ``(shift, inv_scale)`` of vectors of the input
        size or None, standardises the inputs as ``(values - shift) *
        inv_scale`` without touching them: the affine map is folded into the
        first layer's input weights, exactly equivalent and free of any pass
        over the data.

        Padding never reaches a real step, as with packing, but the fused
        kernels run on the padded batch, several times faster than packed input
        on CPUs (3x at 40 steps, 20x at 500): the forward direction reads
        padding only after a sequence's real steps, and the backward direction
        of a bidirectional network reads each sequence reversed within its own
        length. Each sequence's final state is taken at its own end.
        """
        max_length = values.shape[1]
        lengths_cpu = lengths.cpu() if lengths.device.type != "cpu" else lengths
        if bool((lengths_cpu != max_length).any()):
            return self.forward_padded(values, lengths.to(values.device), input_affine)
        outputs = self._run_stack(values, input_affine)
        if self.num_directions == 1:
            return outputs, outputs[:, -1]
        hidden_size = self.rnn.hidden_size
        last = torch.cat(
            [outputs[:, -1, :hidden_size], outputs[:, 0, hidden_size:]], dim=-1
        )
        return outputs, last

    def forward_padded(self, values, lengths, input_affine=None):
        """The recurrence for batches of any lengths, without data-dependent
        branches (so :func:`torch.export` can trace it).

        A unidirectional network runs on the padded batch and each sequence's
        final state is read at its own last step. A bidirectional one runs layer
        by layer: the forward direction on the padded batch, the backward
        direction on each sequence reversed within its own length, with the
        weights of ``self.rnn`` (the same kernels ``nn.LSTM`` calls).
        """
        rows = torch.arange(values.shape[0], device=values.device)
        if self.num_directions == 1:
            outputs = self._run_stack(values, input_affine)
            return outputs, outputs[rows, lengths - 1]
        outputs = values
        for layer in range(self.rnn.num_layers):
            if layer > 0 and self.training and self.rnn.dropout > 0:
                outputs = nn.functional.dropout(outputs, self.rnn.dropout)
            weights = self._layer_weights(layer, False, input_affine)
            forward = self._run(outputs, weights, 1, bidirectional=False)
            weights = self._layer_weights(layer, True, input_affine)
            backward = reverse_within(
                self._run(
                    reverse_within(outputs, lengths), weights, 1, bidirectional=False
                ),
                lengths,
            )
            outputs = torch.cat([forward, backward], dim=-1)
        last = torch.cat([forward[rows, lengths - 1], backward[:, 0]], dim=-1)
        return outputs, last

    def _layer_weights(self, layer, reverse, input_affine):
        """One direction's weights of one layer, in the order the kernels take.

        On the first layer ``input_affine`` is folded in: ``W (x - shift) *
        inv_scale + b = (W * inv_scale) x + (b - (W * inv_scale) shift)``.
        """
        suffix = f"_l{layer}" + ("_reverse" if reverse else "")
        weights = [
            getattr(self.rnn, name + suffix)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
        if input_affine is not None and layer == 0:
            shift, inv_scale = input_affine
            weights[0] = weights[0] * inv_scale
            weights[2] = weights[2] - weights[0] @ shift
        return weights

    def _run_stack(self, values, input_affine):
        """Top-layer outputs of the whole stack on a padded batch."""
        if input_affine is None:
            return self.rnn(values)[0]
        weights = [
            weight
            for layer in range(self.rnn.num_layers)
            for reverse in (False, True)[: self.num_directions]
            for weight in self._layer_weights(layer, reverse, input_affine)
        ]
        return self._run(
            values,
            weights,
            self.rnn.num_layers,
            bidirectional=self.num_directions == 2,
        )

    def _run(self, inputs, weights, num_layers, *, bidirectional):
        """Call the fused kernel of the cell with the given weights."""
        h0 = inputs.new_zeros(
            num_layers * (2 if bidirectional else 1),
            inputs.shape[0],
            self.rnn.hidden_size,
        )
        args = (
            weights,
            True,
            num_layers,
            self.rnn.dropout,
            self.training,
            bidirectional,
            True,
        )
        if not inputs.is_cuda:
            return self._call_kernel(inputs, h0, args)
        # cuDNN warns that the weights are not one contiguous block; it copies
        # them per call, which is cheap at these sizes.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*contiguous chunk")
            return self._call_kernel(inputs, h0, args)

    def _call_kernel(self, inputs, h0, args):
        if self.cell == "lstm":
            return torch.lstm(inputs, (h0, h0), *args)[0]
        if self.cell == "gru":
            return torch.gru(inputs, h0, *args)[0]
        run = torch.rnn_tanh if self.rnn.nonlinearity == "tanh" else torch.rnn_relu
        return run(inputs, h0, *args)[0]


def reverse_within(values, lengths):
    """Each sequence's real steps in reverse order; padding steps stay in place."""
    steps = torch.arange(values.shape[1], device=values.device)[None, :]
    last = lengths[:, None] - 1
    index = torch.where(steps <= last, last - steps, steps)
    return torch.gather(values, 1, index[:, :, None].expand(-1, -1, values.shape[2]))


def step_mask(lengths, max_length):
    """Boolean mask ``(batch, max_length)``, true on real steps."""
    steps = torch.arange(max_length, device=lengths.device)
    return steps[None, :] < lengths[:, None]


class MaskedBatchNorm(nn.Module):
    """Batch normalisation of ``(batch, channels, steps)`` over real steps only.

    :class:`torch.nn.BatchNorm1d` would count the padding of a batch of
    sequences of different lengths in its statistics; this one averages over
    the steps inside ``mask`` ``(batch, 1, steps)``. Training normalises by the
    batch's statistics and updates running ones (momentum 0.1, as torch);
    evaluation uses the running statistics, so a prediction does not depend
    on the other sequences of its batch.
    """

    def __init__(self, channels, *, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, hidden, mask):
        if self.training:
            mean, _, var, count = _masked_moments(hidden, mask.to(hidden.dtype))
            self._update_running(mean, var, count)
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * torch.rsqrt(var + self.eps)
        return (hidden - mean[None, :, None]) * scale[None, :, None] + self.bias[
            None, :, None
        ]

    def relu(self, hidden, mask):
        """``relu(self(hidden, mask))``, zero outside ``mask``, in one step.

        Training runs :class:`_NormReLU`, whose hand-written backward makes
        one pass where autograd's chain of masked sums, subtractions and
        products makes several; that is most of a long series' convolutional
        cost. Evaluation is the plain formula (running statistics)."""
        if not (self.training and torch.is_grad_enabled()):
            return torch.relu(self(hidden, mask)) * mask.to(hidden.dtype)
        output, mean, var, count = _NormReLU.apply(
            hidden, mask, self.weight, self.bias, self.eps
        )
        self._update_running(mean, var, count)
        return output

    @torch.no_grad()
    def _update_running(self, mean, var, count):
        """The running statistics moved toward the batch's (``var`` biased,
        stored unbiased, as torch)."""
        unbiased = var * count / (count - 1).clamp(min=1)
        self.running_mean.lerp_(mean.detach(), self.momentum)
        self.running_var.lerp_(unbiased.detach(), self.momentum)


def _masked_moments(hidden, inside):
    """Per-channel mean and biased variance of ``hidden (batch, channels,
    steps)`` over the steps where ``inside (batch, 1, steps)``, the mask as
    ``hidden``'s dtype, is 1: ``(mean, centred, var, count)``, ``centred``
    being ``hidden - mean`` inside the mask and zero outside, ``count`` a
    tensor, at least 1. The mask is applied by multiplying with it (the
    features it masks are finite): torch's CPU ``where`` on a boolean mask
    runs several times slower."""
    count = inside.sum().clamp(min=1)
    mean = (hidden * inside).sum(dim=(0, 2)) / count
    centred = (hidden - mean[None, :, None]).mul_(inside)
    var = (centred * centred).sum(dim=(0, 2)) / count
    return mean, centred, var, count


class _NormReLU(torch.autograd.Function):
    """Masked batch normalisation (batch statistics), affine, ReLU and the
    mask in one autograd node. Besides the output it returns the batch's mean,
    variance and count (no gradient) for the running statistics."""

    @staticmethod
    def forward(ctx, hidden, mask, weight, bias, eps):
        inside = mask.to(hidden.dtype)
        mean, normalised, var, count = _masked_moments(hidden, inside)
        rstd = torch.rsqrt(var + eps)
        normalised.mul_(rstd[None, :, None])
        output = torch.addcmul(bias[None, :, None], normalised, weight[None, :, None])
        output.relu_().mul_(inside)
        ctx.save_for_backward(normalised, output, inside, weight, rstd, count)
        ctx.mark_non_differentiable(mean, var, count)
        return output, mean, var, count

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output, *_):
        normalised, output, inside, weight, rstd, count = ctx.saved_tensors
        # Zero where the ReLU was off, which includes everything off the mask
        # (the ReLU's own backward: one pass, where a comparison and a
        # ``where`` take many times longer on a random pattern).
        grad = torch.ops.aten.threshold_backward(grad_output, output, 0)
        grad_bias = grad.sum(dim=(0, 2))
        grad_weight = (grad * normalised).sum(dim=(0, 2))
        # weight * rstd * (grad - mean(grad) - normalised * mean(grad *
        # normalised)), zero off the mask (grad and normalised are).
        scale = (weight * rstd)[None, :, None]
        grad_hidden = torch.addcmul(
            (grad_bias / count)[None, :, None] * inside,
            normalised,
            (grad_weight / count)[None, :, None],
        )
        grad_hidden = torch.sub(grad, grad_hidden).mul_(scale)
        return grad_hidden, None, grad_weight, grad_bias, None


class SequenceNormalization(nn.Module):
    """Each sequence z-normalised by its own mean and standard deviation.

    ``values (batch, steps, features)`` become ``(values - mean) / sqrt(var +
    eps**2)`` per sequence and feature, both over the sequence's real steps
    (padding is never counted and comes out zero), so a sequence's result does
    not depend on its batch and is the same at any offset or positive scale.
    Beside them it returns what the normalisation removes, for the network's
    head: ``asinh(mean)`` and ``log(sqrt(var + eps**2))`` of each feature,
    ``(batch, 2 * features)``, from the same one pass. ``eps`` keeps a
    constant sequence finite (zero out, and finite gradients). Series whose
    levels differ by orders of magnitude (appliance currents) then reach the
    convolutions at one scale, with their level and scale still known.
    """

    def __init__(self, input_size, *, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.output_size = 2 * input_size

    def forward(self, values, lengths):
        """``(normalised values, summary)``: the first shaped as ``values``,
        the second ``(batch, output_size)``."""
        inside = step_mask(lengths, values.shape[1])[..., None]
        count = lengths.to(values.dtype)[:, None, None]
        mean = torch.where(inside, values, 0.0).sum(dim=1, keepdim=True) / count
        centred = torch.where(inside, values - mean, 0.0)
        var = (centred**2).sum(dim=1, keepdim=True) / count
        std = torch.sqrt(var + self.eps**2)
        summary = torch.cat([torch.asinh(mean), torch.log(std)], dim=-1)[:, 0]
        return torch.where(inside, centred / std, 0.0), summary


class ConvFrontEnd(nn.Module):
    """Convolutions before the recurrence: local shapes in, fewer steps out.

    ``n_layers`` blocks of a 1-D convolution (``channels`` filters of width
    ``kernel_size``, stride ``stride``, no bias), batch normalisation over the
    real steps (:class:`MaskedBatchNorm`) and a ReLU: the convolutional part of
    LSTM-FCN (Karim et al. 2018), whose family is the strongest recurrent one
    on the UCR archive, with strides. A stride above 1 shortens the series the
    recurrence reads, which is most of the cost of long series. Outputs past a
    sequence's own end are set to zero after every block, so a sequence's
    features do not depend on the padding of its batch, and the returned
    lengths are each sequence's own. :meth:`pool` is the features' mean over
    each sequence's steps (FCN's global average pooling), which the network's
    head reads beside the recurrent readout, as LSTM-FCN's does. The first
    convolution reads each input feature twice, as given and z-normalised by
    its own sequence (:class:`SequenceNormalization`), and the forward pass
    also returns each sequence's level and log-scale for the head
    (``summary_size`` values).
    """

    def __init__(self, input_size, *, channels=64, kernel_size=7, stride=2, n_layers=3):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride
        self.padding = kernel_size // 2
        # The input twice, as given and normalised by each sequence itself.
        self.normalization = SequenceNormalization(input_size)
        self.summary_size = self.normalization.output_size
        self.convs = nn.ModuleList(
            nn.Conv1d(
                2 * input_size if i == 0 else channels,
                channels,
                kernel_size,
                stride=stride,
                padding=self.padding,
                # The batch normalisation after it removes a bias: its gradient
                # is rounding noise, which Adam scales up to steps of the full
                # rate (seen: biases apart by 0.007 between two fits whose
                # weights differed by 2e-5).
                bias=False,
            )
            for i in range(n_layers)
        )
        self.norms = nn.ModuleList(MaskedBatchNorm(channels) for _ in range(n_layers))
        self.output_size = channels

    def forward(self, values, lengths):
        """``values (batch, steps, input_size)`` to ``(features (batch,
        new_steps, channels), new_lengths, summary (batch, summary_size))``.
        The convolution reads neighbouring steps, so padding is zeroed first,
        whatever it holds (shifted scaled zeros, the character features of
        padding tokens)."""
        inside = step_mask(lengths, values.shape[1])[..., None]
        normalised, summary = self.normalization(values, lengths)
        values = torch.cat([values, normalised], dim=-1)
        hidden = torch.where(inside, values, 0.0).transpose(1, 2)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            hidden = self._convolve(conv, hidden)
            lengths = self._output_length(lengths)
            inside = step_mask(lengths, hidden.shape[2])[:, None, :]
            hidden = norm.relu(hidden, inside)
        return hidden.transpose(1, 2), lengths, summary

    def _convolve(self, conv, hidden):
        """``conv(hidden)``, on an input padded with zeros to a multiple of the
        stride. torch 2.13's CPU convolution (oneDNN) computes the gradient of
        a stride-2 convolution's input wrongly with two or more threads for
        some odd lengths (123, 251, 507, 635 ... at 64 channels, relative
        errors of 0.3 that change from run to run; even lengths were all
        right from 8 to 1,400 steps): training then took wrong steps and a
        seed's fit was not reproducible. The zeros appended sit where the
        convolution's own padding is, so the output is the same, cut to its
        length without them. Without a gradient (prediction, export) there is
        nothing to pad for."""
        steps = hidden.shape[2]
        if not hidden.requires_grad or steps % self.stride == 0:
            return conv(hidden)
        extra = -steps % self.stride
        padded = conv(nn.functional.pad(hidden, (0, extra)))
        return padded[..., : self._output_length(steps)]

    def _output_length(self, steps):
        """A block's output length for an input of ``steps`` (an int or a
        tensor of lengths)."""
        return (steps + 2 * self.padding - self.kernel_size) // self.stride + 1

    @staticmethod
    def pool(features, lengths):
        """The mean of ``features (batch, steps, channels)`` over each
        sequence's real steps: ``(batch, channels)``."""
        mask = step_mask(lengths, features.shape[1])[..., None]
        return _masked_mean(features, mask, lengths)


READOUTS = ("last", "mean", "max", "attention", "concat")


class Readout(nn.Module):
    """Summarise a sequence's recurrent outputs into one vector.

    ``'last'`` is the final state of each direction at the sequence's own end;
    ``'mean'`` and ``'max'`` pool over real steps only; ``'attention'`` is a
    learnt weighted mean over real steps (:class:`AttentionPooling`);
    ``'concat'`` is ``last``, ``mean`` and ``max`` side by side, three times
    ``input_size`` wide. Padding steps never count, whatever they hold (NaN
    too), so a sequence's vector does not depend on its neighbours in the
    batch.
    """

    def __init__(self, mode="last", input_size=None):
        super().__init__()
        if mode not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}; got {mode!r}.")
        self.mode = mode
        self.attention = AttentionPooling(input_size) if mode == "attention" else None
        width = 3 if mode == "concat" else 1
        self.output_size = None if input_size is None else width * input_size

    def forward(self, outputs, last, lengths):
        if self.mode == "last":
            return last
        lengths = lengths.to(outputs.device)
        mask = step_mask(lengths, outputs.shape[1])[..., None]
        if self.mode == "attention":
            return self.attention(outputs, mask)
        if self.mode == "mean":
            return _masked_mean(outputs, mask, lengths)
        if self.mode == "max":
            return _masked_max(outputs, mask)
        return torch.cat(
            [last, _masked_mean(outputs, mask, lengths), _masked_max(outputs, mask)],
            dim=-1,
        )


def _masked_mean(outputs, mask, lengths):
    # where, not a product: padding outputs may be anything, NaN too.
    total = torch.where(mask, outputs, 0.0).sum(dim=1)
    return total / lengths.to(outputs.dtype)[:, None]


def _masked_max(outputs, mask):
    return outputs.masked_fill(~mask, float("-inf")).max(dim=1).values


class AttentionPooling(nn.Module):
    """Attention pooling: a weighted mean of the steps, the weights learnt.

    Each step's output ``h_t`` gets the score ``v . tanh(W h_t + b)``
    (additive attention, Bahdanau et al. 2015, as pooled by Yang et al. 2016
    for document classification); a softmax over the real steps of the
    sequence turns the scores into weights. Padding steps get weight exactly
    zero and their outputs are replaced by zeros before anything reads them,
    so the result is that of the sequence alone, whatever the padding holds.
    """

    def __init__(self, input_size, attention_size=None):
        super().__init__()
        attention_size = attention_size or input_size
        self.project = nn.Linear(input_size, attention_size)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def forward(self, outputs, mask):
        """``outputs (batch, steps, size)`` and ``mask (batch, steps, 1)``, true on
        real steps, to ``(batch, size)``."""
        outputs = torch.where(mask, outputs, 0.0)
        return (self.weights(outputs, mask) * outputs).sum(dim=1)

    def weights(self, outputs, mask):
        """The weight of each step, ``(batch, steps, 1)``: zero on padding,
        summing to one over each sequence's real steps."""
        outputs = torch.where(mask, outputs, 0.0)
        scores = self.score(torch.tanh(self.project(outputs)))
        return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)


class CharEncoder(nn.Module):
    """Convolution over a word's characters, max-pooled: one vector per word.

    It gives words never seen in training a representation built from their
    spelling (suffixes, capitals, digits), which is what lifts taggers on unknown
    words.
    """

    def __init__(self, n_chars, *, char_dim=30, n_filters=50, width=3):
        super().__init__()
        self.embed = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.conv = nn.Conv1d(char_dim, n_filters, width, padding=width // 2)
        self.output_size = n_filters

    def forward(self, chars):
        # chars: (n_words, max_word_length) ids, 0 after each word's end.
        hidden = self.conv(self.embed(chars).transpose(1, 2))
        real = (chars != 0)[:, None, :]
        pooled = hidden.masked_fill(~real, float("-inf")).max(dim=2).values
        # An empty word has no characters: give it zeros, not -inf.
        return torch.where(real.any(dim=2), pooled, torch.zeros_like(pooled))


class TokenEmbedder(nn.Module):
    """Embeddings of each token field, plus the character encoding of the word."""

    def __init__(
        self,
        vocabulary_sizes,
        n_chars,
        *,
        embedding_dim=100,
        char_features=50,
        word_dropout=0.0,
        word_dim=None,
        frozen_words=False,
    ):
        super().__init__()
        self.word_dropout = word_dropout
        # The first field is the word (of size word_dim when pretrained vectors
        # set it); other fields (part of speech, ...) have small vocabularies
        # and get small embeddings.
        dims = [word_dim or embedding_dim]
        dims += [min(embedding_dim, 32)] * (len(vocabulary_sizes) - 1)
        self.fields = nn.ModuleList(
            nn.Embedding(size, dim, padding_idx=0)
            for size, dim in zip(vocabulary_sizes, dims, strict=True)
        )
        # Frozen pretrained vectors live in buffers, outside the optimizer
        # (so weight decay cannot move them either); the trainable embedding
        # serves the words without a vector.
        self.frozen_words = frozen_words
        if frozen_words:
            n_words = vocabulary_sizes[0]
            self.register_buffer("pretrained", torch.zeros(n_words, dims[0]))
            self.register_buffer("is_pretrained", torch.zeros(n_words, dtype=bool))
        self.chars = (
            CharEncoder(n_chars, n_filters=char_features) if char_features else None
        )
        self.output_size = sum(dims) + (char_features or 0)

    def load_word_vectors(self, ids, vectors):
        """Start (or, when frozen, fix) the words ``ids`` at ``vectors``."""
        ids = torch.as_tensor(ids, dtype=torch.long)
        vectors = torch.as_tensor(vectors)
        with torch.no_grad():
            target = self.pretrained if self.frozen_words else self.fields[0].weight
            target[ids] = vectors.to(target.dtype)
            if self.frozen_words:
                self.is_pretrained[ids] = True

    def forward(self, ids, word_types, chars):
        if self.training and self.word_dropout > 0:
            # Replace words by the unknown-word id (1) at random, so that the
            # network learns to tag from spelling and context too.
            words = ids[..., 0]
            dropped = torch.rand(words.shape, device=words.device) < self.word_dropout
            ids = ids.clone()
            ids[..., 0] = torch.where(dropped & (words > 0), 1, words)
        parts = [embed(ids[..., k]) for k, embed in enumerate(self.fields)]
        if self.frozen_words:
            words = ids[..., 0]
            parts[0] = torch.where(
                self.is_pretrained[words, None],
                nn.functional.embedding(words, self.pretrained),
                parts[0],
            )
        if self.chars is not None:
            # chars: (batch, rows, width), the batch's word types flattened.
            table = self.chars(chars.reshape(-1, chars.shape[-1]))
            parts.append(table[word_types])
        return torch.cat(parts, dim=-1)


class ReconstructionDecoder(nn.Module):
    """Rebuild a sequence's steps from its code, the encoder's final state.

    An unconditioned recurrent decoder (Srivastava et al. 2015, as in the
    EncDec-AD anomaly detector of Malhotra et al. 2016): it starts from the code
    and reads no input, so everything it rebuilds must pass through the code.
    It emits the steps last first (the most recent step is the easiest to
    recall), put back in time order within each sequence's own length; a
    sequence's result does not depend on the others in the batch.
    """

    def __init__(self, code_size, *, cell="lstm", nonlinearity="tanh"):
        super().__init__()
        kwargs = dict(input_size=1, hidden_size=code_size, batch_first=True)
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.rnn = _CELLS[cell](**kwargs)
        self.cell = cell
        self.output_size = code_size

    def forward(self, code, lengths, max_length):
        """``code (batch, code_size)`` to ``(batch, max_length, code_size)``
        outputs in time order (meaningless on padding steps)."""
        inputs = code.new_zeros(code.shape[0], max_length, 1)
        h0 = code[None].contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        outputs = self.rnn(inputs, state)[0]
        return reverse_within(outputs, lengths.to(code.device))


#: Self-supervised per-step objectives of :class:`SequenceNetwork`.
OBJECTIVES = ("next_step", "reconstruction")


class InputScaling:
    """Input standardisation of a network that reads numbers, folded into the
    first layer's weights (see :meth:`RecurrentEncoder.forward`). The buffers
    are not part of the state dict: the estimator owns the statistics and sets
    them with :meth:`set_input_scaling`."""

    def _init_input_scaling(self, enabled, size):
        self.input_scaling = enabled
        # Off while the estimator trains on data it standardised itself.
        self.fold_input_scaling = True
        if enabled:
            self.register_buffer("input_shift", torch.zeros(size), False)
            self.register_buffer("input_inv_scale", torch.ones(size), False)

    def set_input_scaling(self, mean, scale):
        """Standardise inputs as ``(values - mean) / scale`` (tensors or arrays)."""
        with torch.no_grad():
            self.input_shift.copy_(torch.as_tensor(mean))
            self.input_inv_scale.copy_(1.0 / torch.as_tensor(scale))

    def input_affine(self):
        """``(shift, inv_scale)`` for :meth:`RecurrentEncoder.forward`, or None."""
        if not (self.input_scaling and self.fold_input_scaling):
            return None
        return self.input_shift, self.input_inv_scale


class SequenceNetwork(InputScaling, nn.Module):
    """Recurrent encoder, readout and linear head.

    With ``per_step=False`` the output is ``(batch, output_size)``, one vector per
    sequence; with ``per_step=True`` it is ``(batch, max_length, output_size)``,
    one vector per step (values on padding steps are meaningless).

    ``objective`` makes a per-step network predict its own input (the anomaly
    detector): ``'next_step'`` emits at step t what the state before step t
    (zero, the initial state, at t = 0) predicts, so step t is predicted from
    the steps before it alone; ``'reconstruction'`` emits a
    :class:`ReconstructionDecoder`'s rebuilding of every step from the
    sequence's code. Their representation is that code: the encoder's final
    state.
    """

    def __init__(
        self,
        input_size,
        output_size,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        init="torch",
        front_end=None,
        readout="last",
        per_step=False,
        token_vocabulary_sizes=None,
        n_chars=0,
        embedding_dim=100,
        char_features=50,
        word_dropout=0.0,
        word_dim=None,
        frozen_words=False,
        input_scaling=False,
        objective=None,
        dtype=torch.float32,
    ):
        super().__init__()
        if objective is not None and (objective not in OBJECTIVES or not per_step):
            raise ValueError(
                f"objective must be None or one of {OBJECTIVES} with per_step=True; "
                f"got {objective!r} with per_step={per_step}."
            )
        self.objective = objective
        self.embedder = None
        if token_vocabulary_sizes is not None:
            self.embedder = TokenEmbedder(
                token_vocabulary_sizes,
                n_chars,
                embedding_dim=embedding_dim,
                char_features=char_features,
                word_dropout=word_dropout,
                word_dim=word_dim,
                frozen_words=frozen_words,
            )
            input_size = self.embedder.output_size
        # The input size before any front end, which input scaling works on.
        scaled_size = input_size
        self.front_end = None
        if front_end is not None and (per_step or front_end != "conv"):
            raise ValueError(
                f"front_end must be None or 'conv' (one output per sequence); "
                f"got {front_end!r} with per_step={per_step}."
            )
        if front_end == "conv":
            self.front_end = ConvFrontEnd(input_size)
            input_size = self.front_end.output_size
        self.encoder = RecurrentEncoder(
            input_size,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            init=init,
        )
        self.per_step = per_step
        self.readout = None if per_step else Readout(readout, self.encoder.output_size)
        self.decoder = None
        if objective == "reconstruction":
            self.decoder = ReconstructionDecoder(
                self.encoder.output_size, cell=cell, nonlinearity=nonlinearity
            )
        features = self.encoder.output_size if per_step else self.readout.output_size
        if self.front_end is not None:
            features += self.front_end.output_size + self.front_end.summary_size
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = nn.Linear(features, output_size)
        self._init_input_scaling(input_scaling and self.embedder is None, scaled_size)
        self.to(dtype)

    def forward(
        self,
        lengths,
        values=None,
        ids=None,
        word_types=None,
        chars=None,
        *,
        branch_free=False,
        representation=False,
    ):
        """Raw outputs (logits, emissions or standardised predictions).

        The one forward pass of the network: the estimators train and predict
        with it, and :func:`skrnn.export` traces it. ``values`` are numeric
        inputs (zero on padding); token input passes ``ids``, ``word_types``
        and ``chars`` instead (see :class:`TokenEmbedder`). ``branch_free=True``
        runs :meth:`RecurrentEncoder.forward_padded`, which :func:`torch.export`
        can trace; the default skips its work when a batch has no padding.
        ``representation=True`` returns what the head reads instead: the
        readout's vector per sequence, or the top layer's outputs per step.
        """
        if self.embedder is not None:
            values = self.dropout(self.embedder(ids, word_types, chars))
        encode = self.encoder.forward_padded if branch_free else self.encoder
        input_affine = self.input_affine()
        if self.front_end is not None:
            if input_affine is not None:
                # Nothing to fold the scaling into: scale (the front end zeroes
                # the padding).
                shift, inv_scale = input_affine
                values = (values - shift) * inv_scale
                input_affine = None
            values, lengths, summary = self.front_end(values, lengths.to(values.device))
            pooled = torch.cat([self.front_end.pool(values, lengths), summary], dim=-1)
        outputs, last = encode(values, lengths, input_affine)
        if self.objective is not None and representation:
            return last
        if self.objective == "next_step":
            # What the state before each step says of it; the initial state
            # (zero) speaks for the first step.
            features = torch.cat([torch.zeros_like(outputs[:, :1]), outputs[:, :-1]], 1)
        elif self.objective == "reconstruction":
            features = self.decoder(last, lengths, outputs.shape[1])
        elif self.per_step:
            features = outputs
        else:
            features = self.readout(outputs, last, lengths)
            if self.front_end is not None:
                # What the convolutions found anywhere in the sequence, beside
                # what the recurrence made of their order (LSTM-FCN's head).
                features = torch.cat([features, pooled], dim=-1)
        if representation:
            return features
        if not isinstance(self.dropout, nn.Identity):
            features = self.dropout(features)
        return self.head(features)


class CRFLoss(nn.Module):
    """Negative log-likelihood of a linear-chain CRF over per-step emissions.

    The CRF's transition scores live here, in the criterion, and are trained with
    the network (skorch gives the criterion's parameters to the optimizer). The
    loss is averaged over real steps, weighted like :class:`SequenceLoss`.
    """

    def __init__(self, num_tags, dtype=torch.float32):
        super().__init__()
        self.crf = LinearChainCRF(num_tags).to(dtype)

    def decode(self, y_pred, lengths):
        """The CRF's best tags (Viterbi) for emissions ``y_pred``: what the
        tagger predicts, and so what its validation score must count."""
        return self.crf.decode(y_pred, lengths.to(y_pred.device))

    def forward(self, y_pred, target, lengths, weight=None):
        log_likelihood = self.crf.log_likelihood(y_pred, target, lengths)
        lengths = lengths.to(log_likelihood.device, log_likelihood.dtype)
        if weight is not None and weight.ndim == 2:
            # Per-step weights (class weights): the likelihood scores whole
            # sequences, so a sequence weighs the mean of its steps' weights
            # (exact for sequences of one step).
            mask = step_mask(lengths.long(), weight.shape[1]).to(weight.dtype)
            weight = (weight * mask).sum(dim=1) / lengths
        if weight is None:
            return -log_likelihood.sum() / lengths.sum()
        return -(weight * log_likelihood).sum() / (weight * lengths).sum()


class SequenceLoss(nn.Module):
    """Weighted mean loss over sequences, or over real steps for per-step outputs.

    ``kind`` is ``'cross_entropy'`` (``y_pred`` holds logits, ``target`` class
    indices), ``'mse'``, or ``'pinball'``: the quantile loss of each output at
    its level in ``quantiles`` (one level per output column, NaN for the
    squared error of a mean; the forecaster repeats each target once per
    output). With weights the result is
    ``sum(w * loss) / sum(w)`` over the batch (per-step losses count each real
    step of a sequence with the sequence's weight), so integer weights give the
    same loss as repeating sequences.
    """

    def __init__(self, kind="mse", quantiles=None):
        super().__init__()
        self.kind = kind
        if kind == "pinball":
            self.register_buffer("levels", torch.tensor(quantiles), False)

    def forward(self, y_pred, target, lengths, weight=None):
        if self.kind == "pinball":
            return self._pinball(y_pred, target, weight)
        per_step = y_pred.ndim == 3
        if per_step and weight is None and int(lengths.min()) == y_pred.shape[1]:
            # No padding in this batch: the mean over real steps is the plain mean.
            per_step = False
            if self.kind == "cross_entropy":
                y_pred = y_pred.transpose(1, 2)
        if weight is None and not per_step:
            # The common case in one fused kernel (and one autograd node).
            if self.kind == "cross_entropy":
                return nn.functional.cross_entropy(y_pred, target)
            return nn.functional.mse_loss(y_pred, target)
        if self.kind == "cross_entropy":
            logits = y_pred.transpose(1, 2) if per_step else y_pred
            losses = nn.functional.cross_entropy(logits, target, reduction="none")
        else:
            losses = (y_pred - target).square().mean(dim=-1)
        if per_step:
            step_weight = step_mask(lengths.to(losses.device), losses.shape[1])
            step_weight = step_weight.to(losses.dtype)
            if weight is not None:
                step_weight = step_weight * (
                    weight if weight.ndim == 2 else weight[:, None]
                )
            return (losses * step_weight).sum() / step_weight.sum()
        if weight is None:
            return losses.mean()
        return (losses * weight).sum() / weight.sum()

    def _pinball(self, y_pred, target, weight):
        """Mean quantile (pinball) loss over outputs, weighted over sequences."""
        error = target - y_pred
        levels = self.levels.to(error.dtype)
        mean = torch.isnan(levels)
        levels = torch.where(mean, 0.5, levels)
        pinball = torch.maximum(levels * error, (levels - 1) * error)
        # The means and the quantiles weigh alike, however many levels there
        # are: the point forecast must not learn from the quantiles' gradients
        # alone.
        n_mean = mean.sum()
        losses = torch.where(mean, error.square(), 0.0).sum(dim=-1) / n_mean.clamp(
            min=1
        ) + torch.where(mean, 0.0, pinball).sum(dim=-1) / (~mean).sum().clamp(min=1)
        if weight is None:
            return losses.mean()
        return (losses * weight).sum() / weight.sum()
