"""The agent's tools. Each has a name, a description and a pydantic model of its arguments, whose JSON
schema is what an LLM planner is shown (JSON mode). `ToolBox.call` validates the arguments and never
raises: a bad call comes back as an observation with an `error`, which the trace records.

| tool          | arguments                                   | returns                                  |
|---------------|---------------------------------------------|------------------------------------------|
| `sql_query`   | query (one SELECT), params (list)           | columns, rows, row_count, truncated      |
| `calculator`  | expression (numbers, + - * / ** %, round…)  | value                                    |
| `fx_convert`  | amount, from_currency, to_currency          | amount (rounded to cents), currency, rate |
| `search_docs` | query, top_k                                | passages: doc, section, text, score      |
| `today`       | (none)                                      | date (ISO)                               |
"""

from __future__ import annotations

import ast
import math
import operator
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from {{ cookiecutter.module_name }}.world import build_database, read_passages, schema, tokens


class ToolError(Exception):
    """A tool refused or failed; the message goes back to the planner as the observation's error."""


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SqlQueryArgs(Args):
    query: str = Field(description="One read-only SQL SELECT statement (SQLite dialect). Use ? placeholders.")
    params: list[str | int | float | None] = Field(default_factory=list, description="Values for the ? placeholders")


class CalculatorArgs(Args):
    expression: str = Field(
        max_length=500,
        description="Arithmetic: numbers, + - * / // % **, parentheses, round(x, n), abs, min, max, sum([..])",
    )


class FxConvertArgs(Args):
    amount: float = Field(ge=0, description="The amount to convert")
    from_currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO code, e.g. USD")
    to_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO code, e.g. EUR")


class SearchDocsArgs(Args):
    query: str = Field(min_length=2, description="Keywords, e.g. 'return window electronics'")
    top_k: int = Field(default=2, ge=1, le=5)


class NoArgs(Args):
    pass


# ---------------------------------------------------------------- sql_query: read-only by construction

_ALLOWED_SQL = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_RECURSIVE = getattr(sqlite3, "SQLITE_RECURSIVE", 33)


def _authorizer(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_SQL or action == _RECURSIVE else sqlite3.SQLITE_DENY


def read_only(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Deny everything but reading: no INSERT/UPDATE/DELETE/DDL/PRAGMA/ATTACH, whatever the query says."""
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_authorizer)
    return conn


# ---------------------------------------------------------------- calculator: an AST walk, never eval

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCS: dict[str, Callable[..., Any]] = {"round": round, "abs": abs, "min": min, "max": max, "sum": sum}


def safe_eval(expression: str) -> float:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ToolError(f"not an arithmetic expression: {exc.msg}") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 100:
                raise ToolError("exponent too large")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.List | ast.Tuple):
            return [walk(e) for e in node.elts]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS
            and not node.keywords
        ):
            return _FUNCS[node.func.id](*[walk(a) for a in node.args])
        raise ToolError(f"not allowed in an expression: {type(node).__name__}")

    try:
        value = walk(tree)
    except ZeroDivisionError:
        raise ToolError("division by zero") from None
    except (TypeError, OverflowError) as exc:
        raise ToolError(str(exc)) from None
    if isinstance(value, list) or not math.isfinite(value):
        raise ToolError("the expression must evaluate to one finite number")
    return value


# ---------------------------------------------------------------- search_docs: BM25 over policy sections


class BM25:
    def __init__(self, passages: list[dict[str, str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.passages = passages
        self.docs = [Counter(tokens(f"{p['title']} {p['section']} {p['text']}")) for p in passages]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(len(self.docs), 1)
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def search(self, query: str, top_k: int) -> list[dict[str, Any]]:
        q = tokens(query)
        scored = []
        for i, (d, length) in enumerate(zip(self.docs, self.lengths, strict=True)):
            s = 0.0
            for t in q:
                if t in d:
                    tf = d[t]
                    s += self.idf[t] * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avg))
            if s > 0:
                scored.append((-s, i))
        scored.sort()
        return [{**self.passages[i], "score": round(-s, 3)} for s, i in scored[:top_k]]


# ---------------------------------------------------------------- the toolbox


@dataclass
class Tool:
    name: str
    description: str
    args: type[Args]
    fn: Callable[[Any], Any]

    def spec(self) -> dict[str, Any]:
        """The tool as an LLM sees it: name, description, JSON schema of the arguments."""
        return {"name": self.name, "description": self.description, "parameters": self.args.model_json_schema()}


class ToolBox:
    def __init__(
        self,
        conn: sqlite3.Connection,
        passages: list[dict[str, str]],
        fx: dict[str, float] | None = None,
        today: str = "2026-04-15",
        max_rows: int = 200,
    ) -> None:
        tables = schema(conn)
        self.conn = read_only(conn)
        self.fx = fx if fx is not None else self._fx_from_db()
        self.bm25 = BM25(passages)
        self.today_iso = today
        self.max_rows = max_rows
        self.tools = {
            t.name: t
            for t in [
                Tool(
                    "sql_query",
                    "Run one read-only SQL SELECT on the shop database. Tables: "
                    + "; ".join(f"{t}({', '.join(c)})" for t, c in tables.items()),
                    SqlQueryArgs,
                    self.sql_query,
                ),
                Tool(
                    "calculator",
                    "Evaluate an arithmetic expression exactly (no code).",
                    CalculatorArgs,
                    self.calculator,
                ),
                Tool(
                    "fx_convert",
                    "Convert an amount between currencies at the shop's rates; rounded to cents.",
                    FxConvertArgs,
                    self.fx_convert,
                ),
                Tool(
                    "search_docs",
                    "Search the shop's policy documents (returns, shipping, warranty).",
                    SearchDocsArgs,
                    self.search_docs,
                ),
                Tool("today", "Today's date (ISO).", NoArgs, self.today),
            ]
        }

    @classmethod
    def from_raw(cls, raw: Path, **kw: Any) -> ToolBox:
        """Straight from data/raw (what the tests use: no pipeline run needed)."""
        return cls(build_database(raw), read_passages(raw / "docs"), **kw)

    @classmethod
    def from_processed(cls, database: Path, passages: list[dict[str, str]], **kw: Any) -> ToolBox:
        """The database `prepare` built, copied into memory (the file is never written to)."""
        mem = sqlite3.connect(":memory:")
        src = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        src.backup(mem)
        src.close()
        return cls(mem, passages, **kw)

    def _fx_from_db(self) -> dict[str, float]:
        return {c: float(r) for c, r in self.conn.execute("SELECT currency, eur_per_unit FROM fx_rates")}

    def specs(self) -> list[dict[str, Any]]:
        return [t.spec() for t in self.tools.values()]

    def call(self, name: str, args: Any) -> dict[str, Any]:
        """Validate and run one call: {"ok": True, "result": ...} or {"ok": False, "error": "..."}."""
        tool = self.tools.get(name)
        if tool is None:
            return {"ok": False, "error": f"unknown tool {name!r}; tools: {', '.join(self.tools)}"}
        try:
            parsed = tool.args.model_validate(args if args is not None else {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'args'}: {e['msg']}" for e in exc.errors())
            return {"ok": False, "error": f"invalid arguments for {name}: {problems}"}
        try:
            return {"ok": True, "result": tool.fn(parsed)}
        except ToolError as exc:
            return {"ok": False, "error": str(exc)}

    # each tool takes its validated arguments

    def sql_query(self, a: SqlQueryArgs) -> dict[str, Any]:
        try:
            cur = self.conn.execute(a.query, a.params)
            rows = cur.fetchmany(self.max_rows + 1)
        except (sqlite3.Error, sqlite3.Warning) as exc:  # "not authorized" (a write), syntax, several statements
            raise ToolError(f"SQL error: {exc}") from None
        columns = [d[0] for d in cur.description or []]
        return {
            "columns": columns,
            "rows": [list(r) for r in rows[: self.max_rows]],
            "row_count": min(len(rows), self.max_rows),
            "truncated": len(rows) > self.max_rows,
        }

    def calculator(self, a: CalculatorArgs) -> dict[str, Any]:
        return {"value": safe_eval(a.expression)}

    def fx_convert(self, a: FxConvertArgs) -> dict[str, Any]:
        for c in (a.from_currency, a.to_currency):
            if c not in self.fx:
                raise ToolError(f"unknown currency {c!r}; known: {', '.join(sorted(self.fx))}")
        rate = self.fx[a.from_currency] / self.fx[a.to_currency]
        return {
            "amount": round(a.amount * self.fx[a.from_currency] / self.fx[a.to_currency] + 1e-9, 2),
            "currency": a.to_currency,
            "rate": round(rate, 6),
        }

    def search_docs(self, a: SearchDocsArgs) -> dict[str, Any]:
        return {"passages": self.bm25.search(a.query, a.top_k)}

    def today(self, _: NoArgs) -> dict[str, Any]:
        return {"date": self.today_iso}
