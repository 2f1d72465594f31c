"""Stage `validate`: run the Great Expectations suites on the ingested data; bad data stops the pipeline.

Exit code 1 when any expectation fails, so `dvc repro` never trains on data that breaks its contract.
The results (every expectation, pass or fail) go to reports/validation.json.
"""

from __future__ import annotations

import json
import os
import sys

import pandas as pd

from .config import ROOT, VALIDATION_REPORT, load_params, write_json


def validate_suite(suite_path: str) -> dict:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = json.loads((ROOT / suite_path).read_text())
    data_file = spec["meta"]["data_file"]
    df = pd.read_csv(ROOT / data_file)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no "Calculating Metrics" bars in the log
    batch = (
        context.data_sources.add_pandas(spec["name"])
        .add_dataframe_asset("data")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": df})
    )
    suite = gx.ExpectationSuite(
        name=spec["name"],
        expectations=[
            gx.expectations.registry.get_expectation_impl(e["type"])(**e["kwargs"]) for e in spec["expectations"]
        ],
    )
    result = batch.validate(suite, result_format="SUMMARY")
    failed = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column"),
            "unexpected": (r.result or {}).get("partial_unexpected_list", [])[:5],
        }
        for r in result.results
        if not r.success
    ]
    return {
        "suite": suite_path,
        "data_file": data_file,
        "success": bool(result.success),
        "expectations": len(result.results),
        "failed": failed,
    }


def main() -> None:
    params = load_params()
    results = [validate_suite(s) for s in params["validate"]["suites"]]
    write_json(VALIDATION_REPORT, {"success": all(r["success"] for r in results), "suites": results})
    for r in results:
        print(
            f"validate: {r['suite']} on {r['data_file']}: "
            f"{r['expectations'] - len(r['failed'])}/{r['expectations']} expectations met"
        )
        for f in r["failed"]:
            print(f"  FAILED {f['expectation']}({f['column']}): e.g. {f['unexpected']}", file=sys.stderr)
    if not all(r["success"] for r in results):
        sys.exit("validate: the data breaks its expectations; fix the data (or ingest), not the suite")


if __name__ == "__main__":
    main()
