"""Small, hand-made frames shaped like data/raw/train.csv: unit tests never depend on the pipeline's outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from {{ cookiecutter.module_name }}.config import load_params


@pytest.fixture
def params() -> dict:
    return load_params()


@pytest.fixture
def raw_transactions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "hour": rng.integers(0, 24, n),
            "day_of_week": rng.integers(0, 7, n),
            "amount": rng.lognormal(3.5, 1, n).round(2),
            "merchant_category": rng.choice(["grocery", "ELECTRONICS", " travel", "online retail"], n),
            "channel": rng.choice(["pos", "online", "contactless"], n),
            "card_country": rng.choice(["DE", "FR"], n),
            "merchant_country": rng.choice(["DE", "FR", "US", None], n),
            "customer_age": rng.choice([25.0, 40.0, 61.0, np.nan], n),
            "account_age_days": rng.integers(10, 4000, n),
            "txn_count_24h": rng.poisson(2, n),
            "amount_avg_30d": rng.lognormal(3.5, 0.5, n).round(2),
            "distance_from_home_km": rng.choice([1.5, 12.0, 800.0, np.nan], n),
            "new_device": rng.integers(0, 2, n),
            "card_present": rng.integers(0, 2, n),
            "prior_declines_7d": rng.poisson(0.2, n),
            "chargeback_filed": rng.integers(0, 2, n),
            "is_fraud": (rng.random(n) < 0.1).astype(int),
        }
    )


@pytest.fixture
def imbalanced() -> tuple[pd.DataFrame, pd.Series]:
    """2,000 rows, 4% positives, a few informative features."""
    x, y = make_classification(
        n_samples=2000, n_features=8, n_informative=4, weights=[0.96], flip_y=0.01, class_sep=1.0, random_state=0
    )
    return pd.DataFrame(x, columns=[f"f{i}" for i in range(8)]), pd.Series(y)
