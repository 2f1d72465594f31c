"""Stage evaluate: internal cluster quality, stability, the audited sample, plots -> metrics.json + reports/.

Unsupervised work has no test labels in the repo. What we can measure:
* clustering.*  -- silhouette / Davies-Bouldin / Calinski-Harabasz in the feature space, and stability
  (adjusted Rand index between the fitted clusters and refits on 80% subsamples with other seeds);
* anomaly.audit_* -- the detector against data/raw/audit_sample.csv, 800 train accounts that the trust &
  safety team reviewed by hand (about 30 of them abusive): a small, noisy, honest validation set.
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    average_precision_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    silhouette_score,
)

from {{ cookiecutter.module_name }}.config import INTERIM, MODELS, RAW, REPORTS, ROOT, load_params, write_json
from {{ cookiecutter.module_name }}.data import ID, NUMERIC
from {{ cookiecutter.module_name }}.features import load_features
from {{ cookiecutter.module_name }}.models import Clusterer


def cluster_quality(x: np.ndarray, labels: np.ndarray, sample: int, seed: int) -> dict[str, float]:
    keep = labels >= 0  # DBSCAN noise is not a cluster
    n_clusters = len(set(labels[keep].tolist()))
    out: dict[str, float] = {"n_clusters": n_clusters, "noise_fraction": round(float(1 - keep.mean()), 4)}
    sizes = np.bincount(labels[keep]) if keep.any() else np.array([0])
    out["largest_cluster_share"] = round(float(sizes.max() / len(labels)), 4)
    if n_clusters < 2:
        out.update(silhouette=-1.0, davies_bouldin=10.0, calinski_harabasz=0.0)
        return out
    xs, ls = x[keep], labels[keep]
    out["silhouette"] = round(float(silhouette_score(xs, ls, sample_size=min(sample, len(xs)), random_state=seed)), 4)
    out["davies_bouldin"] = round(float(davies_bouldin_score(xs, ls)), 4)
    out["calinski_harabasz"] = round(float(calinski_harabasz_score(xs, ls)), 1)
    return out


def stability(x: np.ndarray, labels: np.ndarray, cfg: dict[str, Any], seed: int, runs: int) -> float:
    """Mean adjusted Rand index between the fitted labels and refits on 80% subsamples (other seeds)."""
    rng = np.random.default_rng(seed)
    scores = []
    for r in range(runs):
        idx = rng.choice(len(x), size=int(0.8 * len(x)), replace=False)
        refit = Clusterer(cfg, seed + 1 + r).fit(x[idx])
        scores.append(adjusted_rand_score(labels, refit.predict(x)))
    return round(float(np.mean(scores)), 4) if scores else 0.0


def k_sweep(x: np.ndarray, k_range: list[int], sample: int, seed: int) -> pd.DataFrame:
    """Silhouette and inertia of k-means for each k: the elbow / silhouette plot for choosing k."""
    rows = []
    for k in range(k_range[0], k_range[1] + 1):
        km = KMeans(n_clusters=k, n_init=2, random_state=seed).fit(x)
        sil = silhouette_score(x, km.labels_, sample_size=min(sample, len(x)), random_state=seed)
        rows.append({"k": k, "silhouette": round(float(sil), 4), "inertia": round(float(km.inertia_), 1)})
    return pd.DataFrame(rows)


def projection(x: np.ndarray, cfg: dict[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """2-D coordinates of a sample of accounts (PCA or t-SNE), the sample's row indices, PCA's explained variance."""
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(x), size=min(cfg["sample"], len(x)), replace=False))
    pca = PCA(n_components=2, random_state=seed).fit(x)
    explained = float(pca.explained_variance_ratio_.sum())
    if cfg["method"] == "tsne":
        from sklearn.manifold import TSNE

        xy = TSNE(
            n_components=2,
            perplexity=cfg.get("perplexity", 30),
            init="pca",
            random_state=seed,
            max_iter=cfg.get("max_iter", 500),
        ).fit_transform(x[idx])
    elif cfg["method"] == "pca":
        xy = pca.transform(x[idx])
    else:
        raise ValueError(f"unknown projection.method {cfg['method']!r} (pca, tsne)")
    return xy, idx, explained


def audit(ids: pd.Series, scores: np.ndarray, flags: np.ndarray) -> tuple[dict[str, float], pd.DataFrame]:
    truth = pd.read_csv(RAW / "audit_sample.csv")
    frame = pd.DataFrame({ID: ids, "score": scores, "flag": flags}).merge(truth, on=ID, how="inner")
    y = frame["is_anomaly"].to_numpy()
    out = {
        "audit_accounts": int(len(frame)),
        "audit_positives": int(y.sum()),
        "audit_roc_auc": round(float(roc_auc_score(y, frame["score"])), 4),
        "audit_pr_auc": round(float(average_precision_score(y, frame["score"])), 4),
        "audit_precision": round(float(precision_score(y, frame["flag"], zero_division=0)), 4),
        "audit_recall": round(float(recall_score(y, frame["flag"], zero_division=0)), 4),
        "audit_f1": round(float(f1_score(y, frame["flag"], zero_division=0)), 4),
    }
    precision, recall, _ = precision_recall_curve(y, frame["score"])
    curve = pd.DataFrame({"recall": recall.round(4), "precision": precision.round(4)}).drop_duplicates()
    return out, curve


def main() -> None:
    params = load_params()
    seed, ev = params["seed"], params["evaluate"]
    ids, x, cols = load_features("train")
    clusterer = joblib.load(MODELS / "clusterer.joblib")
    detector = joblib.load(MODELS / "detector.joblib")
    labels = clusterer.predict(x)
    scores = detector.score(x)
    flags = (scores > detector.threshold).astype(int)

    clustering = cluster_quality(x, labels, ev["silhouette_sample"], seed)
    clustering["stability_ari"] = stability(x, labels, params["cluster"], seed, ev["stability_runs"])
    anomaly, pr_curve = audit(ids, scores, flags)
    anomaly["flag_rate"] = round(float(flags.mean()), 4)

    REPORTS.mkdir(parents=True, exist_ok=True)
    k_sweep(x, ev["k_range"], ev["silhouette_sample"], seed).to_csv(REPORTS / "k_sweep.csv", index=False)
    pr_curve.to_csv(REPORTS / "audit_pr_curve.csv", index=False)
    xy, idx, explained = projection(x, params["projection"], seed)
    pd.DataFrame(
        {"x": xy[:, 0].round(4), "y": xy[:, 1].round(4), "cluster": labels[idx], "anomaly": flags[idx]}
    ).to_csv(REPORTS / "projection.csv", index=False)

    raw = pd.read_csv(INTERIM / "train.csv").set_index(ID).loc[ids.to_numpy()]
    profile = raw[NUMERIC].assign(cluster=labels, anomaly_score=scores).groupby("cluster").median().round(3)
    profile.insert(0, "accounts", pd.Series(labels).value_counts().reindex(profile.index).to_numpy())
    profile.to_csv(REPORTS / "cluster_profile.csv")

    metrics = {
        "clustering": clustering,
        "anomaly": anomaly,
        "features": {"n_features": len(cols), "pca_2d_explained_variance": round(explained, 4)},
    }
    write_json(metrics, ROOT / "metrics.json")
    print(
        f"evaluate: silhouette {clustering['silhouette']:.3f}, stability {clustering['stability_ari']:.3f}, "
        f"audit PR-AUC {anomaly['audit_pr_auc']:.3f}"
    )


if __name__ == "__main__":
    main()
