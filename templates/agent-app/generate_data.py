"""Generate the agent-app world, deterministically (run from anywhere; not shipped to learners).

    python templates/agent-app/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

A small online shop (Northwind Goods) that a tool-using agent answers questions about:

* ``customers.csv`` (180), ``products.csv`` (40), ``orders.csv`` (~1,500, 2023-06 to 2026-04, in five
  currencies), ``fx_rates.csv`` (EUR per unit of each currency),
* ``docs/*.md``: the returns, shipping and warranty policies (the windows the agent must look up),
* ``dev_tasks.csv`` (task_id, type, question, answer: the learner's own evaluation set) and
  ``test_tasks.csv`` (task_id, question: no answers).

Questions need one to four tool calls: counts of orders (by customer id, or by a customer *name*, sometimes
misspelt), an order total converted to EUR, a customer's spend in EUR over several currencies, whether an
order can still be returned or is still under warranty (policy windows differ by category), a customer's id
from a name (typos, apostrophes, two customers who share a name and differ by city). Answers are short and
canonical: an integer, an amount with two decimals, ``yes``/``no`` or an id.

Writes ``data/raw/*`` into the template and the hidden answers of the test tasks to ``labels/agent-app.csv``
at the repository root (task_id, answer, split = public|private, alternating; with a secret, half of each
kind of task).

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the shop is the course's own: its customers,
products, prices and order history, the policy windows its documents state (each one of two realistic
values per category) and the development tasks are drawn from the course's stream, so the same question
("Can order 1234 still be returned?") has the course's answer, not the practice one; the test tasks and
their ids come from the learner's stream (``--learner``), with the same mix of kinds and variants of tasks
for every learner (:class:`Decks`, :func:`balanced`). A course also has three times the practice task sets
(``DEV_PER_TYPE_SECRET`` development tasks of each kind, ``N_TEST_SECRET`` test tasks), so the baseline's
hit rate on one learner's sample moves by about a point between courses (issue 19's fairness goal,
docs/performance.md). Without a secret the output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

import calendar
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from roadmap_ci.seeding import derive_seed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "agent-app.csv"
SEED = 4146
DELIVERABLE = "agent-app"
TODAY = date(2026, 4, 15)  # the agent's `today` tool (params.yaml agent.today)
START = date(2023, 6, 1)
FX = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "SEK": 0.087, "CHF": 1.05}  # EUR per unit
CURRENCY_WEIGHTS = [0.3, 0.3, 0.2, 0.1, 0.1]
RETURN_DAYS = {"electronics": 14, "accessories": 30, "furniture": 60}
WARRANTY_MONTHS = {"electronics": 24, "accessories": 12, "furniture": 60}
# A course secret draws each window from these (the first is the practice value).
RETURN_CHOICES = {"electronics": [14, 21], "accessories": [30, 28], "furniture": [60, 45]}
WARRANTY_CHOICES = {"electronics": [24, 18], "accessories": [12, 6], "furniture": [60, 36]}
# the practice sets: 10 development tasks of each kind, 150 test tasks from a pool of 22 of each kind; a
# course's sets are three times as large (the noise of the baseline's hit rate falls as 1/sqrt(n)), from a
# pool large enough that every learner gets all 450 after the development questions are left out
DEV_PER_TYPE, POOL_PER_TYPE, N_TEST = 10, 22, 150
DEV_PER_TYPE_SECRET, POOL_PER_TYPE_SECRET, N_TEST_SECRET = 30, 90, 450
TYPES = ["count_by_id", "count_by_name", "order_total_eur", "spend_eur", "returnable", "warranty",
         "customer_id"]
FIRST = ["Anna", "Ben", "Chloe", "Daniel", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam",
         "Maria", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Yusuf"]
LAST = ["Smith", "Lopez", "Novak", "Schmidt", "Rossi", "Dubois", "Jensen", "Kowalski", "Silva", "Okafor",
        "Nakamura", "Larsen", "Moreau", "Fischer", "Costa", "Horvat", "Lindqvist", "Brennan", "O'Brien",
        "D'Souza", "Van Dijk", "Petrov", "Haddad", "Murphy"]
CITIES = [("Lyon", "FR"), ("Berlin", "DE"), ("Madrid", "ES"), ("Milan", "IT"), ("Leeds", "GB"),
          ("Zurich", "CH"), ("Malmo", "SE"), ("Boston", "US"), ("Dublin", "IE"), ("Porto", "PT")]
PRODUCTS = {
    "electronics": ["Wireless Earbuds", "Smart Speaker", "USB-C Charger", "E-Reader", "Fitness Band",
                    "Webcam HD", "Portable SSD", "Bluetooth Keyboard", "Action Camera", "Desk Lamp LED",
                    "Noise-Cancelling Headphones", "Smart Plug", "Power Bank", "Graphics Tablet"],
    "accessories": ["Laptop Sleeve", "Phone Case", "Cable Organiser", "Screen Cleaner Kit", "Mouse Pad XL",
                    "Travel Adapter", "Leather Wallet", "Canvas Backpack", "Water Bottle", "Umbrella Compact",
                    "Key Finder Tag", "Sunglasses", "Notebook A5", "Watch Strap"],
    "furniture": ["Standing Desk", "Office Chair", "Bookshelf Oak", "Monitor Arm", "Side Table", "Floor Lamp",
                  "Shoe Rack", "Bar Stool", "Filing Cabinet", "Wall Shelf", "Footrest", "Coat Stand"],
}
MONTHS = list(calendar.month_name)[1:]
DOCS = {
    "returns": """# Returns policy

## Return window

You can return an item that has been delivered, within the return window of its category, counted in
days from the delivery date (the delivery day itself is day 0):

- Electronics: {return_electronics} days from delivery.
- Accessories: {return_accessories} days from delivery.
- Furniture: {return_furniture} days from delivery.

A return on the last day of the window is accepted.

## Orders that are not delivered

An order that has not been delivered yet (status `shipped`) cannot be returned: contact support to stop
the shipment instead. A cancelled order has nothing to return.

## Refunds

Refunds are paid in the currency of the order, to the original payment method, within 10 business days
of receiving the item.
""",
    "shipping": """# Shipping policy

## Delivery times

Standard delivery takes 2 to 9 days. Orders are dispatched from our warehouse in Rotterdam.

## Costs

Shipping is free above 50 EUR (or the equivalent in the order currency at our daily rate); below that,
standard shipping costs 4.90 EUR. Express delivery costs 14.90 EUR.

## Order status

An order is `shipped` while it is on its way, `delivered` once the carrier confirms delivery (the
delivery date is recorded), and `cancelled` if it was stopped before dispatch.
""",
    "warranty": """# Warranty policy

## Warranty period

Every product carries a manufacturer warranty counted in months from the delivery date:

- Electronics: {warranty_electronics} months from delivery.
- Accessories: {warranty_accessories} months from delivery.
- Furniture: {warranty_furniture} months from delivery.

An item is under warranty up to and including the same day of the month, that many months after
delivery (for a delivery on the 31st, the last day of the shorter month).

## What is covered

Manufacturing defects. Not covered: accidental damage, normal wear, and items bought second hand.

## Claims

Open a claim with the order id; undelivered and cancelled orders have no warranty yet.
""",
}


def policy_docs(return_days: dict[str, int], warranty_months: dict[str, int]) -> dict[str, str]:
    """The policy documents, stating these windows."""
    values = {f"return_{k}": v for k, v in return_days.items()} | {f"warranty_{k}": v for k, v in
                                                                   warranty_months.items()}
    return {name: text.format(**values) for name, text in DOCS.items()}


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def money(x: float) -> float:
    return round(x + 1e-9, 2)


def typo(rng: random.Random, name: str) -> str:
    """Swap two adjacent letters or drop one, inside a word of at least 4 letters."""
    words = name.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not idx:
        return name
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.5 else w[:j] + w[j + 1:]
    return " ".join(words)


def build_world(rng: random.Random) -> dict:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < 174:
        n = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if n not in seen:
            seen.add(n)
            names.append(n)
    shared = names[:6]  # six names two customers share (in different cities)
    customers = []
    for i, n in enumerate(names + shared):
        city, country = CITIES[i % len(CITIES)] if i < len(names) else CITIES[(names.index(n) + 3) % len(CITIES)]
        signup = START - timedelta(days=rng.randrange(0, 400))
        customers.append({"customer_id": f"C-{i + 1:04d}", "name": n,
                          "email": n.lower().replace(" ", ".").replace("'", "") + f"{i + 1}@example.com",
                          "city": city, "country": country, "signup_date": signup.isoformat()})
    rng.shuffle(customers)
    for i, c in enumerate(customers):  # ids in file order, shared names land anywhere
        c["customer_id"] = f"C-{i + 1:04d}"
    products = []
    pid = 101
    for cat, items in PRODUCTS.items():
        for name in items:
            lo, hi = {"electronics": (19, 320), "accessories": (6, 90), "furniture": (35, 480)}[cat]
            products.append({"product_id": f"P-{pid}", "name": name, "category": cat,
                             "unit_price_eur": f"{rng.uniform(lo, hi):.2f}"})
            pid += 1
    orders = []
    span = (TODAY - START).days
    weights = [rng.paretovariate(1.6) for _ in customers]
    for k in range(1500):
        c = rng.choices(customers, weights=weights)[0]
        p = rng.choice(products)
        qty = rng.choices([1, 2, 3, 4], weights=[70, 18, 8, 4])[0]
        cur = rng.choices(list(FX), weights=CURRENCY_WEIGHTS)[0]
        # more orders lately (the shop grows): recent days are likelier
        od = START + timedelta(days=int(span * (1 - rng.random() ** 1.7)) - 1)
        od = min(od, TODAY - timedelta(days=1))
        total = money(qty * float(p["unit_price_eur"]) / FX[cur])
        dd = od + timedelta(days=rng.randint(2, 9))
        if rng.random() < 0.05:
            status, dd_s = "cancelled", ""
        elif dd > TODAY:
            status, dd_s = "shipped", ""
        else:
            status, dd_s = "delivered", dd.isoformat()
        orders.append({"order_id": str(1001 + k), "customer_id": c["customer_id"], "product_id": p["product_id"],
                       "quantity": qty, "total": f"{total:.2f}", "currency": cur, "order_date": od.isoformat(),
                       "delivered_date": dd_s, "status": status})
    orders.sort(key=lambda o: (o["order_date"], o["order_id"]))
    for k, o in enumerate(orders):
        o["order_id"] = str(1001 + k)
    return {"customers": customers, "products": products, "orders": orders, "shared": set(shared)}


# ---------------------------------------------------------------- answers (the ground truth)


def eur(o: dict) -> float:
    return money(float(o["total"]) * FX[o["currency"]])


def returnable(o: dict, cat: str, days: dict[str, int] = RETURN_DAYS) -> bool:
    if o["status"] != "delivered":
        return False
    return (TODAY - date.fromisoformat(o["delivered_date"])).days <= days[cat]


def under_warranty(o: dict, cat: str, months: dict[str, int] = WARRANTY_MONTHS) -> bool:
    if o["status"] != "delivered":
        return False
    return add_months(date.fromisoformat(o["delivered_date"]), months[cat]) >= TODAY


class Decks:
    """A secret's task sets draw each variant of a task (a misspelt name, a "yes" answer, an order in EUR, ...)
    from a shuffled deck of fixed make-up instead of a coin flip, so every course and every learner gets the
    same mix of variants: the tasks are equally hard under every secret. The practice sets use coin flips
    (``decks=None`` below), as shipped."""

    MAKE_UP = {  # key -> the deck's cards, in the shares the practice coin flips have
        "name-typo": [True] * 3 + [False] * 7,
        "returnable": [True, False],  # the answer is "yes"
        "warranty": [True, False],
        "currency": [c for c, w in zip(FX, CURRENCY_WEIGHTS, strict=True) for _ in range(round(10 * w))],
        "customer-id": [0.1] * 4 + [0.4] * 7 + [0.8] * 9,  # with the city / misspelt / as written
        "one-currency": [True] + [False] * 9,  # a customer whose every order is in EUR and none cancelled
    }

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.left = rng, {k: [] for k in self.MAKE_UP}
        self.cards: list = []  # drawn for the task being made
        self.variant: dict[str, tuple] = {}  # question -> the cards it was made with (its variant)

    def draw(self, key: str):  # noqa: ANN201 - a card
        if not self.left[key]:
            self.left[key] = self.MAKE_UP[key][:]
            self.rng.shuffle(self.left[key])
        card = self.left[key].pop()
        self.cards.append(card)
        return card

    def made(self, question: str, *variant: object) -> None:
        self.variant[question] = variant or tuple(self.cards)
        self.cards = []


def make_task(rng: random.Random, kind: str, w: dict, decks: Decks | None = None) -> tuple[str, str]:
    customers, orders = w["customers"], w["orders"]
    cat = {p["product_id"]: p["category"] for p in w["products"]}
    days, months = w.get("return_days", RETURN_DAYS), w.get("warranty_months", WARRANTY_MONTHS)  # its policy

    by_name: dict[str, list[dict]] = {}
    for c in customers:
        by_name.setdefault(c["name"], []).append(c)
    active = sorted({o["customer_id"] for o in orders})
    if kind in ("count_by_id", "count_by_name"):
        while True:
            o = rng.choice(orders)
            y, m = int(o["order_date"][:4]), int(o["order_date"][5:7])
            cid = o["customer_id"]
            c = next(c for c in customers if c["customer_id"] == cid)
            if kind == "count_by_name" and len(by_name[c["name"]]) > 1:
                continue
            break
        n = sum(1 for x in orders if x["customer_id"] == cid and x["order_date"][:7] == f"{y}-{m:02d}")
        misspelt = kind == "count_by_name" and (decks.draw("name-typo") if decks else rng.random() < 0.3)
        who = f"customer {cid}" if kind == "count_by_id" else (typo(rng, c["name"]) if misspelt else c["name"])
        return f"How many orders did {who} place in {MONTHS[m - 1]} {y}?", str(n)
    if kind == "order_total_eur":
        currency = decks.draw("currency") if decks else None
        o = rng.choice([x for x in orders if x["status"] != "cancelled" and currency in (None, x["currency"])])
        return f"What is the total of order {o['order_id']} in EUR?", f"{eur(o):.2f}"
    if kind == "spend_eur":
        if decks:
            mixed = {o["customer_id"] for o in orders if o["currency"] != "EUR" or o["status"] == "cancelled"}
            simple = decks.draw("one-currency")
            cid = rng.choice([c for c in active if (c in mixed) != simple] or active)
        else:
            cid = rng.choice(active)
        cents: dict[str, int] = {}  # per currency, in cents (exact), then converted once per currency
        for x in orders:
            if x["customer_id"] == cid and x["status"] != "cancelled":
                cents[x["currency"]] = cents.get(x["currency"], 0) + round(float(x["total"]) * 100)
        total = money(sum(money(v / 100 * FX[k]) for k, v in sorted(cents.items())))
        return (f"How much has customer {cid} spent in EUR in total, cancelled orders excluded?",
                f"{total:.2f}")
    if kind == "returnable":
        want = decks.draw("returnable") if decks else rng.random() < 0.5  # as many "yes" as "no"
        recent = [x for x in orders if x["order_date"] >= (TODAY - timedelta(days=90)).isoformat()
                  and returnable(x, cat[x["product_id"]], days) == want]
        o = rng.choice(recent)
        return (f"Can order {o['order_id']} still be returned under the returns policy?",
                "yes" if returnable(o, cat[o["product_id"]], days) else "no")
    if kind == "warranty":
        lo = (TODAY - timedelta(days=800)).isoformat()
        want = decks.draw("warranty") if decks else rng.random() < 0.5
        o = rng.choice([x for x in orders
                        if lo <= x["order_date"] and under_warranty(x, cat[x["product_id"]], months) == want])
        return (f"Is order {o['order_id']} still under warranty?",
                "yes" if under_warranty(o, cat[o["product_id"]], months) else "no")
    # customer_id
    c = rng.choice(customers)
    twins = by_name[c["name"]]
    r = decks.draw("customer-id") if decks else rng.random()
    if len(twins) > 1 or r < 0.2:
        return f"What is the customer id of {c['name']} from {c['city']}?", c["customer_id"]
    name = typo(rng, c["name"]) if r < 0.55 else c["name"]
    return f"What is the customer id of {name}?", c["customer_id"]


def tasks(rng: random.Random, w: dict, n_per_type: int, with_shared: bool,
          decks: Decks | None = None) -> list[tuple[str, str, str]]:
    out, seen = [], set()
    for i in range(n_per_type * len(TYPES)):
        kind = TYPES[i % len(TYPES)]
        while True:
            q, a = make_task(rng, kind, w, decks)
            if q not in seen:
                seen.add(q)
                break
            if decks:
                decks.cards = []
        if decks:
            decks.made(q)
        out.append((kind, q, a))
    quoted = [c for c in w["customers"] if "'" in c["name"] and c["name"] not in w["shared"]]
    for c in rng.sample(quoted, 3):  # names with an apostrophe (O'Brien), which naive SQL trips over
        q = f"What is the customer id of {c['name']}?"
        if q not in seen:
            seen.add(q)
            out.append(("customer_id", q, c["customer_id"]))
            if decks:
                decks.made(q, "apostrophe")
    if with_shared:  # make sure the shared-name customers are asked about
        for name in sorted(w["shared"])[:4]:
            c = rng.choice([c for c in w["customers"] if c["name"] == name])
            out.append(("customer_id", f"What is the customer id of {name} from {c['city']}?", c["customer_id"]))
            if decks:
                decks.made(out[-1][1], "shared name")
    rng.shuffle(out)
    return out


def balanced(rng: random.Random, pool: list[tuple[str, str, str]], n: int, decks: Decks) -> tuple[list, list[str]]:
    """A secret's test set: ``n`` tasks of ``pool`` (surplus taken from the most frequent kinds, so every learner
    gets the same mix of kinds), in a shuffled order, and a public/private split of half of each kind and
    variant (so the two parts are equally hard)."""
    by_kind: dict[str, list] = {}
    for t in pool:
        by_kind.setdefault(t[0], []).append(t)
    while sum(map(len, by_kind.values())) > n:
        most = max(sorted(by_kind), key=lambda k: len(by_kind[k]))
        by_kind[most].pop(rng.randrange(len(by_kind[most])))
    chosen, public = [], rng.random() < 0.5
    strata: dict[tuple, list] = {}
    for kind in sorted(by_kind):
        for t in by_kind[kind]:
            strata.setdefault((kind, *map(str, decks.variant.get(t[1], ()))), []).append(t)
    for key in sorted(strata):
        for t in strata[key]:  # alternating through every stratum in turn: odd ones do not pile up on one side
            chosen.append((t, "public" if public else "private"))
            public = not public
    rng.shuffle(chosen)
    return [t for t, _ in chosen], [s for _, s in chosen]


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(out: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the world and the task sets; with ``secret``, the course's shop and the learner's own test tasks
    (module doc)."""
    rng = random.Random(SEED if secret is None else derive_seed(secret, DELIVERABLE, "process", practice=SEED))
    own = rng if secret is None else random.Random(derive_seed(secret, DELIVERABLE, "rows", practice=SEED,
                                                               learner=learner))
    w = build_world(rng)
    if secret is not None:  # the course's policy windows
        w["return_days"] = {k: rng.choice(v) for k, v in RETURN_CHOICES.items()}
        w["warranty_months"] = {k: rng.choice(v) for k, v in WARRANTY_CHOICES.items()}
    write_csv(out / "customers.csv", w["customers"], list(w["customers"][0]))
    write_csv(out / "products.csv", w["products"], list(w["products"][0]))
    write_csv(out / "orders.csv", w["orders"], list(w["orders"][0]))
    write_csv(out / "fx_rates.csv", [{"currency": k, "eur_per_unit": f"{v:.4f}"} for k, v in FX.items()],
              ["currency", "eur_per_unit"])
    (out / "docs").mkdir(parents=True, exist_ok=True)
    docs = policy_docs(w.get("return_days", RETURN_DAYS), w.get("warranty_months", WARRANTY_MONTHS))
    for name, text in docs.items():
        (out / "docs" / f"{name}.md").write_text(text, encoding="utf-8")
    dev = tasks(rng, w, DEV_PER_TYPE if secret is None else DEV_PER_TYPE_SECRET, with_shared=False,
                decks=None if secret is None else Decks(rng))
    write_csv(out / "dev_tasks.csv", [{"task_id": f"D-{i + 1:03d}", "type": k, "question": q, "answer": a}
                                      for i, (k, q, a) in enumerate(dev)], ["task_id", "type", "question", "answer"])
    dev_questions = {q for _, q, _ in dev}
    if secret is None:
        test = [t for t in tasks(own, w, POOL_PER_TYPE, with_shared=True) if t[1] not in dev_questions][:N_TEST]
        ids = [f"T-{i + 1:03d}" for i in range(len(test))]
        split = ["public" if i % 2 == 0 else "private" for i in range(len(test))]
    else:
        decks = Decks(own)
        test, split = balanced(own, [t for t in tasks(own, w, POOL_PER_TYPE_SECRET, with_shared=True, decks=decks)
                                     if t[1] not in dev_questions], N_TEST_SECRET, decks)
        # the learner's own ids, from a wide range: a peer's predictions match none
        ids = [f"T-{v}" for v in sorted(own.sample(range(10_000, 100_000), len(test)))]
    write_csv(out / "test_tasks.csv", [{"task_id": t, "question": q} for t, (_, q, _) in zip(ids, test, strict=True)],
              ["task_id", "question"])
    write_csv(labels, [{"task_id": t, "answer": a, "split": s}
                       for t, (_, _, a), s in zip(ids, test, split, strict=True)], ["task_id", "answer", "split"])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
