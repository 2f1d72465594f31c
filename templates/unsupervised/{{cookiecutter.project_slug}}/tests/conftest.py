"""Small, hand-made frames shaped like data/raw/train.csv: unit tests never depend on the pipeline's outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import load_params


@pytest.fixture
def params() -> dict:
    return load_params()


@pytest.fixture
def raw_accounts() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "country": rng.choice(["DE", " de", "Germany", "UK", "FR", None], size=n),
            "channel": rng.choice(["web", "app", "marketplace"], size=n),
            "device": rng.choice(["desktop", "mobile", None], size=n),
            "payment_method": rng.choice(["card", "paypal", "gift_card"], size=n),
            "orders_12m": rng.poisson(5, size=n),
            "spend_12m": rng.lognormal(5, 1, size=n).round(2),
            "avg_items_per_order": rng.lognormal(0.5, 0.3, size=n).round(2),
            "sessions_per_month": rng.lognormal(2, 0.5, size=n).round(1),
            "return_rate": rng.uniform(0, 0.3, size=n).round(3),
            "discount_share": rng.uniform(0, 1, size=n).round(3),
            "night_share": rng.uniform(0, 0.4, size=n).round(3),
            "days_since_last_order": rng.integers(-1, 300, size=n),
            "account_age_days": rng.integers(30, 3000, size=n),
            "support_tickets_12m": rng.poisson(1, size=n),
            "account_status": rng.choice(["active", "closed_fraud"], size=n, p=[0.95, 0.05]),
        }
    )
