"""Generate the rag-chatbot corpus and question sets, deterministically (not shipped to learners).

    python templates/rag-chatbot/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

A product-support knowledge base for a fictional smart-home company, Northwind Home: one manual per
product (overview, pairing, battery, troubleshooting, warranty, returns) plus company-wide policies.
Written from templates with a fixed seed, and hard in the ways real knowledge bases are:

* eight manuals share one structure and most of their wording: the product's name is in the title and
  the first lines, and many sections say "the device" -- a chunk cut out of the middle of a manual does
  not say which product it is about (prepending the title to each chunk is one fix),
* questions paraphrase the manuals ("guarantee" for warranty, "send back" for return): word overlap
  alone misses them (dense embeddings and hybrid search are the fix),
* an archived manual with out-of-date numbers, an empty notes file, HTML comments, a legal footer
  repeated in every file,
* a leakage trap: ``faq-draft.md`` pastes questions of the shipped QA set verbatim with their answers,
  so a retriever that indexes it looks great on those questions and cites the wrong document.

Writes ``data/raw/docs/*.md`` (the corpus), ``data/raw/qa.csv`` (id, question, doc_id, section_id,
gold_passage, answer: the development set with gold passages) and ``data/raw/questions.csv`` (id,
question: the hidden set) into the template, and the hidden gold sections to ``labels/rag-chatbot.csv``
(id, section_id, split). A section id is ``<doc_id>/<heading slug>``: chunks never cross a heading, so
it names the gold passage whatever chunk size the learner picks.

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the knowledge base is the course's own: the
products' facts (the numbers in the answers), which questions are development questions and which are
hidden (and so which facts the hidden questions ask about), the leaked FAQ, and each document's layout --
its chapter number in the handbook, its sections numbered in a drawn order, each manual section under one of
a few equivalent headings -- so the gold section ids (``atlas-router/7-4-power-supply``) are the course's, and
neither the practice labels nor a guessed secret names them. A course's catalogue is three times the practice
one (the eight practice products and ``COURSE_PRODUCTS``), so its question sets are three times as large (228
development, 342 hidden questions), and half of its hidden questions are public (practice: 30%): with 36 public
questions the baseline's public accuracy moved by up to 28 points from one learner's sample to another's. The
hidden questions' order, their ids and the public/private split come from the learner's stream (``--learner``).
Without a secret the output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from roadmap_ci.seeding import derive_seed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "rag-chatbot.csv"
SEED = 35_46
DELIVERABLE = "rag-chatbot"
# A course secret files each manual section under one of these equivalent headings (none repeats a word of
# the questions, so the choice does not make a question easier); the first is the practice heading.
HEADINGS = {
    "Overview": ["Overview", "Introduction", "About this product"],
    "Pairing": ["Pairing", "First-time setup", "Setting up"],
    "Battery and power": ["Battery and power", "Power supply", "Energy use"],
    "Troubleshooting": ["Troubleshooting", "Solving problems", "Help and diagnostics"],
    "Warranty": ["Warranty", "Cover and repairs", "After-sales cover"],
    "Returns": ["Returns", "Refunds and exchanges", "Changing your mind"],
}

PRODUCTS = [
    ("atlas-router", "Atlas Router", "mesh Wi-Fi router"),
    ("beacon-camera", "Beacon Camera", "outdoor security camera"),
    ("cirrus-thermostat", "Cirrus Thermostat", "smart thermostat"),
    ("delta-speaker", "Delta Speaker", "portable smart speaker"),
    ("ember-doorbell", "Ember Doorbell", "video doorbell"),
    ("flux-plug", "Flux Plug", "energy-monitoring smart plug"),
    ("glow-bulb", "Glow Bulb", "colour smart bulb"),
    ("harbor-lock", "Harbor Lock", "keyless smart lock"),
]
# A course's catalogue: the practice products and these (module doc: three times the questions under a secret).
COURSE_PRODUCTS = [
    ("aurora-hub", "Aurora Hub", "smart-home hub"),
    ("breeze-purifier", "Breeze Purifier", "smart air purifier"),
    ("comet-vacuum", "Comet Vacuum", "robot vacuum cleaner"),
    ("dune-sensor", "Dune Sensor", "motion sensor"),
    ("echo-blinds", "Echo Blinds", "motorised window blind"),
    ("fern-sprinkler", "Fern Sprinkler", "smart garden sprinkler"),
    ("garnet-switch", "Garnet Switch", "smart wall switch"),
    ("halo-display", "Halo Display", "smart display"),
    ("iris-monitor", "Iris Monitor", "baby monitor"),
    ("juniper-kettle", "Juniper Kettle", "smart kettle"),
    ("kestrel-alarm", "Kestrel Alarm", "smoke and CO alarm"),
    ("lumen-strip", "Lumen Strip", "LED light strip"),
    ("meadow-feeder", "Meadow Feeder", "automatic pet feeder"),
    ("nimbus-fan", "Nimbus Fan", "smart ceiling fan"),
    ("onyx-siren", "Onyx Siren", "indoor alarm siren"),
    ("pebble-tracker", "Pebble Tracker", "Bluetooth item tracker"),
]
PROTOCOLS = ["Zigbee 3.0", "Thread", "Matter over Wi-Fi", "Bluetooth Low Energy", "Z-Wave Plus", "Matter over Thread"]
COLOURS = ["amber", "blue", "white", "green", "purple", "orange"]
FOOTER = ("\n---\n*Northwind Home Ltd. All rights reserved. This document is provided for information only "
          "and may change without notice. Contact support@northwind.example for help.*\n")


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "intro"


def product_facts(rng: random.Random) -> dict[str, object]:
    return {
        "protocol": rng.choice(PROTOCOLS),
        "weight": rng.randrange(90, 900, 10),
        "pair_s": rng.choice([3, 5, 7, 10]),
        "pair_colour": rng.choice(COLOURS),
        "charge_min": rng.choice([45, 60, 90, 120, 150]),
        "battery_h": rng.choice([8, 12, 18, 24, 36, 48]),
        "reset_s": rng.choice([6, 8, 12, 15, 20]),
        "update_colour": rng.choice(COLOURS),
        "warranty_m": rng.choice([12, 18, 24, 36]),
        "return_days": rng.choice([14, 21, 30, 45]),
        "fee_pct": rng.choice([10, 15, 20]),
        "temp_min": rng.choice([-20, -10, 0, 5]),
    }


# Each fact: (section, sentence, [question paraphrases], reference answer). {P} is the product's name.
def product_manual(name: str, kind: str, f: dict[str, object]) -> tuple[list[tuple[str, list[str]]], list[dict]]:
    facts = [
        ("Overview", f"The {name} connects to other devices in your home using {f['protocol']}.",
         ["Which smart-home protocol does the {P} support?",
          "What standard does the {P} use to talk to my other gadgets?",
          "Does the {P} speak {protocol}?"],
         f"It uses {f['protocol']}."),
        ("Overview", f"It weighs {f['weight']} grams and works in temperatures down to {f['temp_min']} °C.",
         ["How heavy is the {P}?", "What is the weight of the {P} in grams?",
          "What is the coldest temperature the {P} can operate in?"],
         f"{f['weight']} grams; it works down to {f['temp_min']} °C."),
        ("Pairing", f"To pair the device, hold the pairing button for {f['pair_s']} seconds until the light "
                    f"blinks {f['pair_colour']}.",
         ["How long do I hold the pairing button on the {P}?", "How do I connect a new {P} to my phone?",
          "What colour does the {P} blink when it is ready to pair?"],
         f"Hold the pairing button for {f['pair_s']} seconds until the light blinks {f['pair_colour']}."),
        ("Battery and power", f"A full charge takes about {f['charge_min']} minutes and lasts up to "
                              f"{f['battery_h']} hours of typical use.",
         ["How long does the {P} battery last?", "How many hours can the {P} run before it needs power again?",
          "How long does it take to fully charge the {P}?"],
         f"About {f['battery_h']} hours; a full charge takes about {f['charge_min']} minutes."),
        ("Troubleshooting", f"If the device stops responding, perform a factory reset by pressing the recessed "
                            f"reset button for {f['reset_s']} seconds.",
         ["How do I factory reset the {P}?", "My {P} is frozen and won't respond, what should I do?",
          "How long must the reset button on the {P} be held?"],
         f"Press the recessed reset button for {f['reset_s']} seconds."),
        ("Troubleshooting", f"A slowly pulsing {f['update_colour']} light means the firmware is updating; do "
                            "not unplug the device until it stops.",
         ["What does a slowly pulsing {update_colour} light on the {P} mean?",
          "Can I unplug the {P} while the light is pulsing {update_colour}?"],
         "The firmware is updating; do not unplug it until the light stops."),
        ("Warranty", f"The {name} is covered by a limited warranty of {f['warranty_m']} months from the date "
                     "of purchase.",
         ["How long is the warranty on the {P}?", "For how many months is the {P} guaranteed against defects?",
          "If my {P} breaks after a year, is it still under guarantee?"],
         f"{f['warranty_m']} months from the date of purchase."),
        ("Returns", f"Unopened units can be returned within {f['return_days']} days for a full refund; opened "
                    f"units incur a restocking fee of {f['fee_pct']} percent.",
         ["How many days do I have to return the {P}?", "Can I send back an opened {P}, and what does it cost?",
          "What is the restocking fee for an opened {P}?"],
         f"Within {f['return_days']} days; opened units pay a {f['fee_pct']} percent restocking fee."),
    ]
    filler = {
        "Overview": [f"The {name} is {'an' if kind[0] in 'aeiou' else 'a'} {kind} designed for everyday use.",
                     "It works with the Northwind Home app on Android and iOS."],
        "Pairing": ["Open the Northwind Home app and choose Add device before you start.",
                    "Keep your phone within two metres of the device while it pairs."],
        "Battery and power": ["Use the supplied cable and a 5 V adapter.",
                              "Battery life depends on settings, temperature and signal strength."],
        "Troubleshooting": ["Most problems are fixed by restarting the app and checking your Wi-Fi.",
                            "Your settings are erased by a reset, so note them first."],
        "Warranty": ["The warranty does not cover water damage, drops or unauthorised repairs.",
                     "Keep your receipt: it is the proof of purchase we ask for."],
        "Returns": ["Start a return from the Orders page of your account.",
                    "Refunds are paid to the original payment method."],
    }
    sections: list[tuple[str, list[str]]] = []
    for title in filler:
        own = [s for (sec, s, _, _) in facts if sec == title]
        sections.append((title, [filler[title][0], *own, filler[title][1]]))
    return sections, [{"section": s, "sentence": t, "questions": q, "answer": a} for s, t, q, a in facts]


POLICIES = [
    ("shipping-policy", "Shipping policy", [
        ("Delivery times", "Standard delivery takes three to five working days within the mainland.",
         ["How long does standard shipping take?", "When will my order arrive with normal delivery?"],
         "Three to five working days."),
        ("Delivery costs", "Orders over 60 euros ship free of charge; smaller orders pay a flat 4.95 euros.",
         ["Is delivery free?", "What is the minimum order value for free shipping?"],
         "Orders over 60 euros ship free; otherwise 4.95 euros."),
        ("Express", "Express orders placed before 2 pm are dispatched the same day by courier.",
         ["What is the cut-off time for same-day express dispatch?", "If I order express in the morning, "
          "when does it leave the warehouse?"], "Before 2 pm they leave the same day."),
    ]),
    ("support-hours", "Customer support", [
        ("Opening hours", "Our support team answers calls from 8 am to 8 pm, Monday to Saturday.",
         ["When is customer support open?", "Can I phone support on a Saturday evening?"],
         "8 am to 8 pm, Monday to Saturday."),
        ("Live chat", "Live chat in the app is staffed around the clock, with a typical reply within four "
                      "minutes.", ["Is there 24/7 chat support?", "How quickly does the in-app chat reply?"],
         "Around the clock; typically within four minutes."),
    ]),
    ("privacy-notice", "Privacy notice", [
        ("Video retention", "Camera and doorbell recordings are kept in the cloud for 30 days and then deleted "
                            "automatically.", ["How long are my camera recordings stored?",
                                               "When does Northwind delete doorbell video clips?"],
         "30 days, then deleted automatically."),
        ("Your data", "You can download a copy of all your data from the Privacy page of the app at any time.",
         ["How can I export my personal data?", "Where do I get a copy of everything you store about me?"],
         "From the Privacy page of the app."),
    ]),
    ("loyalty-programme", "Northwind Rewards", [
        ("Earning points", "Members earn one point for every euro spent on devices and accessories.",
         ["How many reward points do I get per euro?", "How does the loyalty scheme award points?"],
         "One point per euro spent."),
        ("Redeeming", "Every 500 points can be exchanged for a 10 euro voucher at checkout.",
         ["How many points do I need for a voucher?", "What are 500 reward points worth?"],
         "500 points buy a 10 euro voucher."),
    ]),
]


Layout = dict[str, str]  # section -> its heading in this document ("7.4 Power supply"); practice: the section


def draw_layout(rng: random.Random, sections: list[str], synonyms: bool) -> Layout:
    """A course's layout of one document: its chapter of the handbook, its sections numbered in a drawn order,
    under drawn headings."""
    chapter = rng.randint(1, 12)
    order = sections[:]
    rng.shuffle(order)
    names = {sec: rng.choice(HEADINGS[sec]) if synonyms else sec for sec in sections}
    return {sec: f"{chapter}.{order.index(sec) + 1} {names[sec]}" for sec in sections}


def render_doc(title: str, sections: list[tuple[str, list[str]]], rng: random.Random,
               layout: Layout | None = None) -> str:
    out = [f"# {title}\n"]
    if layout is not None:
        sections = sorted(((layout[h], s) for h, s in sections), key=lambda hs: int(hs[0].split()[0].split(".")[1]))
    for heading, sentences in sections:
        out.append(f"\n## {heading}\n\n")
        if rng.random() < 0.15:
            out.append("<!-- TODO: review wording with legal -->\n")
        out.append(" ".join(sentences) + "\n")
    return "".join(out) + FOOTER


def _csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def split_by_fact(rng: random.Random, items: list[dict]) -> tuple[list[dict], list[dict]]:
    """A secret's development/hidden split: 2 of every 5 questions to development, dealt fact by fact (the
    paraphrases of one fact in a drawn order), so every course's hidden set asks about the same mix of facts
    and paraphrases. A plain 40% sample moved the baseline by 4-5 points across secrets."""
    by_fact: dict[str, list[dict]] = {}
    for item in items:
        by_fact.setdefault(item["gold_passage"] + item["section_id"], []).append(item)
    facts = list(by_fact.values())
    rng.shuffle(facts)
    dev, hidden, deal = [], [], 0
    for questions in facts:
        rng.shuffle(questions)
        for q in questions:
            (dev if deal % 5 < 2 else hidden).append(q)
            deal += 1
    rng.shuffle(dev)
    rng.shuffle(hidden)
    return dev, hidden


def generate(out: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the corpus and question sets; with ``secret``, the course's knowledge base and hidden questions
    and the learner's own ids and split (module doc)."""
    rng = random.Random(SEED if secret is None else derive_seed(secret, DELIVERABLE, "process", practice=SEED))
    own = rng if secret is None else random.Random(derive_seed(secret, DELIVERABLE, "rows", practice=SEED,
                                                               learner=learner))

    def layout(sections: list[str], synonyms: bool = True) -> Layout | None:
        return None if secret is None else draw_layout(rng, sections, synonyms)

    def heading_of(lay: Layout | None, section: str) -> str:
        return section if lay is None else lay[section]

    docs: dict[str, str] = {}
    items: list[dict] = []  # one per question: doc_id, question, gold_passage, answer
    for doc_id, name, kind in PRODUCTS + ([] if secret is None else COURSE_PRODUCTS):
        f = product_facts(rng)
        sections, facts = product_manual(name, kind, f)
        lay = layout([title for title, _ in sections])
        docs[doc_id] = render_doc(f"{name} user manual", sections, rng, lay)
        for fact in facts:
            for q in fact["questions"]:
                items.append({"doc_id": doc_id, "section_id": f"{doc_id}/{slug(heading_of(lay, fact['section']))}",
                              "question": q.format(P=name, **f),
                              "gold_passage": fact["sentence"], "answer": fact["answer"]})
        if doc_id == "atlas-router":  # an archived manual with out-of-date numbers
            old = dict(f, warranty_m=6, return_days=7, reset_s=30, fee_pct=25)
            old_sections, _ = product_manual(name, kind, old)
            docs["atlas-router-2023-archived"] = ("> ARCHIVED: superseded by the current Atlas Router manual.\n\n"
                                                  + render_doc(f"{name} user manual (2023)", old_sections, rng,
                                                               layout([t for t, _ in old_sections])))
    for doc_id, title, facts in POLICIES:
        sections = [(heading, [sentence]) for heading, sentence, _, _ in facts]
        lay = layout([h for h, _ in sections], synonyms=False)
        docs[doc_id] = render_doc(title, sections, rng, lay)
        for head, sentence, questions, answer in facts:
            items.extend({"doc_id": doc_id, "section_id": f"{doc_id}/{slug(heading_of(lay, head))}", "question": q,
                          "gold_passage": sentence, "answer": answer} for q in questions)
    docs["notes-todo"] = "\n\n   \n"

    if secret is None:
        rng.shuffle(items)
        n_dev = round(len(items) * 0.4)
        dev, hidden = items[:n_dev], items[n_dev:]
    else:
        dev, hidden = split_by_fact(rng, items)
    qa = [{"id": f"q{i:03d}", **item} for i, item in enumerate(dev, 1)]
    # The leakage trap: a draft FAQ that pastes some development questions with their answers.
    leaked = qa[:18]
    docs["faq-draft"] = "# Frequently asked questions (DRAFT, do not publish)\n\n" + "".join(
        f"**{row['question']}**\n{row['answer']}\n\n" for row in leaked)

    if secret is None:
        hidden_rows = [{"id": f"h{i:03d}", **item} for i, item in enumerate(hidden, 1)]
    else:  # the learner's own order and ids (from a wide range: a peer's predictions match none)
        own.shuffle(hidden)
        ids = sorted(own.sample(range(10_000, 100_000), len(hidden)))
        hidden_rows = [{"id": f"h{i}", **item} for i, item in zip(ids, hidden, strict=True)]
    share = 0.3 if secret is None else 0.5  # a course's public part: half (module doc)
    public = set(own.sample(range(len(hidden_rows)), round(len(hidden_rows) * share)))

    (out / "docs").mkdir(parents=True, exist_ok=True)
    for doc_id, text in sorted(docs.items()):
        (out / "docs" / f"{doc_id}.md").write_text(text, encoding="utf-8")
    (out / "qa.csv").write_text(_csv(qa, ["id", "question", "doc_id", "section_id", "gold_passage", "answer"]),
                                encoding="utf-8")
    (out / "questions.csv").write_text(_csv([{"id": r["id"], "question": r["question"]} for r in hidden_rows],
                                            ["id", "question"]), encoding="utf-8")
    labels.parent.mkdir(parents=True, exist_ok=True)
    labels.write_text(_csv([{"id": r["id"], "section_id": r["section_id"],
                             "split": "public" if i in public else "private"}
                            for i, r in enumerate(hidden_rows)], ["id", "section_id", "split"]), encoding="utf-8")


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
