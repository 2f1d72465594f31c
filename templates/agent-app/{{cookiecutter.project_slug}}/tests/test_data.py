"""The shipped data: what the tasks promise (answers in the dev set only, every id the questions name exists)."""

from __future__ import annotations

import csv
import re

from {{ cookiecutter.module_name }}.config import DEV_TASKS, RAW, TEST_TASKS


def read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_test_tasks_have_no_answers():
    rows = read(TEST_TASKS)
    assert set(rows[0]) == {"task_id", "question"} and len({r["task_id"] for r in rows}) == len(rows)


def test_dev_answers_are_short_and_canonical():
    for t in read(DEV_TASKS):
        assert re.fullmatch(r"\d+|\d+\.\d{2}|yes|no|C-\d{4}", t["answer"]), t


def test_orders_named_in_questions_exist():
    orders = {r["order_id"] for r in read(RAW / "orders.csv")}
    for t in read(DEV_TASKS) + read(TEST_TASKS):
        for oid in re.findall(r"\border (\d+)", t["question"]):
            assert oid in orders, t
