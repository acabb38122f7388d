"""Encoder-decoder network with attention, and its batched decoders.

Torch only, like :mod:`skrnn._modules`, whose encoder and token embedder it
reuses. The decoder follows Luong et al. (2015), "Effective approaches to
attention-based neural machine translation": a recurrent decoder reads the
previous output token, attends over the encoder's outputs with its new state,
and a tanh layer over ``[state; context]`` feeds the output softmax. Without
input feeding, a teacher-forced decoder runs the whole target in one fused
recurrent call and attends over every step in one batched product, which is
most of an epoch's speed on CPUs.

Output ids: ``PAD`` (0) pads targets, ``BOS`` (1) starts every decoder input,
``EOS`` (2) ends every target; the tokens of ``y`` are ids 3 and up. The
decoders never emit ``PAD`` or ``BOS``, and never ``EOS`` first (targets are
never empty). Every decoder treats each sequence on its own: a sequence's
output does not depend on the other sequences of its batch.
"""

from functools import partial

import torch
from torch import nn

from ._modules import InputScaling, RecurrentEncoder, TokenEmbedder, step_mask

PAD, BOS, EOS = 0, 1, 2
N_RESERVED = 3

ATTENTIONS = ("general", "additive", "dot")


class Attention(nn.Module):
    """Scores of decoder states against encoder outputs, and the context.

    ``'general'`` is multiplicative, ``s . W h`` (Luong); ``'dot'`` is ``s . h``
    (decoder and encoder sizes equal); ``'additive'`` is ``v . tanh(W s + U h)``
    (Bahdanau et al. 2015).
    """

    def __init__(self, kind, query_size, key_size):
        super().__init__()
        if kind not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}; got {kind!r}.")
        if kind == "dot" and query_size != key_size:
            raise ValueError(
                f"attention='dot' needs the decoder's size ({query_size}) to equal "
                f"the encoder's ({key_size}); use 'general' or 'additive'."
            )
        self.kind = kind
        if kind == "general":
            self.key = nn.Linear(key_size, query_size, bias=False)
        elif kind == "additive":
            self.key = nn.Linear(key_size, query_size, bias=False)
            self.query = nn.Linear(query_size, query_size)
            self.score = nn.Linear(query_size, 1, bias=False)

    def keys(self, memory):
        """What the scores read of the encoder outputs, computed once."""
        return memory if self.kind == "dot" else self.key(memory)

    def forward(self, queries, memory, keys, mask):
        """``queries (B, T, Q)``, ``memory (B, S, K)``, ``keys`` from
        :meth:`keys`, ``mask (B, S)`` true on real source steps, to
        ``(context (B, T, K), weights (B, T, S))``."""
        if self.kind == "additive":
            hidden = torch.tanh(self.query(queries)[:, :, None] + keys[:, None])
            scores = self.score(hidden).squeeze(-1)
        else:
            scores = torch.bmm(queries, keys.transpose(1, 2))
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, memory), weights


class TranslationNetwork(InputScaling, nn.Module):
    """Recurrent encoder, attentive recurrent decoder, output layer.

    The encoder is :class:`~skrnn._modules.RecurrentEncoder` over token
    embeddings (:class:`~skrnn._modules.TokenEmbedder`) or numeric steps. The
    decoder is one cell of the same kind with ``num_layers`` layers of
    ``hidden_size``; its initial state is a tanh projection of the encoder's
    final state (both directions), the same for every layer (an LSTM's cell
    state starts at zero).
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
        attention="additive",
        target_embedding_dim=64,
        token_vocabulary_sizes=None,
        n_chars=0,
        embedding_dim=64,
        char_features=0,
        word_dropout=0.0,
        word_dim=None,
        frozen_words=False,
        input_scaling=False,
        dtype=torch.float32,
    ):
        super().__init__()
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
        self.encoder = RecurrentEncoder(
            input_size,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
        )
        memory_size = self.encoder.output_size
        self.cell = cell
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.bridge = nn.Linear(memory_size, hidden_size)
        self.target_embedding = nn.Embedding(
            output_size, target_embedding_dim, padding_idx=PAD
        )
        kwargs = dict(
            input_size=target_embedding_dim,
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,
            batch_first=True,
        )
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.decoder = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell](**kwargs)
        self.attention = Attention(attention, hidden_size, memory_size)
        self.combine = nn.Linear(hidden_size + memory_size, hidden_size)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = nn.Linear(hidden_size, output_size)
        # Ids the decoders never emit: padding and the start token.
        never = torch.zeros(output_size, dtype=torch.bool)
        never[[PAD, BOS]] = True
        self.register_buffer("never", never, persistent=False)
        self._init_input_scaling(input_scaling and self.embedder is None, input_size)
        self.to(dtype)

    # -- encoder -----------------------------------------------------------------

    def encode(
        self,
        lengths,
        values=None,
        ids=None,
        word_types=None,
        chars=None,
        *,
        branch_free=False,
    ):
        """``(memory (B, S, K), keys, mask (B, S), state)``: what every
        decoder reads of the source. ``branch_free=True`` runs
        :meth:`RecurrentEncoder.forward_padded`, which :func:`torch.export`
        can trace."""
        if self.embedder is not None:
            values = self.dropout(self.embedder(ids, word_types, chars))
        lengths = lengths.to(values.device)
        encoder = self.encoder.forward_padded if branch_free else self.encoder
        memory, last = encoder(values, lengths, self.input_affine())
        mask = step_mask(lengths, memory.shape[1])
        # Padding outputs are meaningless (NaN even): zero them before use.
        memory = torch.where(mask[..., None], memory, 0.0)
        start = torch.tanh(self.bridge(last))
        h0 = start[None].expand(self.num_layers, -1, -1).contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        return memory, self.attention.keys(memory), mask, state

    # -- decoder -----------------------------------------------------------------

    def decode_steps(self, tokens, memory, keys, mask, state):
        """Run the decoder over ``tokens (B, T)``; return ``(logits (B, T, V),
        state, attention weights (B, T, S))``."""
        outputs, state = self.decoder(self.target_embedding(tokens), state)
        context, weights = self.attention(outputs, memory, keys, mask)
        combined = torch.tanh(self.combine(torch.cat([outputs, context], dim=-1)))
        return self.head(self.dropout(combined)), state, weights

    def forward(
        self, lengths, values=None, ids=None, word_types=None, chars=None, target=None
    ):
        """Teacher-forced logits ``(B, T, V)`` of ``target (B, T)`` (ids ending
        in ``EOS``, then ``PAD``): the decoder reads ``BOS`` and the target
        shifted by one."""
        memory, keys, mask, state = self.encode(lengths, values, ids, word_types, chars)
        inputs = torch.cat([torch.full_like(target[:, :1], BOS), target[:, :-1]], 1)
        logits, _, _ = self.decode_steps(inputs, memory, keys, mask, state)
        return logits

    def _log_probs(self, logits, step):
        """Log-probabilities of the next token, with the ids never emitted
        (and ``EOS`` at the first step) ruled out."""
        logits = logits.masked_fill(self.never, float("-inf"))
        if step == 0:
            logits[..., EOS] = float("-inf")
        return torch.log_softmax(logits.to(torch.float64), dim=-1)

    def greedy(
        self, max_length, temperature=None, generator=None, branch_free=False, **source
    ):
        """Greedy (or, with ``temperature``, sampled) decoding.

        Returns ``(tokens (B, L), log_probs (B,), attention (B, L, S))``:
        tokens after ``EOS`` are ``PAD``; ``log_probs`` is the sum of the log
        probabilities of the emitted tokens, ``EOS`` included, under the
        model at temperature 1 (sampling draws from the tempered ones).
        ``branch_free=True`` (for :func:`torch.export`) encodes with
        :meth:`encode`'s branch-free path and runs all ``max_length`` steps,
        ``L == max_length``: a finished sequence writes ``PAD`` at no cost
        instead of the loop stopping when every sequence has finished.
        """
        memory, keys, mask, state = self.encode(**source, branch_free=branch_free)
        batch = memory.shape[0]
        token = memory.new_full((batch, 1), BOS, dtype=torch.long)
        done = torch.zeros(batch, dtype=torch.bool, device=memory.device)
        scores = torch.zeros(batch, dtype=torch.float64, device=memory.device)
        tokens, attention = [], []
        for step in range(max_length):
            logits, state, weights = self.decode_steps(token, memory, keys, mask, state)
            log_probs = self._log_probs(logits[:, 0], step)
            if temperature is None:
                token = log_probs.argmax(dim=-1)
            else:
                tempered = torch.softmax(log_probs / temperature, dim=-1)
                token = torch.multinomial(tempered, 1, generator=generator)[:, 0]
            chosen = log_probs.gather(1, token[:, None])[:, 0]
            scores = scores + torch.where(done, 0.0, chosen)
            token = torch.where(done, PAD, token)
            tokens.append(token)
            attention.append(weights[:, 0])
            done = done | (token == EOS)
            token = token[:, None]
            if not branch_free and bool(done.all()):
                break
        return torch.stack(tokens, 1), scores, torch.stack(attention, 1)

    def beam_search(self, max_length, beam_size, length_penalty=1.0, **source):
        """Beam search over ``beam_size`` hypotheses per sequence, batched.

        Hypotheses are ranked by their log probability divided by
        ``length ** length_penalty`` (the number of tokens, ``EOS``
        included; Wu et al. 2016 use a smoothed form). A finished hypothesis
        keeps its score and competes with the open ones at every step; the
        search of a sequence ends when its best ``beam_size`` are finished (or
        at ``max_length``). Returns as :meth:`greedy` does, for the best
        hypothesis of each sequence.
        """
        memory, keys, mask, state = self.encode(**source)
        batch, k = memory.shape[0], beam_size
        device = memory.device
        # Every hypothesis is one row of the decoder's batch: (B * K, ...).
        memory = memory.repeat_interleave(k, 0)
        keys = keys.repeat_interleave(k, 0)
        mask = mask.repeat_interleave(k, 0)
        state = _map_state(state, lambda s: s.repeat_interleave(k, 1))
        scores = torch.full((batch, k), float("-inf"), dtype=torch.float64)
        scores = scores.to(device)
        scores[:, 0] = 0.0  # one live hypothesis at the start
        lengths = torch.zeros(batch, k, dtype=torch.float64, device=device)
        done = torch.zeros(batch, k, dtype=torch.bool, device=device)
        history = torch.zeros(batch, k, 0, dtype=torch.long, device=device)
        attention = memory.new_zeros(batch, k, 0, memory.shape[1])
        token = torch.full((batch * k, 1), BOS, dtype=torch.long, device=device)
        for step in range(max_length):
            logits, new_state, weights = self.decode_steps(
                token, memory, keys, mask, state
            )
            log_probs = self._log_probs(logits[:, 0], step).view(batch, k, -1)
            vocabulary = log_probs.shape[-1]
            # A finished hypothesis has one continuation, PAD, at no cost.
            finished = torch.full_like(log_probs[0, 0], float("-inf"))
            finished[PAD] = 0.0
            log_probs = torch.where(done[..., None], finished, log_probs)
            candidates = scores[..., None] + log_probs
            new_lengths = lengths + (~done).to(lengths.dtype)
            ranking = candidates / new_lengths[..., None].clamp(min=1) ** length_penalty
            flat = ranking.view(batch, -1)
            # Ties (equal scores) are broken by the lower index, whatever the
            # batch: a stable sort, not topk, whose tie order is unspecified.
            best = torch.sort(flat, dim=1, descending=True, stable=True).indices[:, :k]
            parent, token_id = best // vocabulary, best % vocabulary
            scores = candidates.view(batch, -1).gather(1, best)
            lengths = new_lengths.gather(1, parent)
            was_done = done.gather(1, parent)
            done = was_done | (token_id == EOS)
            history = torch.cat([_pick(history, parent), token_id[..., None]], dim=-1)
            attention = torch.cat(
                [_pick(attention, parent), weights.view(batch, k, 1, -1)], dim=2
            )
            rows = (parent + torch.arange(batch, device=device)[:, None] * k).view(-1)
            state = _map_state(new_state, partial(_select, rows=rows))
            token = token_id.view(-1, 1)
            if bool(done.all()):
                break
        final = scores / lengths.clamp(min=1) ** length_penalty
        choice = final.argmax(dim=1)
        rows = torch.arange(batch, device=device)
        return history[rows, choice], scores[rows, choice], attention[rows, choice]


def _pick(tensor, parent):
    """Rows ``parent (B, K)`` of each sequence's hypotheses ``(B, K, ...)``."""
    index = parent.view(*parent.shape, *([1] * (tensor.ndim - 2)))
    return tensor.gather(1, index.expand(-1, -1, *tensor.shape[2:]))


def _select(state, rows):
    return state[:, rows]


def _map_state(state, function):
    if isinstance(state, tuple):
        return tuple(function(s) for s in state)
    return function(state)
