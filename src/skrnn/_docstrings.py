"""Shared docstring text, written once, and the one helper that inserts it.

Docstrings mark a shared part with a ``{name}`` placeholder on a line of its own
(or inside a line); :func:`substitute` replaces exactly the placeholders it is
given and leaves every other brace alone, so set literals such as
``{'lstm', 'gru'}`` and paths such as ``{data_home}/ucr`` need no escaping.
"""

# Parameter text shared by every estimator.
CORE_PARAMS_DOC = """\
cell : {'lstm', 'gru', 'rnn'}, default='lstm'
        Recurrent cell: :class:`torch.nn.LSTM`, :class:`torch.nn.GRU` or the
        vanilla :class:`torch.nn.RNN`, in any letter case (``'LSTM'`` too).
        LSTM is the default because it trains reliably on long sequences and,
        on CPUs, runs faster than GRU of the same size.

    hidden_size : int, default={hidden_size}
        Number of features in the hidden state of each layer (per direction).

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default={bidirectional}
        Whether each layer also reads the sequence backwards; the outputs of
        the two directions are concatenated.

    dropout : float, default={dropout}
        Dropout probability between stacked layers and before the output layer.

    nonlinearity : {'tanh', 'relu'}, default='tanh'
        Activation of the vanilla RNN cell; only used with ``cell='rnn'``."""

EARLY_STOPPING_DOC = """\
Set aside ``validation_fraction`` of the training sequences (stratified
        for classification), stop when the validation score (accuracy or R^2)
        has not improved by ``tol`` for ``n_iter_no_change`` epochs, and restore
        the weights of the best epoch. ``'auto'`` does so for training sets of
        at least 2,000 sequences (after removing zero weights) and trains on
        everything, stopping on the training loss, below that: on small data
        sets the validation split costs more training data than early
        stopping saves, while on large ones (sentences, documents) the
        training loss keeps falling long after the model stops improving (see
        :doc:`/benchmarks`)."""

TAGGER_EARLY_STOPPING_DOC = """\
Set aside ``validation_fraction`` of the training sentences, stop when the
        validation score has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the weights of the best epoch. The score is the
        accuracy of the predicted labels (the CRF's Viterbi tags), or, when
        the labels are chunk tags (``'O'`` and ``B-``, ``I-``, ``E-``, ``S-``
        followed by a type), conlleval's span F1, which entities are judged
        by (with ``sample_weight`` or ``class_weight``, the weighted accuracy:
        span F1 has no weights). Off by default (``'auto'`` validates from
        2,000 sentences on, as the other estimators do): the cosine schedule
        over ``max_epochs='auto'`` ends training by design, and on UD English
        EWT and CoNLL-2002 Dutch NER the tenth set aside cost more than
        keeping the best epoch gained (see :doc:`/benchmarks`)."""

MAX_EPOCHS_AUTO = (
    "``'auto'`` is about 8,000 gradient steps:\n"
    "        ``ceil(8000 / n_batches)`` epochs, ``n_batches`` the training batches of\n"
    "        an epoch, but at least 24 and at most 300, so that a corpus of\n"
    "        thousands of sentences gets the few epochs it needs and a small data\n"
    "        set the many updates it needs."
)

TRAINING_PARAMS_DOC = """\
max_epochs : int or 'auto', default={max_epochs}
        Maximum number of passes over the training data. Training stops earlier
        once the training loss has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs (the rule of
        :class:`~sklearn.neural_network.MLPClassifier`), or when the
        ``'plateau'`` schedule has cut the rate three times; a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when it did not,
        except with ``lr_schedule='cosine'``, whose rate reaches zero at
        ``max_epochs`` by design. {max_epochs_auto}

    batch_size : int, default={batch_size}
        {batch_size_why}

    length_buckets : bool, default=True
        Draw training batches of sequences of similar lengths: a shuffled
        epoch is cut into buckets of 50 batches, each sorted by (randomly
        jittered) length, and the batches are shuffled. An epoch then costs
        about the total length of the data instead of the number of sequences
        times the longest one, but each gradient step sees one range of
        lengths. On by default because epochs on data of mixed lengths get
        much faster, at a small cost in accuracy per epoch where the label
        depends on the length (see :doc:`/benchmarks`). False draws batches at
        random.

    lr : float, default={lr}
        Learning rate of the optimizer.{lr_why}

    optimizer : {'adam', 'adamw', 'sgd', 'rmsprop'} or torch optimizer class, \
default='adam'
        Optimizer. Adam needs no tuning of the learning rate to train recurrent
        networks well.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    clip_grad_norm : float or None, default=1.0
        Maximum norm of the gradient, which is rescaled when it is larger.
        Exploding gradients are the classic failure of recurrent networks; clipping
        prevents them at almost no cost. ``None`` disables clipping.

    tol : float, default=1e-4
        Minimum decrease of the training loss that counts as an improvement.

    n_iter_no_change : {n_iter_no_change_type}, default={n_iter_no_change}
        Number of epochs without improvement after which training stops.
        {n_iter_no_change_why}

    early_stopping : bool or 'auto', default={early_stopping}
        {early_stopping_doc}

    validation_fraction : float, default=0.1
        Share of the training sequences set aside when ``early_stopping=True``.{n_init}

    lr_schedule : {'plateau', 'cosine'} or None, default={lr_schedule}
        Learning-rate schedule: ``'plateau'`` divides the rate by 5 when the
        monitored loss (validation loss with early stopping, else training
        loss) has not improved by ``tol`` for ``n_iter_no_change // 2`` epochs,
        and its third cut (to ``lr / 125``) ends training, converged: by then
        the batches' noise in the loss keeps resetting the patience count
        while the epochs left change the model little (on PLAID they were a
        sixth of the fit, see :doc:`/benchmarks`); ``'cosine'`` anneals it to
        zero over ``max_epochs`` (``partial_fit`` calls past them follow the
        cosine on, so the rate rises again, as after a warm restart). Both
        carry on across ``partial_fit`` calls, which train one epoch each.
        Other schedules can be passed as skorch ``LRScheduler``
        callbacks.{lr_schedule_why}

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks run during training, after the built-in ones.

    warm_start : bool, default=False
        When true, ``fit`` continues from the previous fit's weights (and keeps
        its classes, input and target scaling) instead of starting afresh.{class_weight}

    standardize : bool, default=True
        Standardize each input feature (and, for regression, each target) with
        its mean and standard deviation over the real steps of the training
        sequences, weighted by ``sample_weight``. Recurrent networks do not train
        on unscaled data such as values in the hundreds; predictions are returned
        in the original units.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and the shuffling of batches. Pass
        an int for reproducible results. The caller's global torch random state
        is left untouched.

    device : str, default='cpu'
        Torch device to train and predict on: ``'cpu'``, ``'cuda'``,
        ``'cuda:N'``, or ``'auto'`` (CUDA when available, else CPU).

    n_threads : int, 'auto' or None, default='auto'
        torch intra-op threads used on the CPU during ``fit`` and ``predict``;
        torch's setting is restored when the call returns. ``'auto'`` uses up
        to torch's current count (``torch.get_num_threads()``, by default one
        per core) but fewer while other processes keep the CPUs busy, measured
        from ``/proc/stat`` every 0.1 s of work (Linux; elsewhere it leaves the
        count alone), because small recurrent layers run several times slower
        when their threads compete with other work on the same cores (see
        :doc:`/benchmarks`). An int sets the count; None leaves it alone.
        torch splits its sums differently over more threads, so a fit
        repeats bit for bit at a fixed count (an int, or 'auto' on a machine
        where nothing else runs); where 'auto' changes the count, the last
        digits of the weights, and so a few predictions, can change.

    verbose : int, default=0
        0 is silent; 1 prints one line per epoch (training loss, validation
        loss and score when early stopping, duration); 2 adds a progress bar
        over the batches of each epoch."""

# Token input, shared by every estimator (the tagger's defaults differ).
TOKEN_PARAMS_DOC = """\
embedding_dim : int, default={embedding_dim}
        Size of the word embedding (other token fields get
        ``min(embedding_dim, 32)``; with ``word_vectors``, the word embedding
        takes the vectors' size). Token input only.

    char_features : int, default={char_features}
        Number of filters of the character convolution over each word, which
        represents words never seen in fit by their spelling; 0 disables the
        character encoder. Token input only.{char_features_why}

    min_frequency : int, default={min_frequency}
        Words seen fewer times in fit map to the unknown-word embedding, which
        therefore gets trained (words with a pretrained vector are kept
        whatever their count). Token input only.

    max_vocabulary : int or None, default=None
        Keep at most this many words (the most frequent) in the vocabulary of
        each token field, as ``max_features`` does in scikit-learn's
        vectorizers; the others map to the unknown-word embedding. None keeps
        every word seen ``min_frequency`` times. Token input only.

    word_dropout : float, default={word_dropout}
        Probability of replacing a word by the unknown-word token during
        training, so that the network also learns from a word's spelling and
        context: that is what it has for words never seen in fit. Token input
        only.

    lowercase : bool, default={lowercase}
        Look words up in lower case in the word embedding, so that "The" and
        "the" share one; the character encoder still sees the original case.
        Token input only.

    word_vectors : str, path, mapping or None, default=None
        Pretrained word vectors that initialise the word embedding: the path
        of a local text file in the word2vec or GloVe format (one word and its
        numbers per line, an optional ``n_words dimension`` header; ``.gz``
        read compressed), or a mapping word -> vector such as gensim's
        ``KeyedVectors`` or a dict. Only the vectors of the training words are
        read, once, in fit; nothing is downloaded. Words without a vector get
        the usual trained embedding. A file path is stored by
        :func:`skrnn.save`, a mapping is not (the vectors are in the fitted
        weights already: ``set_params(word_vectors=None)`` before saving).
        Token input only.

    freeze_word_vectors : bool, default=False
        Keep the pretrained vectors fixed during training (only the words
        without one train their embedding). Token input only."""

DOCUMENT_PARAMS_DOC = """\
analyzer : {'word', 'char'}, default='word'
        How raw documents (strings) become tokens: ``'word'`` splits them
        with ``tokenizer`` or ``token_pattern``; ``'char'`` makes every
        character a token (whitespace runs become one space), for a
        character-level model.

    token_pattern : str, default=r"(?u)\\w+|[^\\w\\s]"
        Regular expression of a token, as in
        :class:`~sklearn.feature_extraction.text.CountVectorizer` (whose
        analyzer skrnn uses): by default runs of word characters and single
        punctuation marks, in any script. Case is kept (see ``lowercase``).

    tokenizer : callable or None, default=None
        A function from a document to its list of tokens, used instead of
        ``token_pattern`` (for example ``nltk.word_tokenize`` or a spaCy
        tokenizer). :func:`skrnn.save` cannot store a function (loading never
        runs code): save models with the built-in tokenizers.

    max_length : int or None, default={max_length}
        Token sequences (documents or token lists) longer than this are cut,
        keeping the tokens that ``truncation`` names, so that one very long
        document cannot exhaust memory or dominate training time. None keeps
        every token. With ``return_sequences=True`` sequences are never cut
        (every step has a target).

    truncation : {'first', 'last', 'both'}, default='both'
        Which tokens a cut keeps: the first ``max_length``, the last, or both
        ends (half from each), the choice that classifies long reviews best in
        Sun et al. (2019), "How to fine-tune BERT for text classification"."""

DTYPE_NOTE = """\
Training runs in the floating-point precision of ``X``, as in scikit-learn's
    :class:`~sklearn.neural_network.MLPClassifier`: float32 input trains in
    float32, anything else in float64. On CPUs float32 is several times faster,
    so pass ``X.astype(np.float32)`` when speed matters."""


SMALL_DATA_STOPPING = (
    "Recurrent networks often sit on a plateau of the loss for tens of epochs\n"
    "        before they learn, most of all on small data sets with few batches per\n"
    "        epoch; with a patience of 50, training gets past such a plateau far\n"
    "        more often than with 10 (see :doc:`/benchmarks`)."
)

AUTO_PATIENCE = (
    "``'auto'`` is 5 epochs on a validation score (with early stopping: data\n"
    "        sets large enough for one have many batches per epoch). On the\n"
    "        training loss it is about 300 gradient steps: ``ceil(300 / n_batches)``\n"
    "        epochs, ``n_batches`` the training batches of an epoch, but at least\n"
    "        10 and at most 50. Recurrent networks often sit on a loss plateau for\n"
    "        a while before they learn, most of all on small data sets with few\n"
    "        batches per epoch, which then get the patience of 50 epochs they need\n"
    "        (on Tecator, 6 batches, a patience of 17 epochs stopped one seed at\n"
    "        train R^2 0.94 where 50 reached 0.999, see :doc:`/benchmarks`);\n"
    "        larger ones make more progress per epoch and need fewer."
)

DOCUMENT_CHARS_WHY = (
    " Off by default for\n"
    "        documents, as is ``word_dropout``: on sentence sentiment both slowed\n"
    "        learning and neither raised the validation accuracy (see\n"
    "        :doc:`/benchmarks`); part-of-speech tags hinge on unseen words, and\n"
    "        there the tagger's 100 filters pay."
)

CLASS_WEIGHT_DOC = """\
class_weight : 'balanced', dict or None, default=None
        Weights of the classes in the loss, multiplied with ``sample_weight``:
        a dict maps a label to its weight (labels it leaves out weigh 1), and
        ``'balanced'`` weighs each class inversely to its frequency among the
        labels of each call to ``fit``, as
        :func:`~sklearn.utils.class_weight.compute_class_weight` does
        (``partial_fit`` refuses it: one call's labels are not the data's).
        None weighs every class 1."""


N_INIT_DOC = """\
n_init : int, default={n_init}
        Number of training runs from different initialisations (drawn from
        ``random_state``); the run with the lowest final training loss is kept
        (with ``early_stopping``, the highest validation score), as
        :class:`~sklearn.cluster.KMeans` keeps the best of its ``n_init``
        starts. A start that stalls on a loss plateau shows in its training
        loss, and restarts replace it, at ``n_init`` times the cost of a fit.
        1 by default: with the default recipe no seed of the shared real data
        sets stalled (with ``readout='attention'`` one did, and restarts fitted
        its training set without testing better, see :doc:`/benchmarks`).
        ``partial_fit`` and ``warm_start`` continue one network and do not
        restart."""

RECIPE_LR_WHY = (
    "\n        Small sequence data sets give few gradient steps per epoch: at the\n"
    "        former default 1e-3 they take hundreds of epochs or stall, and 1e-2\n"
    "        with the ``'plateau'`` schedule trains in fewer epochs and more\n"
    "        reliably (see :doc:`/benchmarks`)."
)

RECIPE_SCHEDULE_WHY = (
    "\n        ``'plateau'`` is the default: it lets the large default rate make\n"
    "        fast progress and then refine once the training loss stalls."
)

TAGGER_LR_WHY = (
    "\n        The rate of the part-of-speech recipe tuned on UD English EWT (see\n"
    "        :doc:`/benchmarks`), where it trains a BiLSTM of 200 with dropout 0.33\n"
    "        in 24 epochs; the classifier's 1e-2 is set for small data sets, whose\n"
    "        few batches per epoch need large steps."
)

TAGGER_SCHEDULE_WHY = (
    "\n        ``'cosine'`` is the default, the tuned recipe's schedule: with\n"
    "        ``max_epochs='auto'`` it anneals the rate over about 8,000 gradient\n"
    "        steps whatever the size of the corpus, and training ends there by\n"
    "        design (with ``early_stopping``, the best epoch on the validation\n"
    "        split is kept)."
)


def substitute(text, **parts):
    """``text`` with each ``{name}`` placeholder replaced by ``parts[name]``.

    Only the given names are replaced (a name without a placeholder is
    skipped). ``None`` (docstrings stripped by ``python -OO``) stays ``None``.
    """
    if text is None:
        return None
    for name, part in parts.items():
        text = text.replace("{" + name + "}", part)
    return text


RECIPE_COST_NOTE = """\
What the defaults cost, and why: they were chosen on the shared real data
    sets of :doc:`/benchmarks` over seeds 0-4, for a fit that ends by itself
    (no ``ConvergenceWarning``) at or above the baselines a user tries first
    (met on three of the four; on ArrowHead 1-NN stays ahead).
    On a 2-core CPU in float32 a default fit took about 3-4 s on BasicMotions
    (40 sequences of 100 steps, 6 features), 7-17 s on ArrowHead (36 of 251
    steps), 19-41 s on Tecator (172 of 100 steps) and 54-118 s with two torch
    threads on PLAID (537 sequences of 100-1,344 steps). An epoch costs about
    the total number of steps of the data (length buckets), mostly in the
    convolutional front end; a fit runs until the training loss stops
    improving by ``tol`` or the ``'plateau'`` schedule's third cut: 60-410
    epochs on these four sets."""


FRONT_END_DOC = """front_end : {'auto', 'conv'} or None, default='auto'
        ``'conv'`` runs three blocks of a 1-D convolution (64 filters of width
        7, stride 2), batch normalisation over the real steps and a ReLU before
        the recurrence, as in LSTM-FCN: the recurrence then reads local shapes
        instead of single values, over an eighth of the steps, and the head
        reads the convolutions' features averaged over the sequence (FCN's
        global pooling) beside the readout. The convolutions read each input
        feature twice, as standardised and z-normalised by the sequence's own
        mean and standard deviation over its real steps, and the head also
        reads those two per feature (``asinh`` of the mean, log of the
        standard deviation): series whose levels differ by orders of magnitude
        (PLAID's appliance currents: test accuracy 0.25 without it, see
        :doc:`/benchmarks`) then reach the convolutions at one scale, their
        level and scale still known. It costs one pass over the input
        and a second input channel per feature. ``'auto'`` uses it wherever there
        is one output per sequence of numeric input (not with
        ``return_sequences=True``, nor on token input, whose embeddings the
        recurrence reads: on sentence sentiment it lowered the validation
        accuracy, see :doc:`/benchmarks`); None feeds the raw steps to the
        recurrence. On by default because a recurrence alone does not learn
        long univariate series from few examples (ArrowHead, 251 steps: test
        accuracy 0.30 without it, see :doc:`/benchmarks`)."""


def fill_doc(**parts):
    """Decorator: :func:`substitute` ``parts`` into the object's docstring."""

    def decorate(obj):
        obj.__doc__ = substitute(obj.__doc__, **parts)
        return obj

    return decorate


def estimator_doc(
    *,
    bidirectional=False,
    hidden_size=64,
    dropout=0.0,
    lowercase=True,
    max_epochs=500,
    max_epochs_auto=MAX_EPOCHS_AUTO,
    n_iter_no_change="'auto'",
    early_stopping="'auto'",
    n_iter_no_change_why=SMALL_DATA_STOPPING,
    early_stopping_doc=EARLY_STOPPING_DOC,
    class_weight=None,
    embedding_dim=100,
    char_features=100,
    min_frequency=2,
    word_dropout=0.25,
    max_length=None,
    char_features_why="",
    lr="1e-3",
    lr_why="",
    lr_schedule="None",
    lr_schedule_why="",
    n_init=None,
    batch_size=32,
    batch_size_why=(
        "Number of sequences per gradient step (Keras's default; small batches\n"
        "        make many updates per epoch, which small sequence data sets need)."
    ),
):
    """Decorator inserting the shared estimator parameters, with this class's
    defaults, into its docstring's ``{core_params}``, ``{training_params}`` and
    ``{dtype_note}``.

    ``class_weight`` is the text of that parameter (placed where the signature
    has it, after ``warm_start``), or None for an estimator without it; so is
    ``n_init`` (its default, placed after ``validation_fraction``);
    ``max_epochs_auto`` says what ``max_epochs='auto'`` is. ``lr`` and
    ``lr_schedule`` are the defaults as written, the ``*_why`` texts the reason
    for them; ``early_stopping_doc`` is the text of that parameter. The token
    parameters go into ``{token_params}`` and, for estimators that read raw
    documents, ``{document_params}``.
    """
    core = substitute(
        CORE_PARAMS_DOC,
        bidirectional=repr(bidirectional),
        hidden_size=str(hidden_size),
        dropout=str(dropout),
    )
    training = substitute(
        TRAINING_PARAMS_DOC,
        max_epochs=str(max_epochs),
        max_epochs_auto=max_epochs_auto,
        n_iter_no_change=str(n_iter_no_change),
        early_stopping=str(early_stopping),
        early_stopping_doc=early_stopping_doc,
        n_iter_no_change_type="int"
        if isinstance(n_iter_no_change, int)
        else "int or 'auto'",
        n_iter_no_change_why=n_iter_no_change_why,
        class_weight="" if class_weight is None else "\n\n    " + class_weight,
        n_init=""
        if n_init is None
        else "\n\n    " + substitute(N_INIT_DOC, n_init=str(n_init)),
        batch_size=str(batch_size),
        batch_size_why=batch_size_why,
        lr=lr,
        lr_why=lr_why,
        lr_schedule=lr_schedule,
        lr_schedule_why=lr_schedule_why,
    )
    tokens = substitute(
        TOKEN_PARAMS_DOC,
        embedding_dim=str(embedding_dim),
        char_features=str(char_features),
        min_frequency=str(min_frequency),
        word_dropout=str(word_dropout),
        lowercase=repr(lowercase),
        char_features_why=char_features_why,
    )
    documents = substitute(DOCUMENT_PARAMS_DOC, max_length=str(max_length))
    return fill_doc(
        core_params=core,
        training_params=training,
        dtype_note=DTYPE_NOTE,
        token_params=tokens,
        document_params=documents,
        front_end_params=FRONT_END_DOC,
        recipe_cost_note=RECIPE_COST_NOTE,
    )
