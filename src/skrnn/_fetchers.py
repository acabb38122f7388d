"""Fetchers: real data sets downloaded once, then read from a local cache.

The cache (the data home) holds one folder per data set, named as the data set,
with the files as their publishers name them, e.g.
``{data_home}/BasicMotions/BasicMotions_TRAIN.ts`` and
``{data_home}/ud_english_ewt/en_ewt-ud-train.conllu``.
A download goes to a temporary file beside its destination and is renamed into
place only once complete and checked, so the cache never holds half a file.
Public through :mod:`skrnn.datasets`.
"""

import csv
import hashlib
import http.client
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from urllib.request import urlopen

import numpy as np
from sklearn.utils import Bunch

from ._docstrings import fill_doc
from ._readers import read_conllu, read_ts

UCR_UEA_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
UD_ENGLISH_EWT_URL = (
    "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/"
    "r2.16/en_ewt-ud-{split}.conllu"
)
AIRLINE_URL = (
    "https://raw.githubusercontent.com/sktime/sktime/v0.24.0/"
    "sktime/datasets/data/Airline/Airline.csv"
)
_TIMEOUT = 60  # seconds without an answer before a download gives up
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a folder name, never a path

# SHA-256 of each file a fetcher keeps, by folder of the data home, then file.
# Computed from the copies the project keeps in ../shared/data.
_SHA256 = {
    "ArrowHead": {
        "ArrowHead_TRAIN.ts": (
            "a83c470aaf611a5f5284377cce27a5fc9f6292bc3d110257b0fd4905ced5ee72"
        ),
        "ArrowHead_TEST.ts": (
            "5417dab42626d41df5e435bb22458c2df40dfad4bcd3b59559bbe72e20e84904"
        ),
    },
    "BasicMotions": {
        "BasicMotions_TRAIN.ts": (
            "8dc43cc6306cb679c888c01e26f91772ac4441a916da43bac8b79734a538b9d6"
        ),
        "BasicMotions_TEST.ts": (
            "79213102bc6fca1a398ad98ce1185dff0208fa3d1465e687f48288946b0ff8dc"
        ),
    },
    "PLAID": {
        "PLAID_TRAIN.ts": (
            "40deb3bc6bd1e1aa0e6db6e6bfd3cecc4a23bf57f6a6d6ab90fb75e4a2c72344"
        ),
        "PLAID_TEST.ts": (
            "aa6da0dc1461e8d374e068a940ce37d1b0bb1a9844596d818920c8af696d656d"
        ),
    },
    "Tecator": {
        "Tecator_TRAIN.ts": (
            "e38de03007d2d6f29181b07a972fb2048c19ea67fe92df8cf43818f1dcb45f95"
        ),
        "Tecator_TEST.ts": (
            "3d06319c07274e6236d4b4d39e2d2a31e172a8a86510ab72ff50724463a22698"
        ),
    },
    "ud_english_ewt": {
        "en_ewt-ud-train.conllu": (
            "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"
        ),
        "en_ewt-ud-dev.conllu": (
            "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"
        ),
        "en_ewt-ud-test.conllu": (
            "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"
        ),
    },
    "airline": {
        "Airline.csv": (
            "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851"
        ),
    },
}

# Shared parameter text, written once.
_DATA_HOME_DOC = """data_home : str or path-like, default=None
        The cache folder; ``None`` means :func:`get_data_home`'s default. Point
        it at a folder that already holds the files (in the layout above) to
        read them without a download."""
_DOWNLOAD_DOC = """download_if_missing : bool, default=True
        Whether to download the files that are not in the cache; when False, a
        missing file raises an :class:`OSError`.

    verify_checksums : bool, default=False
        Whether to check the SHA-256 of files already in the cache too.
        Downloaded files are always checked, against the digests recorded in
        skrnn, and deleted when they differ."""


def get_data_home(data_home=None):
    """Return the path of skrnn's data folder, creating it if needed.

    Fetchers such as :func:`fetch_ucr_uea` keep the files they download there,
    so that each is downloaded once. The folder is ``data_home`` when given,
    else the ``SKRNN_DATA`` environment variable when set, else ``skrnn_data``
    in the user's home folder. A leading ``'~'`` is expanded to the home
    folder.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data folder; ``None`` means ``$SKRNN_DATA``, else ``~/skrnn_data``.

    Returns
    -------
    data_home : str
        The path of the data folder, which exists.

    See Also
    --------
    clear_data_home : Delete the data folder and all it holds.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skrnn.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = get_data_home(os.path.join(folder, "skrnn_data"))
    ...     os.path.isdir(path)
    True
    """
    if data_home is None:
        data_home = os.environ.get("SKRNN_DATA") or os.path.join("~", "skrnn_data")
    data_home = os.path.expanduser(os.fspath(data_home))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def clear_data_home(data_home=None):
    """Delete the data folder and everything in it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data folder; ``None`` means :func:`get_data_home`'s default.

    See Also
    --------
    get_data_home : Return the path of the data folder.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skrnn.datasets import clear_data_home, get_data_home
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = get_data_home(os.path.join(folder, "skrnn_data"))
    ...     clear_data_home(path)
    ...     os.path.exists(path)
    False
    """
    shutil.rmtree(get_data_home(data_home))


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_sha256(path, folder, filename, *, what):
    """Raise OSError when ``path`` differs from the recorded digest, if any."""
    expected = _SHA256.get(folder, {}).get(filename)
    if expected is None:
        return
    found = _sha256(path)
    if found != expected:
        raise OSError(f"{what}: SHA-256 {found}, expected {expected}.")


def _warn_unverified(folder, source):
    if folder not in _SHA256:
        warnings.warn(
            f"No checksum is recorded in skrnn for {folder!r}: its files, "
            f"downloaded from {source}, are used without verification.",
            UserWarning,
            stacklevel=5,
        )


def _download(url, directory):
    """Download ``url`` into a new temporary file in ``directory``; its path.

    The temporary file is deleted if the download fails or is interrupted.
    """
    fd, path = tempfile.mkstemp(dir=directory, prefix=".download-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file, urlopen(url, timeout=_TIMEOUT) as response:
            shutil.copyfileobj(response, file, 1 << 20)
            size = file.tell()
        # http.client does not raise when the server closes the connection early.
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != size:
            raise OSError(f"the transfer stopped after {size} of {expected} bytes")
    except (OSError, http.client.HTTPException) as exc:
        os.unlink(path)
        raise OSError(
            f"Could not download {url}: {exc}. Check the connection and try again, "
            "or place the files in the data home yourself."
        ) from exc
    except BaseException:
        os.unlink(path)
        raise
    return path


def _install(staged, folder, *, source):
    """Check the staged files, then rename each into place.

    ``staged`` maps file names to temporary paths in ``folder``'s directory.
    All the temporary files are deleted on failure.
    """
    name = os.path.basename(folder)
    try:
        for filename, path in staged.items():
            try:
                _check_sha256(
                    path, name, filename, what=f"{filename} downloaded from {source}"
                )
            except OSError as exc:
                raise OSError(
                    f"{exc} The download was deleted. The file may have been "
                    "corrupted on the way (try again) or changed on the server."
                ) from None
        for filename, path in staged.items():
            os.replace(path, os.path.join(folder, filename))
    finally:
        for path in staged.values():
            if os.path.exists(path):
                os.unlink(path)


def _cached_paths(
    folder_name,
    filenames,
    download,
    *,
    data_home,
    download_if_missing,
    verify_checksums,
):
    """Paths of ``filenames`` in the cache, calling ``download`` for those missing.

    ``download(folder, missing)`` writes the missing files into ``folder``.
    """
    folder = os.path.join(get_data_home(data_home), folder_name)
    paths = [os.path.join(folder, filename) for filename in filenames]
    missing = [f for f in filenames if not os.path.isfile(os.path.join(folder, f))]
    if verify_checksums:
        if folder_name not in _SHA256:
            warnings.warn(
                f"No checksum is recorded in skrnn for {folder_name!r}; its cached "
                "files cannot be verified.",
                UserWarning,
                stacklevel=3,
            )
        for filename, path in zip(filenames, paths, strict=True):
            if filename not in missing:
                try:
                    _check_sha256(path, folder_name, filename, what=path)
                except OSError as exc:
                    raise OSError(
                        f"The cached file {exc} It may be corrupted or another "
                        "version: delete it to download it again."
                    ) from None
    if missing and not download_if_missing:
        raise OSError(
            f"{os.path.join(folder, missing[0])} not found and "
            "download_if_missing=False; pass download_if_missing=True to download "
            f"it, or copy the files of {folder_name} into {folder}."
        )
    if missing:
        created = not os.path.isdir(folder)
        os.makedirs(folder, exist_ok=True)
        try:
            download(folder, missing)
        except BaseException:
            if created and not os.listdir(folder):
                os.rmdir(folder)
            raise
    return paths


def _check_split(split, splits):
    if split is not None and split not in splits:
        raise ValueError(
            f"split={split!r} is not a split of this data set; expected None (all "
            f"of them) or one of {splits!r}."
        )
    return list(splits) if split is None else [split]


def _concatenate(arrays):
    """Join the series of several files: a 3-D array if they fit, else a list."""
    if all(isinstance(X, np.ndarray) for X in arrays) and (
        len({X.shape[1:] for X in arrays}) == 1
    ):
        return np.concatenate(arrays)
    return [x for X in arrays for x in X]


def fetch_ucr_uea(
    name,
    *,
    split=None,
    data_home=None,
    download_if_missing=True,
    verify_checksums=False,
    dtype=np.float32,
    return_X_y=False,
):
    """Load a problem of the UCR/UEA time series archive, downloading it once.

    The archive (https://timeseriesclassification.com) holds the UCR
    univariate and UEA multivariate classification problems, each split into
    train and test cases. The problem is downloaded as ``{name}.zip`` from
    ``https://timeseriesclassification.com/aeon-toolkit/`` and its files are
    kept as ``{data_home}/{name}/{name}_TRAIN.ts`` and ``{name}_TEST.ts``, then
    read with :func:`read_ts`. The files of BasicMotions, ArrowHead, PLAID and
    Tecator are checked against SHA-256 digests recorded in skrnn; other
    problems are downloaded unverified, with a warning.

    Parameters
    ----------
    name : str
        The problem's name in the archive, e.g. ``'BasicMotions'`` (case
        matters).

    split : {'train', 'test'}, default=None
        The cases to load; ``None`` loads the train cases, then the test cases.

    {data_home_param}

    {download}

    dtype : numpy floating dtype, default=np.float32
        Dtype of the series.

    return_X_y : bool, default=False
        Whether to return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_cases, n_steps, n_channels) or list of ndarray
            The series, as :func:`read_ts` returns them: a list of arrays of
            shape ``(n_steps_i, n_channels)`` for a problem of variable length.
        target : ndarray of shape (n_cases,)
            Class labels (str), or regression targets (float64).
        split : ndarray of shape (n_cases,)
            ``'train'`` or ``'test'``, the file each case comes from. The
            archive's split as a scikit-learn cross-validator:
            ``PredefinedSplit(np.where(split == 'test', 0, -1))``.
        target_names : ndarray of str or None
            The class labels as the header lists them; ``None`` for a
            regression problem.
        task : {'classification', 'regression'} or None
            From the header; ``None`` when it declares no label.
        n_channels : int
            Number of channels (variables) per step.
        series_length : int or None
            Number of steps of every series; ``None`` when lengths vary.
        metadata : dict
            The header of the first file read, as :func:`read_ts` returns it.
        DESCR : str
            A description of the problem, with the comments of its file.
        filenames : list of str
            The files read.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        If a file is missing and ``download_if_missing=False``, if the download
        fails, or if a file's SHA-256 differs from the recorded one (a
        downloaded file is then deleted).
    ValueError
        If ``name`` or ``split`` is not valid, or a file breaks the ``.ts``
        format.

    See Also
    --------
    read_ts : Read a ``.ts`` file.

    Examples
    --------
    >>> from skrnn import RNNClassifier
    >>> from skrnn.datasets import fetch_ucr_uea
    >>> X_train, y_train = fetch_ucr_uea(
    ...     "BasicMotions", split="train", return_X_y=True
    ... )  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (40, 100, 6)
    >>> X_test, y_test = fetch_ucr_uea(
    ...     "BasicMotions", split="test", return_X_y=True
    ... )  # doctest: +SKIP
    >>> clf = RNNClassifier().fit(X_train, y_train)  # doctest: +SKIP
    >>> clf.score(X_test, y_test)  # doctest: +SKIP
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"name={name!r} is not a problem name of the UCR/UEA archive; pass its "
            "name as the archive spells it, e.g. 'BasicMotions' (letters, digits, "
            "'_' and '-')."
        )
    splits = _check_split(split, ("train", "test"))
    filenames = [f"{name}_{s.upper()}.ts" for s in splits]
    url = UCR_UEA_URL.format(name=name)

    def download(folder, missing):
        _warn_unverified(name, url)
        archive = _download(url, os.path.dirname(folder))
        try:
            _extract(archive, folder, name, url)
        finally:
            os.unlink(archive)

    paths = _cached_paths(
        name,
        filenames,
        download,
        data_home=data_home,
        download_if_missing=download_if_missing,
        verify_checksums=verify_checksums,
    )
    parts = [read_ts(path, dtype=dtype, return_metadata=True) for path in paths]
    X = _concatenate([part[0] for part in parts])
    y = np.concatenate([part[1] for part in parts]) if parts[0][1] is not None else None
    if return_X_y:
        return X, y
    metadata = parts[0][2]
    task = (
        "classification"
        if metadata["class_label"]
        else "regression"
        if metadata["target_label"]
        else None
    )
    lengths = {len(x) for x in X}
    return Bunch(
        data=X,
        target=y,
        split=np.repeat(splits, [len(part[0]) for part in parts]),
        target_names=(
            None if task != "classification" else np.asarray(metadata["class_labels"])
        ),
        task=task,
        n_channels=X[0].shape[1],
        series_length=lengths.pop() if len(lengths) == 1 else None,
        metadata=metadata,
        DESCR=_describe_ucr_uea(name, metadata, task, X, splits, parts),
        filenames=paths,
    )


def _extract(archive, folder, name, url):
    """Extract the ``.ts`` files of ``name`` from a downloaded zip, checked."""
    wanted = {f"{name}_TRAIN.ts", f"{name}_TEST.ts"}
    staged = {}
    try:
        try:
            zip_file = zipfile.ZipFile(archive)
        except zipfile.BadZipFile as exc:
            raise OSError(
                f"{url} did not give a zip archive; is {name!r} the name of a "
                "problem of the archive? The list is on "
                "https://timeseriesclassification.com/dataset.php (names are "
                "case-sensitive)."
            ) from exc
        with zip_file:
            # Members may sit in a subfolder; only the wanted names are read, so
            # nothing is written outside ``folder``.
            members = {
                os.path.basename(member): member
                for member in zip_file.namelist()
                if os.path.basename(member) in wanted
            }
            absent = sorted(wanted - members.keys())
            if absent:
                raise OSError(
                    f"The archive downloaded from {url} holds no {absent[0]}; it "
                    f"holds {sorted(zip_file.namelist())[:10]!r}."
                )
            for filename, member in sorted(members.items()):
                fd, staged[filename] = tempfile.mkstemp(
                    dir=folder, prefix=".extract-", suffix=".part"
                )
                with os.fdopen(fd, "wb") as out, zip_file.open(member) as source:
                    shutil.copyfileobj(source, out, 1 << 20)
    except BaseException:
        for path in staged.values():
            os.unlink(path)
        raise
    _install(staged, folder, source=url)


def _describe_ucr_uea(name, metadata, task, X, splits, parts):
    lengths = [len(x) for x in X]
    steps = (
        f"{lengths[0]} steps"
        if min(lengths) == max(lengths)
        else f"{min(lengths)} to {max(lengths)} steps"
    )
    counts = " + ".join(
        f"{len(part[0])} {split}" for split, part in zip(splits, parts, strict=True)
    )
    kind = f"{task} problem" if task else "problem"
    if task == "classification":
        kind += f" with {len(metadata['class_labels'])} classes"
    title = f"{name}, from the UCR/UEA time series archive"
    return (
        f"{title}\n{'=' * len(title)}\n\n"
        f"A {kind}: {counts} cases of {X[0].shape[1]} channel(s), {steps}.\n"
        f"Source: https://timeseriesclassification.com/description.php"
        f"?Dataset={name}\n\n{metadata['description']}\n"
    )


_UD_SPLITS = ("train", "dev", "test")
_UD_DESCR = """\
Universal Dependencies English Web Treebank (UD English EWT), release 2.16
==========================================================================

254,818 words of English web text (weblogs, newsgroups, emails, reviews,
question-answers) in 16,622 sentences, with gold tokenisation, universal
part-of-speech tags (UPOS, 17 tags) and Penn Treebank tags (XPOS). Splits:
train 12,544 sentences, dev 2,001, test 2,077. Multi-word token lines and empty
nodes are skipped: each sentence holds its syntactic words.

Licence: CC BY-SA 4.0. Cite Silveira et al., "A Gold Standard Dependency Corpus
for English", LREC 2014. Source:
https://github.com/UniversalDependencies/UD_English-EWT (tag r2.16).
"""


def fetch_ud_english_ewt(
    *,
    split=None,
    target="upos",
    data_home=None,
    download_if_missing=True,
    verify_checksums=False,
    return_X_y=False,
):
    """Load the UD English EWT treebank (POS tagging), downloading it once.

    The CoNLL-U files of release 2.16 are downloaded from the treebank's GitHub
    repository, kept as ``{data_home}/ud_english_ewt/en_ewt-ud-{split}.conllu``,
    checked against SHA-256 digests recorded in skrnn, and read with
    :func:`read_conllu`: the words of each sentence and their tags, ready for
    :class:`~skrnn.SequenceTagger`.

    Parameters
    ----------
    split : {'train', 'dev', 'test'}, default=None
        The sentences to load; ``None`` loads train, then dev, then test.

    target : {'upos', 'xpos'}, default='upos'
        The tags: universal part-of-speech tags (17) or Penn Treebank tags.

    {data_home_param}

    {download}

    return_X_y : bool, default=False
        Whether to return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : list of list of str
            The words of each sentence.
        target : list of list of str
            The tag of each word.
        split : ndarray of shape (n_sentences,)
            ``'train'``, ``'dev'`` or ``'test'``, the file each sentence comes
            from.
        target_names : ndarray of str
            The tags that occur, sorted.
        DESCR : str
            A description of the treebank, its licence and citation.
        filenames : list of str
            The files read.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    OSError
        If a file is missing and ``download_if_missing=False``, if the download
        fails, or if a file's SHA-256 differs from the recorded one (a
        downloaded file is then deleted).
    ValueError
        If ``split`` or ``target`` is not valid.

    See Also
    --------
    read_conllu : Read a CoNLL-U file.

    Examples
    --------
    >>> from skrnn.datasets import fetch_ud_english_ewt
    >>> words, tags = fetch_ud_english_ewt(
    ...     split="dev", return_X_y=True
    ... )  # doctest: +SKIP
    >>> len(words), words[0][:4], tags[0][:4]  # doctest: +SKIP
    (2001, ['From', 'the', 'AP', 'comes'], ['ADP', 'DET', 'PROPN', 'VERB'])
    """
    splits = _check_split(split, _UD_SPLITS)
    if target not in ("upos", "xpos"):
        raise ValueError(
            f"target={target!r} is not a tag set of UD English EWT; expected 'upos' "
            "(universal tags) or 'xpos' (Penn Treebank tags)."
        )
    filenames = {f"en_ewt-ud-{s}.conllu": s for s in splits}

    def download(folder, missing):
        # One file at a time: each is complete and checked once in place.
        for filename in missing:
            url = UD_ENGLISH_EWT_URL.format(split=filenames[filename])
            _install({filename: _download(url, folder)}, folder, source=url)

    paths = _cached_paths(
        "ud_english_ewt",
        list(filenames),
        download,
        data_home=data_home,
        download_if_missing=download_if_missing,
        verify_checksums=verify_checksums,
    )
    X, y, sizes = [], [], []
    for path in paths:
        words, tags = read_conllu(path, target=target)
        X += words
        y += tags
        sizes.append(len(words))
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        split=np.repeat(splits, sizes),
        target_names=np.asarray(sorted({tag for tags in y for tag in tags})),
        DESCR=_UD_DESCR,
        filenames=paths,
    )


_AIRLINE_DESCR = """\
Airline passengers, 1949-1960 (Box and Jenkins, series G)
=========================================================

Monthly totals of international airline passengers, in thousands, from January
1949 to December 1960: 144 values with a trend and a yearly seasonality, the
classic forecasting example. Box, Jenkins and Reinsel, "Time Series Analysis:
Forecasting and Control", series G. Copied from sktime's data sets.
"""


def fetch_airline(*, data_home=None, download_if_missing=True, verify_checksums=False):
    """Load the monthly airline passenger series (1949-1960), downloading it once.

    The series is downloaded as ``Airline.csv`` from sktime's repository and
    kept as ``{data_home}/airline/Airline.csv``, checked against a SHA-256 digest
    recorded in skrnn.

    Parameters
    ----------
    {data_home_param}

    {download}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (144,), dtype float64
            Passengers per month, in thousands.
        dates : ndarray of shape (144,), dtype datetime64[M]
            The month of each value.
        DESCR : str
            A description of the series.
        filename : str
            The file read.

    Raises
    ------
    OSError
        If the file is missing and ``download_if_missing=False``, if the
        download fails, or if the file's SHA-256 differs from the recorded one.

    See Also
    --------
    get_data_home : Return the path of the data folder.

    Examples
    --------
    >>> from skrnn.datasets import fetch_airline
    >>> airline = fetch_airline()  # doctest: +SKIP
    >>> airline.data[:3], airline.dates[0]  # doctest: +SKIP
    (array([112., 118., 132.]), np.datetime64('1949-01'))
    """

    def download(folder, missing):
        staged = {"Airline.csv": _download(AIRLINE_URL, folder)}
        _install(staged, folder, source=AIRLINE_URL)

    (path,) = _cached_paths(
        "airline",
        ["Airline.csv"],
        download,
        data_home=data_home,
        download_if_missing=download_if_missing,
        verify_checksums=verify_checksums,
    )
    dates, passengers = [], []
    with open(path, newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        header = next(rows, None)
        for line_number, row in enumerate(rows, start=2):
            try:
                date, value = row
                dates.append(np.datetime64(date, "M"))
                passengers.append(float(value))
            except ValueError as exc:
                raise ValueError(
                    f"Line {line_number} of {path!r} is not 'YYYY-MM,passengers' "
                    f"as the file's header {header!r} announces: {row!r}; delete "
                    "the file to download it again."
                ) from exc
    return Bunch(
        data=np.asarray(passengers),
        dates=np.asarray(dates, dtype="datetime64[M]"),
        DESCR=_AIRLINE_DESCR,
        filename=path,
    )


for _fetcher in (fetch_ucr_uea, fetch_ud_english_ewt, fetch_airline):
    fill_doc(data_home_param=_DATA_HOME_DOC, download=_DOWNLOAD_DOC)(_fetcher)
del _fetcher
