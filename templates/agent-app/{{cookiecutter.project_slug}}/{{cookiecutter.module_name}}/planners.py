"""Planners: the policy that picks the agent's next action. `agent.planner` in params.yaml picks one.

* ``rules`` (the offline baseline) -- keyword routing to **one** tool call, no chaining, no checking: it
  reports an order total in the order's own currency, sums amounts across currencies, guesses "yes" for
  returns and warranty, builds SQL by pasting names into strings, and only finds exact names.
* ``plan`` (the improvement path) -- a small deterministic planner: it parses the question, chains tools
  (look the customer up, fall back to a fuzzy name match, check the city; convert each currency; read the
  policy window from the documents, compare with today's date) and checks each result before answering.
* ``openai`` -- any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp, a hosted API) in
  JSON mode: the model sees the tools' JSON schemas and answers with one action object per turn.

A planner is two methods: `reset(question)` and `act(last_observation) -> action` (see agent.py).
`ScriptedPlanner` turns a Python generator into one: `yield` an action, receive the observation.
"""

from __future__ import annotations

import calendar
import difflib
import json
import os
import re
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Generator
from datetime import date
from typing import Any

Obs = dict[str, Any]
Script = Generator[dict[str, Any], Obs, None]
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
ORDER = re.compile(r"\border (\d+)\b", re.I)
CUSTOMER = re.compile(r"\b(C-\d{4})\b")
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
NAME = re.compile(r"customer id of (.+?)(?: from ([A-Za-z' -]+))?\?$", re.I)
COUNT_NAME = re.compile(r"how many orders did (.+?) place in", re.I)


def call(tool: str, thought: str, **args: Any) -> dict[str, Any]:
    return {"thought": thought, "tool": tool, "args": args}


def final(answer: Any, thought: str) -> dict[str, Any]:
    return {"thought": thought, "final_answer": str(answer)}


def rows(obs: Obs) -> list[list[Any]]:
    return obs["result"]["rows"] if obs.get("ok") else []


def cents(x: float) -> str:
    return f"{x:.2f}"


class ScriptedPlanner(ABC):
    """A planner written as a generator: `script(question)` yields actions and receives observations."""

    name = "scripted"

    def reset(self, question: str) -> None:
        self._script = self.script(question.strip())
        self._started = False

    def act(self, observation: Obs | None) -> dict[str, Any]:
        try:
            if not self._started:
                self._started = True
                return next(self._script)
            return self._script.send(observation or {})
        except StopIteration:
            return final("unknown", "The script ended without an answer.")

    @abstractmethod
    def script(self, question: str) -> Script:
        """The plan for one question: yield actions (`call(...)`, then `final(...)`), receive observations."""
        yield  # pragma: no cover


class RulesPlanner(ScriptedPlanner):
    """Keyword routing, one tool call, no chaining (deliberately weak: see the module docstring)."""

    name = "rules"

    def script(self, q: str) -> Script:
        ql = q.lower()
        order, customer = ORDER.search(q), CUSTOMER.search(q)
        if order and "total" in ql:
            obs = yield call(
                "sql_query",
                "Look up the order's total.",
                query=f"SELECT total FROM orders WHERE order_id = {order.group(1)}",
            )
            r = rows(obs)
            yield final(cents(r[0][0]) if r else "unknown", "The total of the order.")
        elif "how many orders" in ql:
            when = MONTH_YEAR.search(q)
            month = f"{int(when.group(2)):04d}-{MONTHS[when.group(1).lower()]:02d}" if when else ""
            cid = customer.group(1) if customer else ""
            obs = yield call(
                "sql_query",
                "Count the customer's orders that month.",
                query="SELECT COUNT(*) FROM orders WHERE customer_id = '"
                + cid
                + "' AND substr(order_date, 1, 7) = '"
                + month
                + "'",
            )
            r = rows(obs)
            yield final(r[0][0] if r else "unknown", "The count.")
        elif "spent" in ql and customer:
            obs = yield call(
                "sql_query",
                "Sum the customer's order totals.",
                query=f"SELECT SUM(total) FROM orders WHERE customer_id = '{customer.group(1)}'",
            )
            r = rows(obs)
            yield final(cents(r[0][0] or 0) if r else "unknown", "The sum of the totals.")
        elif "returned" in ql:
            yield call("search_docs", "Find the returns policy.", query="return policy")
            yield final("yes", "Returns are accepted.")
        elif "warranty" in ql:
            yield call("search_docs", "Find the warranty policy.", query="warranty")
            yield final("yes", "Products carry a warranty.")
        elif m := NAME.search(q):
            obs = yield call(
                "sql_query",
                "Find the customer by name.",
                query=f"SELECT customer_id FROM customers WHERE name = '{m.group(1).strip()}'",
            )
            r = rows(obs)
            yield final(r[0][0] if r else "unknown", "The first customer with that name.")
        else:
            yield final("unknown", "No rule matches this question.")


class PlanPlanner(ScriptedPlanner):
    """Parse the question, chain tools, check each result (the README's improvement path)."""

    name = "plan"

    def script(self, q: str) -> Script:
        ql = q.lower()
        order, customer = ORDER.search(q), CUSTOMER.search(q)
        if "how many orders" in ql:
            when = MONTH_YEAR.search(q)
            if not when:
                yield final("unknown", "The question names no month.")
                return
            if customer:
                cid: str | None = customer.group(1)
            else:
                who = COUNT_NAME.search(q)
                cid = (yield from self.find_customer(who.group(1), None)) if who else None
            if cid is None or cid == "ambiguous":
                yield final(cid or "unknown", "I could not identify one customer.")
                return
            month = f"{int(when.group(2)):04d}-{MONTHS[when.group(1).lower()]:02d}"
            obs = yield call(
                "sql_query",
                f"Count {cid}'s orders in {month}.",
                query="SELECT COUNT(*) FROM orders WHERE customer_id = ? AND substr(order_date, 1, 7) = ?",
                params=[cid, month],
            )
            r = rows(obs)
            yield final(r[0][0] if r else "unknown", f"{cid} placed that many orders in {month}.")
        elif order and "total" in ql:
            obs = yield call(
                "sql_query",
                "Look up the order's total and currency.",
                query="SELECT total, currency FROM orders WHERE order_id = ?",
                params=[int(order.group(1))],
            )
            r = rows(obs)
            if not r:
                yield final("unknown", "No such order.")
                return
            total, currency = r[0]
            if currency == "EUR":
                yield final(cents(total), "The order is already in EUR.")
                return
            obs = yield call(
                "fx_convert",
                f"Convert {total} {currency} to EUR.",
                amount=total,
                from_currency=currency,
                to_currency="EUR",
            )
            yield final(cents(obs["result"]["amount"]) if obs.get("ok") else "unknown", "Converted to EUR.")
        elif "spent" in ql and customer:
            obs = yield call(
                "sql_query",
                "Sum the customer's orders per currency, cancelled ones excluded.",
                query="SELECT currency, ROUND(SUM(total), 2) FROM orders WHERE customer_id = ? "
                "AND status != 'cancelled' GROUP BY currency ORDER BY currency",
                params=[customer.group(1)],
            )
            parts = []
            for currency, amount in rows(obs):
                if currency == "EUR":
                    parts.append(float(amount))
                    continue
                conv = yield call(
                    "fx_convert",
                    f"Convert the {currency} part to EUR.",
                    amount=amount,
                    from_currency=currency,
                    to_currency="EUR",
                )
                if not conv.get("ok"):
                    yield final("unknown", f"Could not convert {currency}.")
                    return
                parts.append(conv["result"]["amount"])
            if len(parts) <= 1:
                yield final(cents(parts[0] if parts else 0), "One currency only: no sum needed.")
                return
            obs = yield call("calculator", "Add the EUR parts.", expression=" + ".join(repr(p) for p in parts))
            yield final(cents(obs["result"]["value"]) if obs.get("ok") else "unknown", "The total in EUR.")
        elif order and ("returned" in ql or "warranty" in ql):
            returns = "returned" in ql
            obs = yield call(
                "sql_query",
                "Look up the order's status, delivery date and product category.",
                query="SELECT o.status, o.delivered_date, p.category FROM orders o "
                "JOIN products p ON p.product_id = o.product_id WHERE o.order_id = ?",
                params=[int(order.group(1))],
            )
            r = rows(obs)
            if not r:
                yield final("unknown", "No such order.")
                return
            status, delivered, category = r[0]
            if status != "delivered" or not delivered:
                yield final("no", f"The order is {status}: only delivered orders can be returned or claimed.")
                return
            unit = "days" if returns else "months"
            obs = yield call(
                "search_docs",
                "Find the policy window for the category.",
                query=f"{'return window' if returns else 'warranty period'} {category} {unit}",
            )
            window = None
            for p in obs["result"]["passages"] if obs.get("ok") else []:
                m = re.search(rf"{category}\W+(\d+) {unit}", p["text"], re.I)
                if m:
                    window = int(m.group(1))
                    break
            if window is None:
                yield final("unknown", f"The policy does not state a window for {category}.")
                return
            obs = yield call("today", "What is today's date?")
            today = date.fromisoformat(obs["result"]["date"]) if obs.get("ok") else None
            if today is None:
                yield final("unknown", "No date.")
                return
            d = date.fromisoformat(delivered)
            ok = (today - d).days <= window if returns else today <= add_months(d, window)
            yield final(
                "yes" if ok else "no", f"Delivered {delivered}, {category} window {window} {unit}, today {today}."
            )
        elif m := NAME.search(q):
            cid = yield from self.find_customer(m.group(1), m.group(2))
            yield final(cid or "unknown", "The customer that matches the name (and city).")
        else:
            yield final("unknown", "I do not know how to answer this kind of question.")

    def find_customer(self, name: str, city: str | None) -> Generator[dict[str, Any], Obs, str | None]:
        """Exact name (case-insensitive), else the closest known name; then disambiguate by city."""
        name = name.strip()
        query = "SELECT customer_id, name, city FROM customers WHERE lower(name) = lower(?) ORDER BY customer_id"
        obs = yield call("sql_query", f"Find customers named {name}.", query=query, params=[name])
        found = rows(obs)
        if not found:
            obs = yield call(
                "sql_query",
                "No exact match: list the names to find a close one.",
                query="SELECT DISTINCT name FROM customers ORDER BY name",
            )
            names = [r[0] for r in rows(obs)]
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
            if not close:
                return None
            obs = yield call("sql_query", f"Did they mean {close[0]}?", query=query, params=[close[0]])
            found = rows(obs)
        if city:
            found = [r for r in found if r[2].lower() == city.strip().lower()] or found
        if len(found) > 1:
            return "ambiguous"
        return found[0][0] if found else None


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- an LLM behind an OpenAI-compatible API

SYSTEM_PROMPT = """You are a support agent for an online shop. Answer the user's question by calling tools.
Reply with exactly ONE JSON object per turn, either
  {"thought": "...", "tool": "<tool name>", "args": {...}}
or, when you know the answer,
  {"thought": "...", "final_answer": "<short answer>"}
Final answers are short: a number (amounts in EUR with two decimals), yes or no, or an id such as C-0042.
Tools (arguments as JSON schema):
{tools}"""


class OpenAIPlanner:
    """JSON-mode chat completions; the conversation is the ReAct transcript (actions and observations)."""

    name = "openai"

    def __init__(
        self,
        tool_specs: list[dict[str, Any]],
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        temperature: float = 0.0,
        max_tokens: int = 400,
        timeout: float = 60.0,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.temperature, self.max_tokens, self.timeout = model, temperature, max_tokens, timeout
        self.api_key = os.environ.get(api_key_env, "")
        self.system = SYSTEM_PROMPT.replace("{tools}", json.dumps(tool_specs, indent=1))
        self.messages: list[dict[str, str]] = []

    def reset(self, question: str) -> None:
        self.messages = [{"role": "system", "content": self.system}, {"role": "user", "content": question}]

    def act(self, observation: Obs | None) -> str:
        if observation is not None:
            self.messages.append({"role": "user", "content": "Observation: " + json.dumps(observation, default=str)})
        body = {
            "model": self.model,
            "messages": self.messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "response_format": {"type": "json_object"},
        }
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:  # noqa: S310 (the URL is configured)
                content = json.loads(res.read())["choices"][0]["message"]["content"]
        except (urllib.error.URLError, TimeoutError, KeyError, IndexError, json.JSONDecodeError) as exc:
            raise ValueError(f"the endpoint failed: {exc}") from None
        self.messages.append({"role": "assistant", "content": content})
        return content


def get_planner(params: dict[str, Any], tool_specs: list[dict[str, Any]] | None = None) -> Any:
    kind = params["agent"]["planner"]
    if kind == "rules":
        return RulesPlanner()
    if kind == "plan":
        return PlanPlanner()
    if kind == "openai":
        o = params["agent"]["openai"]
        return OpenAIPlanner(
            tool_specs or [],
            o["base_url"],
            o["model"],
            o.get("api_key_env", "OPENAI_API_KEY"),
            float(o.get("temperature", 0.0)),
            int(o.get("max_tokens", 400)),
            float(o.get("timeout", 60)),
        )
    raise ValueError(f"agent.planner must be 'rules', 'plan' or 'openai', not {kind!r}")
