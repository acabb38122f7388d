"""Readers for sequence data files: CoNLL column files, CoNLL-U and ``.ts``.

Public through :mod:`skrnn.datasets`.
"""

import numbers
import os
from contextlib import contextmanager

import numpy as np

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


# Header tags of the .ts format, lower-cased, and the metadata key each fills.
_TS_BOOLEAN_TAGS = {
    "timestamps": "timestamps",
    "missing": "missing",
    "univariate": "univariate",
    "equallength": "equal_length",
    "targetlabel": "target_label",
}
_TS_INTEGER_TAGS = {"dimensions": "dimensions", "serieslength": "series_length"}


def _ts_error(line_number, name, message, line=None):
    if line is not None:
        shown = line if len(line) <= 80 else line[:80] + "..."
        message = f"{message} The line: {shown!r}"
    return ValueError(f"Line {line_number} of {name}: {message}")


def _parse_ts_header_line(line, line_number, name, metadata):
    """Read one ``@tag value`` line into ``metadata``."""
    tag, _, value = line[1:].partition(" ")
    key, value = tag.strip().lower(), value.strip()
    if key in _TS_BOOLEAN_TAGS or key == "classlabel":
        flag, *rest = value.split() or [""]
        if flag.lower() not in ("true", "false"):
            raise _ts_error(
                line_number, name, f"@{tag} expects true or false, got {value!r}."
            )
        flag = flag.lower() == "true"
        if key == "timestamps" and flag:
            raise _ts_error(
                line_number,
                name,
                "timestamped series (@timeStamps true) are not supported by "
                "read_ts; convert the file to series without timestamps (one value "
                "per step), e.g. with aeon's loaders and writers.",
            )
        if key == "classlabel":
            if flag and not rest:
                raise _ts_error(
                    line_number,
                    name,
                    "@classLabel true must list the class labels, e.g. "
                    "'@classLabel true walking running'.",
                )
            metadata["class_label"] = flag
            metadata["class_labels"] = rest if flag else None
        else:
            metadata[_TS_BOOLEAN_TAGS[key]] = flag
    elif key in _TS_INTEGER_TAGS:
        if not value.isdigit() or int(value) < 1:
            raise _ts_error(
                line_number, name, f"@{tag} expects a positive integer, got {value!r}."
            )
        metadata[_TS_INTEGER_TAGS[key]] = int(value)
    elif key == "problemname":
        metadata["problem_name"] = value
    # Other tags (a few exist in the wild) carry nothing read_ts needs.


def _parse_ts_channel(text, line_number, name, channel, line):
    """One channel's comma-separated values as a float64 array."""
    tokens = text.split(",")
    if "?" in text:
        tokens = ["nan" if token.strip() == "?" else token for token in tokens]
    try:
        return np.array(tokens, dtype=np.float64)
    except ValueError as exc:
        bad = next(token for token in tokens if not _is_float(token))
        raise _ts_error(
            line_number,
            name,
            f"value {bad!r} in channel {channel} is not a number; values are "
            "numbers separated by ',' (missing values written '?' or NaN), "
            "channels are separated by ':'.",
            line,
        ) from exc


def _is_float(token):
    try:
        float(token)
    except ValueError:
        return False
    return True


def _check_ts_label(label, metadata, line_number, name, line):
    """The case's label as a str (classification) or a float (regression)."""
    if metadata["class_label"]:
        if label not in metadata["class_labels"]:
            raise _ts_error(
                line_number,
                name,
                f"class label {label!r} is not among those declared by "
                f"@classLabel: {metadata['class_labels']!r}; add it to the "
                "@classLabel line if it is a class of the problem.",
                line,
            )
        return label
    try:
        return float(label)
    except ValueError as exc:
        raise _ts_error(
            line_number,
            name,
            f"target {label!r} is not a number, but the header declares "
            "@targetLabel true (regression).",
            line,
        ) from exc


def _check_ts_case(metadata, first_case, n_channels, n_steps, line_number, name):
    """Check one case's shape against the header and against the first case."""
    first_line, first_channels, first_steps = first_case
    if metadata["univariate"] and n_channels != 1:
        raise _ts_error(
            line_number,
            name,
            f"the case has {n_channels} channels but the header says "
            "@univariate true (one channel); channels are separated by ':'.",
        )
    if metadata["dimensions"] is not None and n_channels != metadata["dimensions"]:
        raise _ts_error(
            line_number,
            name,
            f"the case has {n_channels} channels but the header says "
            f"@dimensions {metadata['dimensions']}.",
        )
    if n_channels != first_channels:
        raise _ts_error(
            line_number,
            name,
            f"the case has {n_channels} channels, expected {first_channels} as on "
            f"line {first_line}; every case needs the same channels.",
        )
    if metadata["equal_length"] is False:
        return
    if metadata["series_length"] is not None:
        if n_steps != metadata["series_length"]:
            raise _ts_error(
                line_number,
                name,
                f"the case has {n_steps} steps but the header says "
                f"@seriesLength {metadata['series_length']}.",
            )
    elif metadata["equal_length"] and n_steps != first_steps:
        raise _ts_error(
            line_number,
            name,
            f"the case has {n_steps} steps, expected {first_steps} as on line "
            f"{first_line}, since the header says @equalLength true.",
        )


def _check_float_dtype(dtype):
    try:
        checked = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(
            f"dtype={dtype!r} is not a NumPy dtype; pass a floating dtype such as "
            "np.float32 or np.float64."
        ) from exc
    if checked.kind != "f":
        raise ValueError(
            f"dtype={dtype!r} is not a floating dtype; the series hold real values "
            "and NaN, so pass np.float32 or np.float64."
        )
    return checked


def read_ts(path_or_file, *, dtype=np.float32, return_metadata=False, encoding="utf-8"):
    """Read a time series file in the ``.ts`` format of sktime and aeon.

    This is the format of the UCR/UEA time series classification archive and of
    the time series extrinsic regression archive. Header tags come first
    (``@problemName``, ``@univariate``, ``@dimensions``, ``@equalLength``,
    ``@seriesLength``, ``@missing``, ``@classLabel``, ``@targetLabel``,
    ``@timeStamps``), then ``@data`` and one case per line: its channels
    separated by ``':'``, each channel's values by ``','``, and the class label
    or regression target after the last ``':'``. Lines starting with ``'#'`` are
    comments. Missing values, written ``?`` or ``NaN``, are read as NaN.

    Parameters
    ----------
    path_or_file : str, path-like or file object
        The file, or an open file (text or binary) to read lines from.

    dtype : numpy floating dtype, default=np.float32
        Dtype of the returned series.

    return_metadata : bool, default=False
        Whether to also return the header, as a dict.

    encoding : str, default='utf-8'
        Encoding of a file given by its path, or of a binary file object.

    Returns
    -------
    X : ndarray of shape (n_cases, n_steps, n_channels) or list of ndarray
        The series, steps first, as skrnn's estimators take them. A 3-D array
        when the header says ``@equalLength true``, or says nothing and all
        cases have the same length; under ``@equalLength false`` (problems of
        variable length) a list of arrays of shape ``(n_steps_i, n_channels)``,
        whatever the lengths, so that the train and test files of a problem
        give the same type.

    y : ndarray of shape (n_cases,) or None
        Class labels (str) under ``@classLabel true``, regression targets
        (float64) under ``@targetLabel true``, else ``None``.

    metadata : dict
        Only with ``return_metadata=True``: the header, with keys
        ``'problem_name'`` (str); ``'univariate'``, ``'equal_length'``,
        ``'missing'``, ``'timestamps'``, ``'class_label'``, ``'target_label'``
        (bool); ``'dimensions'``, ``'series_length'`` (int);
        ``'class_labels'`` (list of str, in the header's order), each ``None``
        when the header does not give it; and ``'description'``: the comment
        lines before ``@data``, without their ``'#'`` (nor the one space after
        it).

    Raises
    ------
    ValueError
        If the file is not a ``.ts`` file or breaks its own header: a malformed
        header tag; data before ``@data``, or no ``@data``; a value that is not
        a number; a case whose channels differ in length, or whose number of
        channels differs from the first case's (or from ``@dimensions`` or
        ``@univariate``); lengths that break ``@equalLength true`` or
        ``@seriesLength``; a class label not declared by ``@classLabel``; a
        target that is not a number. The message names the line. Timestamped
        series (``@timeStamps true``) are not supported.

    See Also
    --------
    fetch_ucr_uea : Load a problem of the UCR/UEA archive, downloading it once.

    Examples
    --------
    Two cases of two channels and three steps each, with class labels:

    >>> import io
    >>> from skrnn.datasets import read_ts
    >>> text = '''# A toy problem.
    ... @problemName Toy
    ... @univariate false
    ... @dimensions 2
    ... @equalLength true
    ... @seriesLength 3
    ... @classLabel true up down
    ... @data
    ... 1,2,3:0,0,?:up
    ... 3,2,1:1,1,1:down
    ... '''
    >>> X, y = read_ts(io.StringIO(text))
    >>> X.shape
    (2, 3, 2)
    >>> X[0]
    array([[ 1.,  0.],
           [ 2.,  0.],
           [ 3., nan]], dtype=float32)
    >>> y
    array(['up', 'down'], dtype='<U4')

    Univariate series of variable length, with regression targets:

    >>> text = '''@univariate true
    ... @equalLength false
    ... @targetLabel true
    ... @data
    ... 1,2,3:0.5
    ... 4,5:1.5
    ... '''
    >>> X, y, metadata = read_ts(io.StringIO(text), return_metadata=True)
    >>> [x.shape for x in X]
    [(3, 1), (2, 1)]
    >>> y
    array([0.5, 1.5])
    >>> metadata["equal_length"], metadata["target_label"]
    (False, True)
    """
    dtype = _check_float_dtype(dtype)
    metadata = {
        "problem_name": None,
        "timestamps": None,
        "missing": None,
        "univariate": None,
        "dimensions": None,
        "equal_length": None,
        "series_length": None,
        "class_label": None,
        "class_labels": None,
        "target_label": None,
        "description": "",
    }
    comments, X, labels = [], [], []
    in_data = labelled = False
    first_case = None  # (line number, n_channels, n_steps) of the first case
    with _open_text(path_or_file, encoding) as (lines, name):
        for line_number, line in enumerate(lines, start=1):
            line = line.strip().lstrip("\ufeff")
            if not line:
                continue
            if line.startswith("#"):
                if not in_data:
                    comment = line[1:].lstrip("\ufeff")
                    comments.append(comment[1:] if comment[:1] == " " else comment)
                continue
            if line.startswith("@"):
                if in_data:
                    raise _ts_error(
                        line_number,
                        name,
                        "a header line after @data; header tags go before @data.",
                        line,
                    )
                if line[1:].strip().lower() != "data":
                    _parse_ts_header_line(line, line_number, name, metadata)
                    continue
                if metadata["class_label"] and metadata["target_label"]:
                    raise _ts_error(
                        line_number,
                        name,
                        "the header declares both @classLabel true and "
                        "@targetLabel true; a problem has one or the other.",
                    )
                in_data = True
                labelled = bool(metadata["class_label"] or metadata["target_label"])
                continue
            if not in_data:
                raise _ts_error(
                    line_number,
                    name,
                    "data before @data; a .ts file starts with '@' header lines "
                    "(and '#' comments), then '@data'. Is this a .ts file?",
                    line,
                )
            if "(" in line:
                raise _ts_error(
                    line_number,
                    name,
                    "the case looks timestamped ('(' in the data); timestamped "
                    "series are not supported by read_ts.",
                    line,
                )
            channels = line.split(":")
            if labelled:
                if len(channels) < 2:
                    raise _ts_error(
                        line_number,
                        name,
                        "no label after the values, but the header declares "
                        f"@{'classLabel' if metadata['class_label'] else 'targetLabel'}"
                        " true; the label goes after the last ':'.",
                        line,
                    )
                *channels, label = channels
                labels.append(
                    _check_ts_label(label.strip(), metadata, line_number, name, line)
                )
            series = [
                _parse_ts_channel(text, line_number, name, channel, line)
                for channel, text in enumerate(channels, start=1)
            ]
            n_channels, n_steps = len(series), len(series[0])
            for channel, values in enumerate(series, start=1):
                if len(values) != n_steps:
                    raise _ts_error(
                        line_number,
                        name,
                        f"channel {channel} has {len(values)} values but channel 1 "
                        f"has {n_steps}; the channels of a case must have the same "
                        "length.",
                        line,
                    )
            if first_case is None:
                first_case = (line_number, n_channels, n_steps)
            _check_ts_case(metadata, first_case, n_channels, n_steps, line_number, name)
            X.append(np.stack(series, axis=1).astype(dtype, copy=False))
    if not in_data:
        raise ValueError(
            f"{name} has no @data line; is it a .ts file? Its header lines start "
            "with '@', and '@data' comes before the cases."
        )
    if not X:
        raise ValueError(f"{name} has no cases after its @data line.")
    metadata["description"] = "\n".join(comments).strip()
    if metadata["equal_length"] or (
        metadata["equal_length"] is None and len({len(x) for x in X}) == 1
    ):
        X = np.stack(X)
    if metadata["class_label"]:
        y = np.asarray(labels, dtype=str)
    elif metadata["target_label"]:
        y = np.asarray(labels, dtype=np.float64)
    else:
        y = None
    return (X, y, metadata) if return_metadata else (X, y)
