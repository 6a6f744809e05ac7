"""nnlib.sklearn.MLPClassifier: a scikit-learn estimator (checks, search, pipelines)."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnlib import datasets, layers, optimizers, regularizers
from nnlib.models import Sequential
from nnlib.sklearn import MLPClassifier


# Every scikit-learn estimator check passes (no expected failures): a small, fast instance.
@parametrize_with_checks([MLPClassifier(hidden_layer_sizes=(8,), epochs=5, learning_rate=0.1,
                                        random_state=0),
                          MLPClassifier(hidden_layer_sizes=(8,), epochs=5, learning_rate=0.01,
                                        optimizer="adam", dtype="float32", random_state=0)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.load_digits()
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def test_learns_digits(digits):
    X_tr, X_te, y_tr, y_te = digits
    clf = MLPClassifier((32,), learning_rate=0.1, epochs=20, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.93
    assert clf.n_features_in_ == 64
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert len(clf.loss_curve_) == 20 and clf.loss_curve_[-1] < clf.loss_curve_[0]
    P = clf.predict_proba(X_te)
    assert P.shape == (len(X_te), 10)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X_te), P.argmax(axis=1))


def test_any_label_values_and_binary():
    X, y01 = datasets.make_logistic(n=400, beta=(2.0, -3.0), seed=1)
    y = np.where(y01 == 1, "yes", "no")
    clf = MLPClassifier((4,), learning_rate=0.1, epochs=20, random_state=0).fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.model_.layers[-1].units == 1                     # one sigmoid unit
    assert clf.model_.layers[-1].activation.name == "sigmoid"
    P = clf.predict_proba(X)
    assert P.shape == (400, 2)
    np.testing.assert_allclose(P[:, 1], clf.model_.predict(X)[:, 0], rtol=1e-12)
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert clf.score(X, y) > 0.85


def test_softmax_output_for_three_string_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2)) + np.repeat(np.eye(3, 2) * 4, 30, axis=0)
    y = np.repeat(np.array(["a", "b", "c"]), 30)
    clf = MLPClassifier((), learning_rate=0.1, epochs=30, random_state=0).fit(X, y)
    assert clf.model_.layers[-1].units == 3
    assert clf.score(X, y) > 0.9


def test_same_seed_same_model_and_matches_nnlib(digits):
    X_tr, _, y_tr, _ = digits
    kw = dict(hidden_layer_sizes=(16,), learning_rate=0.05, alpha=1e-3, epochs=3,
              batch_size=64, momentum=0.9, random_state=3)
    a, b = MLPClassifier(**kw).fit(X_tr, y_tr), MLPClassifier(**kw).fit(X_tr, y_tr)
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    # the same network written directly with nnlib
    reg = regularizers.L2(1e-3)
    net = Sequential([layers.Dense(16, "relu", input_dim=64, kernel_regularizer=reg),
                      layers.Dense(10, "softmax", kernel_regularizer=reg)], seed=3)
    net.compile("sparse_categorical_crossentropy", optimizers.SGD(0.05, momentum=0.9))
    net.fit(X_tr, y_tr, epochs=3, batch_size=64)
    for wa, wn in zip(a.model_.get_weights(), net.get_weights()):
        np.testing.assert_allclose(wa, wn, rtol=1e-12, atol=1e-14)


def test_alpha_penalizes_kernels(digits):
    X_tr, _, y_tr, _ = digits
    kw = dict(hidden_layer_sizes=(16,), learning_rate=0.1, epochs=5, random_state=0)
    free = MLPClassifier(alpha=0.0, **kw).fit(X_tr, y_tr)
    tied = MLPClassifier(alpha=0.01, **kw).fit(X_tr, y_tr)
    norm = lambda m: sum(float(np.sum(w ** 2)) for w in m.model_.get_weights()[::2])
    assert norm(tied) < 0.7 * norm(free)
    assert all(l.kernel_regularizer.l2 == 0.01 for l in tied.model_.layers)


def test_float32(digits):
    X_tr, X_te, y_tr, y_te = digits
    clf = MLPClassifier((16,), learning_rate=0.1, epochs=5, random_state=0,
                        dtype="float32").fit(X_tr, y_tr)
    assert all(w.dtype == np.float32 for w in clf.model_.get_weights())
    assert clf.predict_proba(X_te).dtype == np.float64
    assert clf.score(X_te, y_te) > 0.85


def test_grid_search_cross_val_and_pipeline(digits):
    X_tr, X_te, y_tr, y_te = digits
    base = MLPClassifier((16,), epochs=4, random_state=0)
    search = GridSearchCV(base, {"learning_rate": [1e-4, 0.1], "alpha": [0.0, 1e-4]}, cv=3)
    search.fit(X_tr, y_tr)
    assert search.best_params_["learning_rate"] == 0.1
    assert search.cv_results_["mean_test_score"].shape == (4,)
    adam = MLPClassifier((16,), learning_rate=0.01, epochs=8, optimizer="adam", random_state=0)
    scores = cross_val_score(adam, X_tr, y_tr, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    pipe = make_pipeline(StandardScaler(), MLPClassifier((16,), learning_rate=0.05, epochs=5,
                                                         random_state=0))
    assert pipe.fit(X_tr, y_tr).score(X_te, y_te) > 0.85


def test_params_clone_pickle(digits):
    X_tr, X_te, y_tr, _ = digits
    clf = MLPClassifier((8,), learning_rate=0.1, epochs=2, random_state=0)
    assert clf.get_params()["learning_rate"] == 0.1
    clf.set_params(alpha=1e-3, optimizer="adam", learning_rate=0.01)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X_tr, y_tr)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X_te), clf.predict_proba(X_te))
    assert clf.model_.layers[0].kernel_initializer is not None   # the original is untouched


def test_divergence_warns_and_predicts_uniform(digits):
    X_tr, X_te, y_tr, _ = digits
    clf = MLPClassifier((16,), learning_rate=10.0, alpha=10.0, epochs=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        clf.fit(X_tr, y_tr)
    assert clf.diverged_
    np.testing.assert_allclose(clf.predict_proba(X_te), 0.1)


@pytest.mark.parametrize("bad, match", [
    (dict(optimizer="lbfgs"), "optimizer"),  # rmsprop & co. are valid since issue 11
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
    (dict(epochs=0), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(alpha=-1.0), "alpha"),
])
def test_bad_hyperparameters(bad, match):
    X, y = datasets.make_logistic(n=20, seed=0)
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**bad).fit(X, y)


def test_one_class_is_an_error():
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPClassifier().fit(np.zeros((5, 2)), np.ones(5))


# ----------------------------------------------------------------- issue 11: dropout,
# the six optimizers, early stopping (scikit-learn's parameter names)
@parametrize_with_checks([MLPClassifier(hidden_layer_sizes=(8,), epochs=5, learning_rate=0.01,
                                        optimizer="rmsprop", dropout=0.2, early_stopping=True,
                                        n_iter_no_change=2, random_state=0)])
def test_sklearn_compatible_with_dropout_and_early_stopping(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta"])
def test_every_optimizer_by_name(digits, name):
    X_tr, X_te, y_tr, y_te = digits
    clf = MLPClassifier((16,), optimizer=name, learning_rate=0.01, epochs=3,
                        random_state=0).fit(X_tr[:300], y_tr[:300])
    assert type(clf.model_.optimizer).__name__.lower() == name
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_dropout_layers_and_identity_at_prediction(digits):
    X_tr, X_te, y_tr, _ = digits
    clf = MLPClassifier((16, 8), dropout=0.5, epochs=2, random_state=0).fit(X_tr, y_tr)
    kinds = [type(layer).__name__ for layer in clf.model_.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    np.testing.assert_array_equal(clf.predict_proba(X_te), clf.predict_proba(X_te))


def test_early_stopping_restores_the_best_epoch(digits):
    X_tr, X_te, y_tr, y_te = digits
    clf = MLPClassifier((16,), learning_rate=0.1, epochs=60, early_stopping=True,
                        n_iter_no_change=3, random_state=0).fit(X_tr, y_tr)
    assert clf.n_iter_ < 60 and len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the restored weights give the best validation accuracy again
    best = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ - 1 - best >= 3
    again = clone(clf).set_params(restore_best_weights=False).fit(X_tr, y_tr)
    assert again.n_iter_ == clf.n_iter_
    assert clf.score(X_te, y_te) > 0.9


def test_search_tunes_the_new_parameters(digits):
    X_tr, _, y_tr, _ = digits
    grid = GridSearchCV(MLPClassifier((16,), epochs=3, random_state=0),
                        {"dropout": [0.0, 0.3], "optimizer": ["adam", "rmsprop"]}, cv=2)
    grid.fit(X_tr[:400], y_tr[:400])
    assert len(grid.cv_results_["params"]) == 4


@pytest.mark.parametrize("params, match", [
    ({"dropout": 1.0}, "dropout must be in"), ({"dropout": "0.1"}, "dropout"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'.*adadelta, adagrad, adam"),
    ({"early_stopping": True, "validation_fraction": 0.0}, "validation_fraction"),
    ({"early_stopping": True, "n_iter_no_change": 0}, "n_iter_no_change"),
    ({"early_stopping": True, "tol": -1.0}, "tol"),
])
def test_bad_new_parameters(digits, params, match):
    X_tr, _, y_tr, _ = digits
    with pytest.raises((ValueError, TypeError), match=match):
        MLPClassifier((4,), epochs=1, **params).fit(X_tr[:50], y_tr[:50])
