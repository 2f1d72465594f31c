"""Stage `train`: fit on a stratified split of the training data, score the held-out part, save the model."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

from .config import MODEL_PATH, ROOT, TRAIN_REPORT, load_params, write_json
from .data import TARGET, feature_columns, features
from .model import make_model

LEAK_AUC = 0.9  # a single column that separates the classes this well is usually known only afterwards


def suspicious_columns(x: pd.DataFrame, y: pd.Series, numeric: list[str]) -> dict[str, float]:
    """Single-column validation AUC of every numeric feature; the ones above LEAK_AUC look like leakage."""
    out = {}
    for col in numeric:
        v = x[col].astype(float)
        v = v.fillna(v.median())
        if v.nunique() > 1:
            auc = roc_auc_score(y, v)
            auc = max(auc, 1 - auc)
            if auc > LEAK_AUC:
                out[col] = round(float(auc), 4)
    return out


def main() -> None:
    params = load_params()
    df = pd.read_csv(ROOT / "data" / "interim" / "train.csv")
    x, y = features(df, params), df[TARGET].astype(int)
    x_tr, x_val, y_tr, y_val = train_test_split(
        x, y, test_size=params["train"]["val_size"], stratify=y, random_state=params["seed"]
    )
    model = make_model(params).fit(x_tr, y_tr)
    proba = model.predict_proba(x_val)[:, 1]
    pred = (proba >= params["train"]["threshold"]).astype(int)
    numeric, _ = feature_columns(params)
    leaks = suspicious_columns(x_val, y_val, numeric)
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODEL_PATH)
    report = {
        "model": params["model"]["type"],
        "rows": {"train": len(x_tr), "val": len(x_val)},
        "val_roc_auc": round(float(roc_auc_score(y_val, proba)), 4),
        "val_f1": round(float(f1_score(y_val, pred)), 4),
        "val_accuracy": round(float(accuracy_score(y_val, pred)), 4),
        "val_positive_rate": round(float(np.mean(pred)), 4),
        "leakage": {"suspicious_features": sorted(leaks), "single_feature_auc": leaks, "clean": not leaks},
    }
    write_json(TRAIN_REPORT, report)
    print(f"train: {report['model']} val ROC-AUC {report['val_roc_auc']} F1 {report['val_f1']}")
    if leaks:
        print(f"train: WARNING {', '.join(leaks)} separate(s) the classes almost alone: leakage?")


if __name__ == "__main__":
    main()
