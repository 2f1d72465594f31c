"""Tokenisation, the vocabulary, and the prepare stage's cleaning."""

import numpy as np

from {{ cookiecutter.module_name }}.config import CLASSES, RAW
from {{ cookiecutter.module_name }}.data import read_csv
from {{ cookiecutter.module_name }}.prepare import normalise, stratified_split
from {{ cookiecutter.module_name }}.text import Vocab, clean, pad_batch, tokenize


def test_raw_data_has_text_and_the_four_teams():
    frame = read_csv(RAW / "train.csv")
    assert list(frame.columns) == ["id", "text", "label"]
    assert sorted(frame["label"].unique()) == CLASSES


def test_clean_removes_html_and_case():
    assert clean("My PARCEL.<br>Thanks &amp; bye ") == "my parcel. thanks & bye"


def test_tokenize_words_and_bigrams():
    assert tokenize("Not a LOGIN issue!") == ["not", "a", "login", "issue", "!"]
    assert tokenize("not a login", ngrams=2)[-2:] == ["not_a", "a_login"]


def test_vocab_maps_rare_and_unseen_tokens_to_unk():
    vocab = Vocab.build([["parcel", "late"], ["parcel", "lost"]], min_freq=2)
    assert vocab.itos[:3] == ["<pad>", "<unk>", "parcel"]
    assert vocab.encode(["parcel", "late", "zebra"], max_len=10) == [2, 1, 1]
    assert vocab.encode([], max_len=10) == [1]  # never an empty sequence


def test_pad_batch_shape_and_padding():
    ids = pad_batch([[5, 6, 7], [8]], max_len=4)
    assert ids.shape == (2, 4)
    assert ids.tolist() == [[5, 6, 7, 0], [8, 0, 0, 0]]


def test_normalise_caps_the_token_count():
    text = normalise("A two-factor " + "word " * 100, max_tokens=10)
    assert len(tokenize(text)) <= 10 and text.startswith("a two-factor")


def test_split_is_stratified_and_seeded():
    labels = np.repeat(np.array(CLASSES), 25)
    valid = stratified_split(labels, 0.2, seed=1)
    assert all(valid[labels == c].sum() == 5 for c in CLASSES)
    assert (valid == stratified_split(labels, 0.2, seed=1)).all()
