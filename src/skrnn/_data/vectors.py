"""Pretrained word vectors: from a word2vec/GloVe text file or a mapping.

Only the vectors of the words an estimator's vocabulary can hold are read, so a
file of millions of words costs one pass and the memory of the vocabulary's
vectors. The text format is one word per line followed by its numbers,
separated by spaces; word2vec files start with a ``n_words dimension`` header
line, GloVe files do not (both are read). A ``.gz`` file is read compressed.
gensim's ``KeyedVectors`` works as a mapping (``word in vectors``,
``vectors[word]``), as does a plain dict of word -> vector.

Nothing here downloads: the user names a local file.
"""

import gzip
import os
from collections.abc import Mapping

import numpy as np


def read_word_vectors(source, words, *, lowercase):
    """The vectors of ``words`` found in ``source``.

    Parameters
    ----------
    source : str, path or mapping
        A text file in the word2vec/GloVe format, or a mapping word -> vector.
    words : iterable of str
        The words wanted (the vocabulary's keys, lower-cased with
        ``lowercase``).
    lowercase : bool
        Whether ``words`` are lower-cased keys: a file's ``"The"`` then serves
        ``"the"`` when the file has no ``"the"`` of its own. Without
        ``lowercase`` a cased word falls back to the file's lower-cased entry
        (GloVe files are lower case).

    Returns
    -------
    vectors : dict of str -> ndarray of shape (dimension,), float32
        One vector per word found (possibly none).
    dimension : int
        The vectors' size.
    """
    wanted = set(words)
    # The key of a word in ``wanted`` that a source word also serves, with its
    # priority (an exact match beats a case-folded one).
    folded = {}
    if not lowercase:
        for word in wanted:
            folded.setdefault(word.lower(), []).append(word)
    if isinstance(source, (str, os.PathLike)):
        entries = _file_entries(source, wanted, lowercase, folded)
    else:
        entries = _mapping_entries(source, wanted, lowercase, folded)
    found, priorities, dimension = {}, {}, None
    for key, priority, vector, where in entries:
        if dimension is None:
            dimension = len(vector)
        elif len(vector) != dimension:
            raise ValueError(
                f"{where} has {len(vector)} values, but the vectors before it "
                f"have {dimension}. All word vectors need one size."
            )
        if priority < priorities.get(key, 3):
            found[key], priorities[key] = vector, priority
    if dimension is None:
        dimension = _declared_dimension(source)
    return found, dimension


def _matches(word, wanted, lowercase, folded):
    """``(key, priority)`` pairs of the wanted words that ``word`` serves."""
    if word in wanted:
        yield word, 0
    if lowercase:
        lowered = word.lower()
        if lowered != word and lowered in wanted:
            yield lowered, 1
    else:
        for key in folded.get(word, ()):
            if key != word:
                yield key, 2


def _file_entries(path, wanted, lowercase, folded):
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        handle = opener(path, "rt", encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            f"word_vectors={path!r} cannot be read: {exc}. Pass the path of a "
            "local word2vec/GloVe text file, or a mapping word -> vector."
        ) from exc
    with handle:
        dimension, declared = None, False
        try:
            for number, line in enumerate(handle, start=1):
                parts = line.rstrip("\r\n").rstrip(" ").split(" ")
                if number == 1 and len(parts) == 2 and all(map(str.isdigit, parts)):
                    dimension, declared = int(parts[1]), True  # word2vec's header
                    continue
                if parts == [""]:
                    continue  # a blank line (often the last)
                where = f"Line {number} of the word vectors file {path!r}"
                size = len(parts) - 1
                if size == 0 or parts[0] == "":
                    raise ValueError(
                        f"{where} is not a word followed by numbers: {line[:60]!r}."
                    )
                if dimension is None:
                    dimension = size
                elif size != dimension:
                    raise ValueError(
                        f"{where} has {size} values, but "
                        + ("the header declares" if declared else "earlier lines have")
                        + f" {dimension}. All word vectors need one size."
                    )
                for key, priority in _matches(parts[0], wanted, lowercase, folded):
                    try:
                        vector = np.array(parts[1:], dtype=np.float32)
                    except ValueError as exc:
                        raise ValueError(
                            f"{where} holds a value that is not a number: "
                            f"{line[:60]!r}..."
                        ) from exc
                    if not np.isfinite(vector).all():
                        raise ValueError(f"{where} holds NaN or infinite values.")
                    yield key, priority, vector, where
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"The word vectors file {path!r} is not UTF-8 text ({exc}). "
                "skrnn reads the word2vec/GloVe text format; convert a binary "
                "word2vec file with gensim (KeyedVectors.load_word2vec_format("
                "path, binary=True)) and pass the KeyedVectors instead."
            ) from exc


def _mapping_entries(vectors, wanted, lowercase, folded):
    keys = set(wanted)
    if lowercase:
        keys |= {word.capitalize() for word in wanted} | {w.upper() for w in wanted}
    else:
        keys |= set(folded)
    for word in sorted(keys):
        if word not in vectors:
            continue
        where = f"The vector of {word!r} in word_vectors"
        try:
            vector = np.asarray(vectors[word], dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where} is not an array of numbers.") from exc
        if vector.ndim != 1 or len(vector) == 0:
            raise ValueError(
                f"{where} has shape {vector.shape}; each vector must be 1-D."
            )
        if not np.isfinite(vector).all():
            raise ValueError(f"{where} holds NaN or infinite values.")
        for key, priority in _matches(word, wanted, lowercase, folded):
            yield key, priority, vector, where


def _declared_dimension(source):
    """The vectors' size when no wanted word was found."""
    size = getattr(source, "vector_size", None)  # gensim's KeyedVectors
    if isinstance(size, int):
        return size
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 2 and all(map(str.isdigit, parts)):
                    return int(parts[1])
                if parts:
                    return len(parts) - 1
        raise ValueError(f"The word vectors file {path!r} is empty.")
    for vector in source.values() if isinstance(source, Mapping) else ():
        return len(np.asarray(vector).ravel())
    raise ValueError("word_vectors is an empty mapping: it holds no vector.")
