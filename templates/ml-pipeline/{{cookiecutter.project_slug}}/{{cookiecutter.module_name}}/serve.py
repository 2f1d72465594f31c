"""Stage `serve`: start the service on the registry's champion (in process, over HTTP with TestClient), check
/health, and score data/interim/test.csv through /predict/batch → data/predictions/predictions.csv.

This is the smoke test a deployment would run: what the evaluator scores went through the real endpoints.
"""

from __future__ import annotations

import math
import time

import pandas as pd
from fastapi.testclient import TestClient

from .app import MAX_BATCH, create_app
from .config import PREDICTIONS, ROOT, SERVE_REPORT, load_params, write_json
from .data import ID


def records(df: pd.DataFrame) -> list[dict]:
    df = df.drop(columns=[c for c in (ID, "order_date", "late") if c in df])
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
    for r in out:
        r["express"] = "yes" if r.get("express") == 1 else "no"
    return out


def main() -> None:
    params = load_params()
    test = pd.read_csv(ROOT / "data" / "interim" / "test.csv")
    with TestClient(create_app(params)) as client:
        health = client.get("/health").json()
        started = time.perf_counter()
        rows, body = records(test), []
        for i in range(0, len(rows), MAX_BATCH):
            res = client.post("/predict/batch", json={"orders": rows[i : i + MAX_BATCH]})
            res.raise_for_status()
            body += res.json()["predictions"]
        seconds = time.perf_counter() - started
    PREDICTIONS.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            ID: test[ID],
            "late": [int(p["late"]) for p in body],
            "late_probability": [p["late_probability"] for p in body],
        }
    ).to_csv(PREDICTIONS, index=False)
    write_json(
        SERVE_REPORT,
        {
            "status": health["status"],
            "version": health["version"],
            "rows": len(body),
            "ms_per_row": round(1000 * seconds / max(len(body), 1), 3),
        },
    )
    print(f"serve: champion version {health['version']} scored {len(body)} orders via /predict/batch")


if __name__ == "__main__":
    main()
