"""A hyperparameter search over a local Dask cluster, through joblib's dask backend,
gives the search that runs on one machine. Workers are separate processes."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import skrnn
from skrnn import RNNRegressor

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    # Two one-thread worker processes; each also declares one (pretend) GPU, so
    # that the resources test can use the same cluster. The context managers
    # close client and cluster even when a test fails.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            resources={"GPU": 1},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def search_data():
    rng = np.random.RandomState(0)
    X = rng.randn(48, 6, 2)
    y = X[:, :, 0].sum(axis=1) + 0.1 * rng.randn(48)
    search = GridSearchCV(
        RNNRegressor(max_epochs=3, batch_size=16, random_state=0),
        {"hidden_size": [4, 8], "cell": ["lstm", "gru"]},
        cv=2,
    )
    # The reference: the default backend, in this process (n_jobs=None).
    return X, y, search, clone(search).fit(X, y)


def _worker_settings():
    import os

    import torch

    import skrnn

    return torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS"), skrnn.__file__


def test_workers_run_one_torch_thread_and_this_skrnn(client):
    settings = client.run(_worker_settings)
    assert len(settings) == 2
    for threads, omp, skrnn_file in settings.values():
        # distributed's nanny sets OMP_NUM_THREADS=1 before the worker starts,
        # so torch does not start one thread per core in every worker.
        assert threads == 1 and omp == "1"
        assert skrnn_file == skrnn.__file__


def _assert_same_search(search, reference, X):
    assert search.best_params_ == reference.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_allclose(
            search.cv_results_[key], reference.cv_results_[key], rtol=1e-10
        )
    np.testing.assert_array_equal(
        search.cv_results_["rank_test_score"], reference.cv_results_["rank_test_score"]
    )
    np.testing.assert_allclose(
        search.predict(X), reference.predict(X), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("scatter", [False, True], ids=["auto", "scatter"])
def test_grid_search_on_dask_equals_the_local_search(client, search_data, scatter):
    X, y, search, reference = search_data
    config = {}
    if scatter:
        # joblib scatters arrays by itself, but not lists (they cannot be
        # weak-referenced): a list of sequences is scattered by hand.
        X = list(X)
        config = {"scatter": [X, y]}
    with distributed.get_task_stream(client) as tasks:
        with parallel_config(backend="dask", **config):
            on_dask = clone(search).fit(X, y)
    assert tasks.data, "no task ran on the cluster"
    _assert_same_search(on_dask, reference, X)


def test_grid_search_with_worker_resources(client, search_data):
    # The GPU-per-worker recipe of docs/distributed.rst, on CPU workers: each
    # task asks for one "GPU" and so runs alone on its worker.
    X, y, search, reference = search_data
    with parallel_config(backend="dask", resources={"GPU": 1}):
        on_dask = clone(search).fit(X, y)
    _assert_same_search(on_dask, reference, X)
