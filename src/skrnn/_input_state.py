"""The fitted attributes that describe the input seen in fit.

The parsers of :mod:`skrnn._data` return an :class:`~skrnn._data.InputSpec`;
this mixin is where an estimator turns it into its fitted attributes (in fit)
and back (to check later input), so that every estimator names them alike:
``_dtype``, ``n_step_features_``, ``n_features_in_``, ``_fitted_on_table``,
and for token input ``_input_kind``, ``vocabularies_``, ``_chars`` and, with
pretrained word vectors, ``_word_dim``.
"""

from ._data import InputSpec


class InputStateMixin:
    """Store and recall what fit learnt about ``X``. Not for direct use."""

    def _record_input(self, spec):
        """Set the fitted attributes of the input described by ``spec``."""
        self._dtype = spec.dtype
        if spec.kind == "tokens":
            self._input_kind = "tokens"
            self.vocabularies_ = spec.vocabularies
            self._chars = spec.chars
            if spec.word_dim is None:
                _drop(self, "_word_dim")
            else:
                self._word_dim = spec.word_dim
            # Facts of an earlier fit on numbers would describe another input.
            _drop(
                self,
                "n_step_features_",
                "n_features_in_",
                "feature_names_in_",
                "_fitted_on_table",
            )
            return
        self.n_step_features_ = spec.n_step_features
        self._fitted_on_table = spec.table
        if not spec.table:
            # validate_data did not see X: a step feature is a feature.
            self.n_features_in_ = spec.n_step_features
            _drop(self, "feature_names_in_")
        _drop(self, "_input_kind", "vocabularies_", "_chars", "_word_dim")

    def _fitted_input(self):
        """The :class:`~skrnn._data.InputSpec` recorded by fit."""
        return InputSpec(
            getattr(self, "_input_kind", "numbers"),
            self._dtype,
            n_step_features=getattr(self, "n_step_features_", None),
            table=getattr(self, "_fitted_on_table", False),
            vocabularies=getattr(self, "vocabularies_", None),
            chars=getattr(self, "_chars", None),
            word_dim=getattr(self, "_word_dim", None),
        )


def _drop(estimator, *names):
    for name in names:
        if name in vars(estimator):
            delattr(estimator, name)
