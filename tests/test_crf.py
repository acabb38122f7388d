"""The linear-chain CRF layer, checked against enumeration of every tag sequence."""

import itertools

import pytest
import torch

from skrnn._crf import FORBIDDEN_SCORE, LinearChainCRF, observed_transitions

LENGTHS = [3, 1, 4, 2]


def random_crf(num_tags, seed=0, **masks):
    crf = LinearChainCRF(num_tags, **masks).double()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in crf.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    return crf


def padded_batch(lengths, num_tags, seed=0, dtype=torch.float64):
    """Emissions and tags with garbage (NaN, huge scores, -100) on padding."""
    generator = torch.Generator().manual_seed(seed)
    max_length = max(lengths) + 1
    emissions = torch.randn(len(lengths), max_length, num_tags, generator=generator)
    tags = torch.randint(num_tags, (len(lengths), max_length), generator=generator)
    for row, length in enumerate(lengths):
        emissions[row, length:] = float("nan") if row % 2 else 1e6
        tags[row, length:] = -100
    return emissions.to(dtype), tags, torch.tensor(lengths)


def enumerate_paths(crf, emissions):
    """Every tag sequence of one unpadded sequence and its score."""
    length, num_tags = emissions.shape
    start = crf.start_transitions.masked_fill(~crf.allowed_start, FORBIDDEN_SCORE)
    end = crf.end_transitions.masked_fill(~crf.allowed_end, FORBIDDEN_SCORE)
    transitions = crf.transitions.masked_fill(~crf.allowed_transitions, FORBIDDEN_SCORE)
    paths = torch.tensor(list(itertools.product(range(num_tags), repeat=length)))
    scores = []
    for path in paths.tolist():
        score = start[path[0]] + end[path[-1]]
        score = score + sum(emissions[step, tag] for step, tag in enumerate(path))
        score = score + sum(transitions[a, b] for a, b in itertools.pairwise(path))
        scores.append(score)
    return paths, torch.stack(scores).detach()


@pytest.mark.parametrize("num_tags", [2, 3])
def test_log_likelihood_matches_enumeration(num_tags):
    crf = random_crf(num_tags)
    emissions, tags, lengths = padded_batch(LENGTHS, num_tags)
    log_likelihood = crf.log_likelihood(emissions, tags, lengths)
    assert log_likelihood.shape == (len(LENGTHS),)
    for row, length in enumerate(LENGTHS):
        paths, scores = enumerate_paths(crf, emissions[row, :length])
        gold = (paths == tags[row, :length]).all(dim=1)
        expected = scores[gold].squeeze() - torch.logsumexp(scores, dim=0)
        torch.testing.assert_close(log_likelihood[row].detach(), expected)


@pytest.mark.parametrize("num_tags", [2, 3])
@pytest.mark.parametrize("length", [1, 2, 4])
def test_likelihoods_of_all_tag_sequences_sum_to_one(num_tags, length):
    crf = random_crf(num_tags, seed=length)
    emissions, _, _ = padded_batch([length], num_tags, seed=length)
    paths = torch.tensor(list(itertools.product(range(num_tags), repeat=length)))
    tags = torch.nn.functional.pad(paths, (0, 1), value=-100)
    lengths = torch.full((len(paths),), length)
    log_likelihood = crf.log_likelihood(
        emissions.expand(len(paths), -1, -1), tags, lengths
    )
    total = torch.logsumexp(log_likelihood.detach(), dim=0)
    torch.testing.assert_close(total, torch.tensor(0.0, dtype=torch.float64))


@pytest.mark.parametrize("num_tags", [2, 3])
def test_decode_matches_enumeration(num_tags):
    crf = random_crf(num_tags, seed=1)
    emissions, _, lengths = padded_batch(LENGTHS, num_tags, seed=1)
    decoded = crf.decode(emissions, lengths)
    assert decoded.dtype == torch.long and decoded.shape == emissions.shape[:2]
    for row, length in enumerate(LENGTHS):
        paths, scores = enumerate_paths(crf, emissions[row, :length])
        assert decoded[row, :length].tolist() == paths[scores.argmax()].tolist()
        assert (decoded[row, length:] == -1).all()


@pytest.mark.parametrize("num_tags", [2, 3])
def test_marginals_match_enumeration(num_tags):
    crf = random_crf(num_tags, seed=2)
    emissions, _, lengths = padded_batch(LENGTHS, num_tags, seed=2)
    marginals = crf.marginals(emissions, lengths).detach()
    assert marginals.shape == emissions.shape
    for row, length in enumerate(LENGTHS):
        paths, scores = enumerate_paths(crf, emissions[row, :length])
        probabilities = scores.softmax(dim=0)
        one_hot = torch.nn.functional.one_hot(paths, num_tags).double()
        expected = torch.einsum("p,pst->st", probabilities, one_hot)
        torch.testing.assert_close(marginals[row, :length], expected)
        assert (marginals[row, length:] == 0).all()
    real = torch.arange(emissions.shape[1]) < lengths[:, None]
    torch.testing.assert_close(marginals.sum(dim=2), real.double(), rtol=0, atol=1e-12)


def test_padding_and_neighbours_do_not_change_results():
    crf = random_crf(3, seed=3)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=3)
    emissions.requires_grad_(True)
    log_likelihood = crf.log_likelihood(emissions, tags, lengths)
    log_likelihood.sum().backward()
    assert torch.isfinite(emissions.grad).all()
    decoded = crf.decode(emissions, lengths)
    marginals = crf.marginals(emissions, lengths)
    for row, length in enumerate(LENGTHS):
        alone = emissions[row : row + 1, :length].detach().requires_grad_(True)
        alone_tags = tags[row : row + 1, :length]
        alone_lengths = torch.tensor([length])
        expected = crf.log_likelihood(alone, alone_tags, alone_lengths)
        expected.sum().backward()
        torch.testing.assert_close(log_likelihood[row : row + 1], expected)
        torch.testing.assert_close(emissions.grad[row, :length], alone.grad[0])
        assert (emissions.grad[row, length:] == 0).all()
        assert torch.equal(decoded[row, :length], crf.decode(alone, alone_lengths)[0])
        torch.testing.assert_close(
            marginals[row, :length], crf.marginals(alone, alone_lengths)[0]
        )


def test_marginals_are_the_gradient_of_the_log_partition():
    crf = random_crf(3, seed=4)
    emissions, _, lengths = padded_batch(LENGTHS, 3, seed=4)
    emissions.requires_grad_(True)
    # log p(y) = score(y) - log Z, and d score(y) / d emissions is one-hot(y).
    tags = torch.zeros(emissions.shape[:2], dtype=torch.long)
    crf.log_likelihood(emissions, tags, lengths).sum().backward()
    real = torch.arange(emissions.shape[1]) < lengths[:, None]
    one_hot = torch.nn.functional.one_hot(tags, 3).double() * real[..., None]
    torch.testing.assert_close(
        one_hot - emissions.grad, crf.marginals(emissions, lengths).detach()
    )


def test_gradcheck():
    crf = random_crf(3, seed=5)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=5)
    emissions = emissions.nan_to_num(0.0).requires_grad_(True)
    params = tuple(crf.parameters())

    def function(emissions, *params):
        return crf.log_likelihood(emissions, tags, lengths), crf.marginals(
            emissions, lengths
        )

    assert torch.autograd.gradcheck(function, (emissions, *params))


def test_float32_matches_float64_and_follows_the_emissions_dtype():
    crf = random_crf(3, seed=6)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=6)
    expected = crf.log_likelihood(emissions, tags, lengths)
    crf32 = crf.float()
    single = crf32.log_likelihood(emissions.float(), tags, lengths)
    assert single.dtype == torch.float32
    torch.testing.assert_close(single.double(), expected, rtol=1e-5, atol=1e-5)
    # A float32 layer on float64 emissions computes (and returns) float64.
    assert crf32.log_likelihood(emissions, tags, lengths).dtype == torch.float64
    assert crf32.marginals(emissions.float(), lengths).dtype == torch.float32
    assert torch.equal(
        crf32.decode(emissions.float(), lengths), crf.decode(emissions, lengths)
    )


def test_large_scores_stay_exact_in_float32():
    # A confident network: scores that spread by hundreds, and a constraint that
    # makes the likeliest tag at step 1 (I) reachable only from a tag that step 0
    # scores 200 lower (B). Any computation in exp space underflows here.
    allowed = torch.ones(3, 3, dtype=torch.bool)
    allowed[0, 2] = False
    crf = random_crf(3, seed=11, allowed_transitions=allowed)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=11)
    emissions = emissions * 100
    emissions[0, :3] = torch.tensor([[200.0, 0, 0], [0, 0, 200], [0, 100, 0]])
    crf32 = random_crf(3, seed=11, allowed_transitions=allowed).float()
    log_likelihood = crf32(emissions.float(), tags, lengths).detach()
    marginals = crf32.marginals(emissions.float(), lengths).detach()
    decoded = crf32.decode(emissions.float(), lengths)
    for row, length in enumerate(LENGTHS):
        paths, scores = enumerate_paths(crf, emissions[row, :length])
        gold = (paths == tags[row, :length]).all(dim=1)
        expected = scores[gold].squeeze() - torch.logsumexp(scores, dim=0)
        torch.testing.assert_close(
            log_likelihood[row].double(), expected, rtol=1e-5, atol=1e-3
        )
        one_hot = torch.nn.functional.one_hot(paths, 3).double()
        expected = torch.einsum("p,pst->st", scores.softmax(dim=0), one_hot)
        torch.testing.assert_close(
            marginals[row, :length].double(), expected, rtol=0, atol=1e-4
        )
        assert decoded[row, :length].tolist() == paths[scores.argmax()].tolist()


def test_reductions():
    crf = random_crf(3, seed=7)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=7)
    per_sequence = crf(emissions, tags, lengths)
    torch.testing.assert_close(
        crf(emissions, tags, lengths, reduction="sum"), per_sequence.sum()
    )
    torch.testing.assert_close(
        crf(emissions, tags, lengths, reduction="mean"), per_sequence.mean()
    )
    torch.testing.assert_close(
        crf(emissions, tags, lengths, reduction="token_mean"),
        per_sequence.sum() / sum(LENGTHS),
    )
    with pytest.raises(ValueError, match="reduction must be one of .* got 'max'"):
        crf(emissions, tags, lengths, reduction="max")


def test_bad_shapes_raise():
    crf = LinearChainCRF(3)
    with pytest.raises(ValueError, match=r"num_tags=3\); got shape \(2, 4, 5\)"):
        crf.decode(torch.zeros(2, 4, 5), torch.tensor([4, 2]))
    with pytest.raises(ValueError, match=r"allowed_start must have shape \(3,\)"):
        crf.set_allowed_transitions(allowed_start=torch.ones(4, dtype=torch.bool))


def test_parameters_start_at_zero_and_train():
    crf = LinearChainCRF(4)
    assert all((parameter == 0).all() for parameter in crf.parameters())
    emissions, tags, lengths = padded_batch(LENGTHS, 4, seed=8)
    crf(emissions.float(), tags, lengths, reduction="sum").backward()
    for parameter in crf.parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0


def test_training_learns_that_tag_1_follows_tag_0():
    # Sequences are runs of the chunks "0 1" and "1": tag 0 is always followed by
    # tag 1 and never ends a sequence. The emissions say nothing, so only the
    # transitions can learn this.
    generator = torch.Generator().manual_seed(0)
    sequences = []
    for _ in range(64):
        num_chunks = int(torch.randint(1, 5, (1,), generator=generator))
        chunks = torch.randint(2, (num_chunks,), generator=generator).tolist()
        sequences.append(sum(([0, 1] if chunk else [1] for chunk in chunks), []))
    lengths = torch.tensor([len(sequence) for sequence in sequences])
    tags = torch.zeros(len(sequences), int(lengths.max()), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        tags[row, : len(sequence)] = torch.tensor(sequence)
    emissions = torch.zeros(*tags.shape, 2)

    crf = LinearChainCRF(2)
    optimizer = torch.optim.Adam(crf.parameters(), lr=0.1)
    history = []
    for _ in range(100):
        optimizer.zero_grad()
        loss = -crf(emissions, tags, lengths, reduction="mean")
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    assert history[-1] < history[0] - 0.5

    # Emissions now prefer tag 0 at every step; the learned transitions still
    # forbid "0 0" and a final 0.
    test_lengths = torch.randint(1, 9, (32,), generator=generator)
    preference = torch.tensor([1.0, 0.0]).expand(32, 8, 2)
    decoded = crf.decode(preference, test_lengths)
    assert (decoded == 0).any()
    for row, length in enumerate(test_lengths.tolist()):
        path = decoded[row, :length].tolist()
        assert (0, 0) not in set(itertools.pairwise(path)) and path[-1] == 1


def test_allowed_transitions_are_respected():
    # Tags O=0, B=1, I=2: I never starts a sequence nor follows O.
    allowed = torch.ones(3, 3, dtype=torch.bool)
    allowed[0, 2] = False
    allowed_start = torch.tensor([True, True, False])
    crf = random_crf(
        3, seed=9, allowed_transitions=allowed, allowed_start=allowed_start
    )
    emissions, _, lengths = padded_batch(LENGTHS, 3, seed=9)
    emissions[..., 2] += 5.0  # I is by far the likeliest tag everywhere.

    decoded = crf.decode(emissions, lengths)
    marginals = crf.marginals(emissions, lengths)
    for row, length in enumerate(LENGTHS):
        path = decoded[row, :length].tolist()
        assert path[0] != 2 and (0, 2) not in set(itertools.pairwise(path))
        paths, scores = enumerate_paths(crf, emissions[row, :length])
        assert path == paths[scores.argmax()].tolist()
    assert (marginals[:, 0, 2] == 0).all()
    # Forbidden sequences get probability zero; the allowed ones still sum to 1.
    paths = torch.tensor(list(itertools.product(range(3), repeat=4)))
    log_likelihood = crf.log_likelihood(
        emissions[2:3, :4].expand(len(paths), -1, -1), paths, torch.full((81,), 4)
    ).detach()
    forbidden = (paths[:, 0] == 2) | ((paths[:, :-1] == 0) & (paths[:, 1:] == 2)).any(1)
    assert (log_likelihood[forbidden] < -1000).all()
    total = torch.logsumexp(log_likelihood[~forbidden], dim=0)
    torch.testing.assert_close(total, torch.tensor(0.0, dtype=torch.float64))

    # The masks are buffers: saved with the state and reset by None.
    restored = LinearChainCRF(3)
    restored.load_state_dict(crf.state_dict())
    assert torch.equal(restored.allowed_transitions, allowed)
    restored.set_allowed_transitions()
    assert restored.allowed_transitions.all() and restored.allowed_start.all()


def test_observed_transitions_fit_their_own_data():
    tags = torch.tensor([[1, 2, 2, 0], [0, 1, -100, -100], [2, 0, 0, 7]])
    lengths = torch.tensor([4, 2, 1])
    allowed, start, end = observed_transitions(tags, lengths, num_tags=3)
    expected = torch.zeros(3, 3, dtype=torch.bool)
    expected[1, 2] = expected[2, 2] = expected[2, 0] = expected[0, 1] = True
    assert torch.equal(allowed, expected)
    assert start.tolist() == [True, True, True]
    assert end.tolist() == [True, True, True]
    crf = LinearChainCRF(3).set_allowed_transitions(allowed, start, end)
    log_likelihood = crf.log_likelihood(torch.zeros(3, 4, 3), tags, lengths)
    assert (log_likelihood > FORBIDDEN_SCORE / 2).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    allowed = torch.ones(3, 3, dtype=torch.bool)
    allowed[0, 2] = False
    crf = random_crf(3, seed=10, allowed_transitions=allowed)
    emissions, tags, lengths = padded_batch(LENGTHS, 3, seed=10)
    on_gpu = random_crf(3, seed=10, allowed_transitions=allowed).cuda()
    # Lengths may stay on the CPU.
    gpu_emissions = emissions.cuda().requires_grad_(True)
    log_likelihood = on_gpu(gpu_emissions, tags.cuda(), lengths)
    log_likelihood.sum().backward()
    assert log_likelihood.device.type == "cuda"
    torch.testing.assert_close(log_likelihood.cpu(), crf(emissions, tags, lengths))
    assert torch.isfinite(gpu_emissions.grad).all()
    decoded = on_gpu.decode(emissions.cuda(), lengths.cuda())
    assert decoded.device.type == "cuda"
    assert torch.equal(decoded.cpu(), crf.decode(emissions, lengths))
    torch.testing.assert_close(
        on_gpu.marginals(emissions.cuda(), lengths).cpu(),
        crf.marginals(emissions, lengths),
    )
    single = on_gpu.float()(emissions.float().cuda(), tags.cuda(), lengths.cuda())
    assert single.dtype == torch.float32


def test_validation_score_of_a_crf_counts_its_viterbi_tags_not_each_best_emission():
    from types import SimpleNamespace

    from skorch.history import History

    from skrnn._callbacks import ValidationScore, score_outputs
    from skrnn._modules import CRFLoss

    criterion = CRFLoss(2, dtype=torch.float64)
    # Only 0 -> 0 and 1 -> 1: the first step's strong 0 wins the whole sequence.
    criterion.crf.set_allowed_transitions(torch.eye(2, dtype=torch.bool))
    emissions = torch.tensor([[[5.0, 0.0], [0.0, 1.0]]], dtype=torch.float64)
    target = {"target": torch.tensor([[0, 0]]), "lengths": torch.tensor([2])}
    net = SimpleNamespace(criterion_=criterion, history=History())
    net.history.new_epoch()
    callback = ValidationScore(lambda *args: score_outputs("cross_entropy", *args))
    callback.on_epoch_begin(net)
    callback.on_batch_end(net, batch=(None, target), training=False, y_pred=emissions)
    callback.on_epoch_end(net)
    assert net.history[-1, "valid_score"] == 1.0  # the best emissions score 0.5
