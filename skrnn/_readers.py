"""Readers for sequence tagging corpora: CoNLL column files and CoNLL-U.

Public through :mod:`skrnn.datasets`.
"""

import numbers
import os
from contextlib import contextmanager

CONLLU_FIELDS = (
    "id",
    "form",
    "lemma",
    "upos",
    "xpos",
    "feats",
    "head",
    "deprel",
    "deps",
    "misc",
)


@contextmanager
def _open_text(path_or_file, encoding):
    """Yield (lines, name) for a path or an open text or binary file."""
    if isinstance(path_or_file, str | bytes | os.PathLike):
        with open(path_or_file, encoding=encoding) as file:
            yield file, repr(os.fsdecode(path_or_file))
        return
    if not hasattr(path_or_file, "__iter__"):
        raise TypeError(
            f"path_or_file must be a path or an open file, got {path_or_file!r}."
        )
    name = getattr(path_or_file, "name", None)
    name = repr(name) if isinstance(name, str) else "the file"

    def decoded():
        for line in path_or_file:
            yield line.decode(encoding) if isinstance(line, bytes) else line

    yield decoded(), name


def _check_columns(columns):
    """Normalise ``columns`` to a list of (tuple of int, is_group) pairs."""
    if columns is None:
        columns = (0, -1)
    if isinstance(columns, str | bytes) or not hasattr(columns, "__iter__"):
        raise ValueError(
            f"columns={columns!r} must be a sequence of column indices or of "
            "tuples of indices, e.g. columns=(0, -1) or columns=((0, 1), -1)."
        )
    selection = []
    for entry in columns:
        is_group = not isinstance(entry, numbers.Integral)
        indices = tuple(entry) if is_group and hasattr(entry, "__iter__") else (entry,)
        if (
            not indices
            or isinstance(entry, bool | str | bytes)
            or not all(
                isinstance(index, numbers.Integral) and not isinstance(index, bool)
                for index in indices
            )
        ):
            raise ValueError(
                f"columns={columns!r} contains {entry!r}; each entry must be a "
                "column index (int) or a non-empty tuple of indices, e.g. "
                "columns=((0, 1), -1)."
            )
        indices = tuple(int(index) for index in indices)
        selection.append((indices, is_group))
    if not selection:
        raise ValueError("columns=() selects nothing; pass e.g. columns=(0, -1).")
    return selection


def read_conll(
    path_or_file,
    *,
    columns=None,
    sep=None,
    comment="#",
    docstart="-DOCSTART-",
    encoding="utf-8",
):
    """Read a CoNLL-style column file into lists of per-sentence lists.

    The file holds one token per line, its columns separated by whitespace (or
    ``sep``), and a blank line between sentences, as in the CoNLL-2000 chunking
    and CoNLL-2003 NER data. Every token line must have the same number of
    columns.

    Parameters
    ----------
    path_or_file : str, path-like or file object
        The file, or an open file (text or binary) to read lines from.

    columns : sequence of int or tuple of int, default=None
        What to return: one output per entry, in order. An int selects one column
        (each token is a str); a tuple of ints selects several (each token is a
        tuple of str). Negative indices count from the last column. ``None``
        means ``(0, -1)``: the first column as ``X`` and the last as ``y``.

    sep : str, default=None
        Column separator; ``None`` splits on any run of whitespace. Use
        ``sep='\\t'`` for tab-separated files whose tokens contain spaces.

    comment : str, default='#'
        Lines that start with this string are skipped. Pass ``None`` when tokens
        may start with it (e.g. hashtags).

    docstart : str, default='-DOCSTART-'
        Lines whose first column is this string are skipped and end the current
        sentence; ``None`` keeps them as tokens.

    encoding : str, default='utf-8'
        Encoding of a file given by its path, or of a binary file object.

    Returns
    -------
    data : tuple of list of list
        One list per entry of ``columns``, each holding one list per sentence of
        str (an int entry) or of tuples of str (a tuple entry). With the default
        ``columns``, ``(X, y)``.

    Raises
    ------
    ValueError
        If a token line has another number of columns than the first, or fewer
        columns than ``columns`` needs; the message names the line number.

    See Also
    --------
    read_conllu : Read CoNLL-U files (Universal Dependencies).

    Examples
    --------
    A chunking file (word, POS tag, chunk tag): words and POS tags as ``X``,
    chunk tags as ``y``.

    >>> import io
    >>> from skrnn.datasets import read_conll
    >>> text = '''-DOCSTART- -X- O
    ...
    ... He PRP B-NP
    ... reckons VBZ B-VP
    ...
    ... Rockwell NNP B-NP
    ... said VBD B-VP
    ... '''
    >>> X, y = read_conll(io.StringIO(text), columns=((0, 1), 2))
    >>> X
    [[('He', 'PRP'), ('reckons', 'VBZ')], [('Rockwell', 'NNP'), ('said', 'VBD')]]
    >>> y
    [['B-NP', 'B-VP'], ['B-NP', 'B-VP']]
    >>> words, tags = read_conll(io.StringIO(text))
    >>> words
    [['He', 'reckons'], ['Rockwell', 'said']]
    """
    selection = _check_columns(columns)
    outputs = tuple([] for _ in selection)
    sentence = []
    n_columns = first_line = None

    def flush():
        if sentence:
            for output, (indices, is_group) in zip(outputs, selection, strict=True):
                if is_group:
                    output.append([tuple(row[i] for i in indices) for row in sentence])
                else:
                    output.append([row[indices[0]] for row in sentence])
            sentence.clear()

    with _open_text(path_or_file, encoding) as (lines, name):
        for line_number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
                continue
            if comment is not None and line.startswith(comment):
                continue
            row = line.split(sep)
            if docstart is not None and row[0] == docstart:
                flush()
                continue
            if n_columns is None:
                n_columns, first_line = len(row), line_number
                needed = max(i if i >= 0 else -i - 1 for s, _ in selection for i in s)
                if needed >= n_columns:
                    raise ValueError(
                        f"Line {line_number} of {name} has {n_columns} columns, "
                        f"but columns={columns!r} needs at least {needed + 1}; "
                        f"pick columns among the file's {n_columns}, or check "
                        f"sep={sep!r}. The line: {line!r}"
                    )
            elif len(row) != n_columns:
                raise ValueError(
                    f"Line {line_number} of {name} has {len(row)} columns, "
                    f"expected {n_columns} as on line {first_line}; every token "
                    f"line needs the same columns (check sep={sep!r}). "
                    f"The line: {line!r}"
                )
            sentence.append(row)
        flush()
    return outputs


def _check_fields(fields, parameter):
    names = [fields] if isinstance(fields, str) else list(fields)
    unknown = [name for name in names if name not in CONLLU_FIELDS]
    if not names or unknown:
        raise ValueError(
            f"{parameter}={fields!r} is not a CoNLL-U field name or list of them; "
            f"expected names among {CONLLU_FIELDS!r}."
        )
    return [CONLLU_FIELDS.index(name) for name in names]


def read_conllu(path_or_file, *, fields=("form",), target="upos", encoding="utf-8"):
    """Read a CoNLL-U file (Universal Dependencies) into per-sentence lists.

    Comment lines (``#``), multi-word token lines (IDs such as ``1-2``) and empty
    nodes (IDs such as ``8.1``) are skipped, so each sentence holds its syntactic
    words. Values are returned as written in the file (str, ``'_'`` when
    unspecified).

    Parameters
    ----------
    path_or_file : str, path-like or file object
        The file, or an open file (text or binary) to read lines from.

    fields : str or sequence of str, default=('form',)
        CoNLL-U fields that make up each token of ``X``, among ``'id'``,
        ``'form'``, ``'lemma'``, ``'upos'``, ``'xpos'``, ``'feats'``, ``'head'``,
        ``'deprel'``, ``'deps'`` and ``'misc'``. With one field, a token is a str;
        with several, a tuple of str.

    target : str or None, default='upos'
        The field returned as ``y``; ``None`` returns ``y=None``.

    encoding : str, default='utf-8'
        Encoding of a file given by its path, or of a binary file object.

    Returns
    -------
    X : list of list
        One list per sentence of its words' ``fields`` (str or tuple of str).

    y : list of list of str or None
        One list per sentence of its words' ``target`` field.

    Raises
    ------
    ValueError
        If a word line does not have 10 tab-separated fields or its ID is not a
        word index, range or decimal; the message names the line number.

    See Also
    --------
    read_conll : Read CoNLL column files (chunking, NER).

    Examples
    --------
    >>> import io
    >>> from skrnn.datasets import read_conllu
    >>> rows = [
    ...     "# text = Don't go.",
    ...     "1-2\\tDon't\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_",
    ...     "1\\tDo\\tdo\\tAUX\\tVBP\\t_\\t3\\taux\\t_\\t_",
    ...     "2\\tn't\\tnot\\tPART\\tRB\\t_\\t3\\tadvmod\\t_\\t_",
    ...     "3\\tgo\\tgo\\tVERB\\tVB\\t_\\t0\\troot\\t_\\t_",
    ...     "4\\t.\\t.\\tPUNCT\\t.\\t_\\t3\\tpunct\\t_\\t_",
    ...     "",
    ... ]
    >>> X, y = read_conllu(io.StringIO("\\n".join(rows)))
    >>> X, y
    ([['Do', "n't", 'go', '.']], [['AUX', 'PART', 'VERB', 'PUNCT']])
    >>> X, y = read_conllu(io.StringIO("\\n".join(rows)), fields=("form", "lemma"))
    >>> X[0][:2]
    [('Do', 'do'), ("n't", 'not')]
    """
    field_indices = _check_fields(fields, "fields")
    single = isinstance(fields, str) or len(field_indices) == 1
    if target is not None and not isinstance(target, str):
        raise ValueError(
            f"target={target!r} must be one CoNLL-U field name, such as 'upos', "
            "or None."
        )
    target_index = None if target is None else _check_fields(target, "target")[0]
    X, y = [], []
    words, tags = [], []

    def flush():
        if words:
            X.append(list(words))
            y.append(list(tags))
            words.clear()
            tags.clear()

    with _open_text(path_or_file, encoding) as (lines, name):
        for line_number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
                continue
            if line.startswith("#"):
                continue
            row = line.split("\t")
            if len(row) != len(CONLLU_FIELDS):
                raise ValueError(
                    f"Line {line_number} of {name} has {len(row)} tab-separated "
                    f"fields, expected {len(CONLLU_FIELDS)} in a CoNLL-U word line "
                    f"(is it a CoNLL-U file? use read_conll for column files). "
                    f"The line: {line!r}"
                )
            word_id = row[0]
            if not word_id.isdigit():
                head, separator, tail = word_id.replace("-", ".").partition(".")
                if separator and head.isdigit() and tail.isdigit():
                    continue  # a multi-word token or an empty node, not a word
                raise ValueError(
                    f"Line {line_number} of {name} has ID {word_id!r}; a CoNLL-U "
                    "ID is a word index ('3'), a multi-word token range ('1-2') "
                    f"or an empty node ('8.1'). The line: {line!r}"
                )
            if single:
                words.append(row[field_indices[0]])
            else:
                words.append(tuple(row[i] for i in field_indices))
            if target_index is not None:
                tags.append(row[target_index])
        flush()
    return X, (y if target is not None else None)
