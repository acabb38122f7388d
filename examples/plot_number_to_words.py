"""
Sequence to sequence: numbers to words, and where the model looks
=================================================================

A :class:`~skrnn.SequenceTranslator` writes a new sequence of its own length
for each input sequence: here, the English words of a number written in
digits, ``"347"`` to ``["three", "hundred", "forty", "seven"]``. The input is
read character by character (a string), the output is a list of words (a
list of tokens), and ``predict`` returns lists of words, the type ``y`` had.

The decoder attends over the digits at every output word; the attention
weights show which digit each word was written from.
"""

import matplotlib.pyplot as plt
import numpy as np

from skrnn import SequenceTranslator
from skrnn.metrics import sequence_accuracy_score, token_error_rate

# %%
# The data
# --------
#
# Every number from 0 to 999 and its words; 800 of them train the model, the
# other 200 test it.

ONES = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
TEENS = (TEENS + "nineteen").split()
TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n):
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return words
    if n >= 20:
        words.append(TENS[n // 10])
        if n % 10:
            words.append(ONES[n % 10])
    elif n >= 10:
        words.append(TEENS[n - 10])
    else:
        words.append(ONES[n])
    return words


order = np.random.RandomState(0).permutation(1000)
X = [str(n) for n in order]
y = [number_words(n) for n in order]
X_train, y_train, X_test, y_test = X[:800], y[:800], X[800:], y[800:]
print(X_train[0], y_train[0])

# %%
# Training
# --------
#
# A small network trains in a few tens of seconds on a CPU.

model = SequenceTranslator(hidden_size=64, max_epochs=40, random_state=0)
model.fit(X_train, y_train)

predicted = model.predict(X_test)
accuracy = sequence_accuracy_score(y_test, predicted)
print(f"exact match on unseen numbers: {accuracy:.3f}")
print(f"word error rate: {token_error_rate(y_test, predicted):.3f}")
for number, words in list(zip(X_test, predicted, strict=True))[:5]:
    print(number, " ".join(words))

# %%
# Beam search and scores
# ----------------------
#
# ``beam_size`` keeps several hypotheses per number; ``return_scores=True``
# gives the log-probability of each returned sequence.

model.set_params(beam_size=4)
beam, scores = model.predict(X_test[:3], return_scores=True)
for number, words, score in zip(X_test[:3], beam, scores, strict=True):
    print(f"{number}: {' '.join(words)}  (log-probability {score:.3f})")
model.set_params(beam_size=1)

# %%
# Where the model looks
# ---------------------
#
# One row per output word (and the end-of-sequence token), one column per
# digit: the decoder's attention when it wrote that word.

numbers = ["347", "915", "60"]
fig, axes = plt.subplots(1, len(numbers), figsize=(10, 3.5))
for ax, number, words, weights in zip(
    axes,
    numbers,
    model.predict(numbers),
    model.attention_weights(numbers),
    strict=True,
):
    ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(number)), list(number))
    ax.set_yticks(range(len(weights)), [*words, "<end>"][: len(weights)])
    ax.set_title(number)
fig.suptitle("Attention of each output word over the digits")
fig.tight_layout()
plt.show()
