import pandas as pd

from {{ cookiecutter.module_name }}.data import add_features, clean


def test_clean_fixes_spelling_flags_and_impossible_distances():
    raw = pd.DataFrame(
        {
            "region": [" North ", "SOUTH"],
            "carrier": ["", "EcoPost"],
            "express": ["yes", "no"],
            "distance_km": ["-1", "120000.0"],
            "weight_kg": ["", "2.5"],
        }
    )
    out = clean(raw)
    assert out["region"].tolist() == ["north", "south"]
    assert out["express"].tolist() == [1.0, 0.0]
    assert out["distance_km"].isna().all()
    assert pd.isna(out["carrier"][0]) and out["weight_kg"][1] == 2.5


def test_derived_features():
    df = pd.DataFrame({"distance_km": [300.0], "promised_days": [3], "order_hour": [19], "warehouse_load": [0.9]})
    out = add_features(df, ["km_per_day", "evening_next_day", "load_squared"])
    assert out["km_per_day"][0] == 100.0 and out["evening_next_day"][0] == 0.0
    assert abs(out["load_squared"][0] - 0.16) < 1e-9
