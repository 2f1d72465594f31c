"""Answer latency of the service: p50 / p95 of ``POST /ask`` over the development questions.

    python -m {{ cookiecutter.module_name }}.latency [--repeat 3]

Runs the real app in-process (FastAPI's TestClient, HTTP semantics without a socket) with params.yaml,
after one warm-up request (which loads the embedding model and the index), and prints the percentiles.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import QA, load_params, set_threads


def measure(params: dict, questions: list[str], repeat: int = 1) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from {{ cookiecutter.module_name }}.app import create_app

    with TestClient(create_app(params)) as client:
        client.post("/ask", json={"question": questions[0]}).raise_for_status()  # loads the chain
        times = []
        for _ in range(repeat):
            for q in questions:
                t0 = time.perf_counter()
                client.post("/ask", json={"question": q}).raise_for_status()
                times.append(1000 * (time.perf_counter() - t0))
    return {
        "requests": len(times),
        "p50_ms": round(float(np.percentile(times, 50)), 1),
        "p95_ms": round(float(np.percentile(times, 95)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    params = load_params()
    set_threads(int(params.get("threads", 1)))
    questions = pd.read_csv(QA, keep_default_na=False)["question"].tolist()
    print(measure(params, questions, args.repeat))


if __name__ == "__main__":
    main()
