"""The raw data and the prepare stage's cleaning and splitting."""

import numpy as np

from {{ cookiecutter.module_name }}.config import IMAGE_SIZE, RAW
from {{ cookiecutter.module_name }}.data import make_loader, read_images, to_tensor
from {{ cookiecutter.module_name }}.prepare import clean, stratified_split


def test_raw_train_images_have_the_expected_shape_and_labels():
    ids, images, labels = read_images(RAW / "train.csv")
    assert images.shape == (len(ids), IMAGE_SIZE, IMAGE_SIZE)
    assert images.dtype == np.uint8
    assert set(np.unique(labels)) == set(range(10))


def test_test_images_have_ids_and_no_labels():
    ids, images, labels = read_images(RAW / "test.csv", label_column=None)
    assert labels is None
    assert len(set(ids)) == len(ids) == len(images)


def test_clean_drops_blank_images_and_duplicates():
    images = np.zeros((4, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    images[0, 5, 5] = 200
    images[1, 6, 6] = 200
    images[2] = images[0]  # duplicate of row 0 (same label)
    labels = np.array([3, 4, 3, 5])  # row 3 is blank
    ids, kept, kept_labels = clean(np.array(["a", "b", "c", "d"]), images, labels, min_ink=0.2)
    assert sorted(ids) == ["a", "b"]
    assert sorted(kept_labels) == [3, 4]


def test_split_is_stratified_and_seeded():
    labels = np.repeat(np.arange(10), 50)
    valid = stratified_split(labels, 0.2, seed=1)
    assert all(valid[labels == c].sum() == 10 for c in range(10))
    assert (valid == stratified_split(labels, 0.2, seed=1)).all()
    assert (valid != stratified_split(labels, 0.2, seed=2)).any()


def test_loader_yields_float_batches_in_unit_range():
    images = to_tensor(np.full((10, IMAGE_SIZE, IMAGE_SIZE), 255, dtype=np.uint8))
    x = next(iter(make_loader(images, None, batch_size=4)))
    assert x.shape == (4, 1, IMAGE_SIZE, IMAGE_SIZE)
    assert x.dtype.is_floating_point and float(x.max()) == 1.0
