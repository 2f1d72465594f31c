"""Generate the nlp-pipeline data set, deterministically (run from anywhere; not shipped to learners).

    python templates/nlp-pipeline/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

Customer-support messages, each with the team that should handle it: ``billing``, ``delivery``,
``account`` or ``technical``. Written from phrase banks with a fixed seed, and hard in the ways real
tickets are:

* most messages only *name* the thing in trouble ("I have a problem with my invoice"), and most also
  mention *another* team's thing in passing ("the parcel is fine, but ...", "not a login issue") —
  a bag of words cannot tell which noun is the request: word order and negation matter,
* typos, SHOUTING, HTML left-overs (``<br>``, ``&amp;``), signatures and ticket numbers,
* ~2% wrong labels, some empty messages, exact duplicates, a few extremely long pastes,
* mildly imbalanced classes.

Writes ``data/raw/train.csv`` (id, text, label) and ``data/raw/test.csv`` (id, text) into the template,
and the hidden test labels to ``labels/nlp-pipeline.csv`` (id, label, split = public|private).

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the ticket stream is the course's own: the
class shares, how often each team's nouns are used (vocabulary-topic weights), the rates of specific
problems, distractors and typos are drawn within narrow bands around the practice values; the messages, the
ids and the public/private split come from the learner's stream (``--learner``). A course's hidden test set
is larger (``N_TEST_SECRET`` messages, about 1,200 public and 2,800 private, against the practice 1,000), so
the hidden scores' sampling noise across learners falls by half (issue 19's fairness goal,
docs/performance.md). Without a secret the output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

import numpy as np

from roadmap_ci.seeding import rng as keyed_rng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "nlp-pipeline.csv"
SEED = 3428
DELIVERABLE = "nlp-pipeline"
CLASSES = ["billing", "delivery", "account", "technical"]
WEIGHTS = [0.3, 0.28, 0.2, 0.22]
N_TRAIN, N_TEST, N_TEST_SECRET = 3000, 1000, 4000

NOUNS = {
    "billing": ["invoice", "bill", "charge", "payment", "subscription fee", "credit card", "receipt", "vat"],
    "delivery": ["parcel", "package", "courier", "delivery", "shipment", "tracking number", "order", "box"],
    "account": ["password", "login", "username", "email address", "profile", "two-factor code", "account"],
    "technical": ["app", "website", "checkout page", "update", "sync", "screen", "api", "download"],
}
PROBLEMS = {
    "billing": ["I was charged twice for my {n}", "the {n} shows the wrong amount", "why is my {n} higher this month",
                "please send a corrected {n}", "my {n} was declined although it is valid", "I want my {n} refunded",
                "the {n} has a charge I do not recognise", "can I pay the {n} in instalments"],
    "delivery": ["my {n} has not arrived yet", "the {n} arrived damaged", "the {n} went to the wrong address",
                 "where is my {n}", "the {n} says delivered but nothing came", "the {n} is stuck in transit",
                 "can you change the address for my {n}", "the {n} was left in the rain"],
    "account": ["I cannot reset my {n}", "someone changed my {n}", "I am locked out, my {n} does not work",
                "please update my {n}", "I never received the {n}", "how do I delete my {n}",
                "my {n} was hacked", "I want to merge two accounts with the same {n}"],
    "technical": ["the {n} crashes when I open it", "the {n} is very slow", "the {n} shows an error 500",
                  "the {n} freezes after the latest update", "the {n} will not load on my phone",
                  "the {n} logs me out every minute", "the {n} keeps spinning forever", "the {n} shows a blank page"],
}
GENERIC = ["I have a problem with my {n}", "question about the {n}", "the {n} is not working",
           "something is wrong with the {n}", "can you check my {n}", "I need help with the {n}",
           "the {n} again!", "issue with the {n}", "my {n} is a mess", "please look at my {n}"]
ASIDES = ["the {n} is fine", "this is not about the {n}", "no problem with the {n}", "the {n} is ok now",
          "I already sorted out the {n}", "not a {n} issue", "ignore the {n} question from last week",
          "the {n} itself works"]
OPENERS = ["hi", "hello", "hey team", "good morning", "dear support", "", "", "urgent:", "help!"]
LINKS = ["but", "however", "and", "although", "yet"]
CLOSERS = ["thanks", "thank you", "please help", "regards, sam", "cheers", "sent from my phone", "", "",
           "ticket #{t}", "order ref {t}"]


class Stream(NamedTuple):
    """The generating process's own parameters: the practice values, or a course's draw (:meth:`draw`)."""

    weights: tuple[float, ...] = tuple(WEIGHTS)
    nouns: dict[str, list[float] | None] = dict.fromkeys(CLASSES)  # None: uniform (read only)
    specific: float = 0.4  # share of messages that say what the problem is
    aside: float = 0.7  # share with another team's words in passing
    typos: float = 0.04  # per word

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Stream:
        """Within bands that keep the task as hard as the practice one (benchmarks/bench_secrets_deep.py)."""
        # Narrow on purpose: with class shares ±10%, noun weights ~ Dirichlet(8) and the rates ±0.03 the
        # baseline moved by 8 points across secrets (benchmarks/bench_secrets_deep.py).
        w = np.array(WEIGHTS) * rng.uniform(0.97, 1.03, len(WEIGHTS))
        nouns = {}
        for c in CLASSES:  # every noun stays in use, none dominates
            p = rng.dirichlet(np.full(len(NOUNS[c]), 60.0))
            nouns[c] = list(p / p.sum())
        return cls(weights=tuple(w / w.sum()), nouns=nouns, specific=rng.uniform(0.395, 0.405),
                   aside=rng.uniform(0.695, 0.705), typos=rng.uniform(0.039, 0.041))


PRACTICE = Stream()


def typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 2))
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def pick(options: list[str], rng: np.random.Generator) -> str:
    """``rng.choice(options)``, the same draw from the same stream, without its array round trip (7,000 calls)."""
    return options[int(rng.integers(len(options)))]


def noun(label: str, rng: np.random.Generator, p: Stream) -> str:
    weights = p.nouns[label]
    return pick(NOUNS[label], rng) if weights is None else str(rng.choice(NOUNS[label], p=weights))


def message(label: str, rng: np.random.Generator, p: Stream = PRACTICE) -> str:
    bank = PROBLEMS[label] if rng.random() < p.specific else GENERIC  # most requests only name the thing
    main = pick(bank, rng).format(n=noun(label, rng, p))
    parts = [pick(OPENERS, rng)]
    if rng.random() < p.aside:  # a distractor: another team's words, but not the request
        other = pick([c for c in CLASSES if c != label], rng)
        aside = pick(ASIDES, rng).format(n=noun(other, rng, p))
        if rng.random() < 0.5:
            parts += [aside + ",", pick(LINKS, rng), main]
        else:
            parts += [main + ".", aside.capitalize() + "."]
    else:
        parts.append(main)
    parts.append(pick(CLOSERS, rng).format(t=int(rng.integers(10000, 99999))))
    words = " ".join(p for p in parts if p).split()
    words = [typo(w, rng) if rng.random() < p.typos else w for w in words]
    text = " ".join(words)
    r = rng.random()
    if r < 0.05:
        text = text.upper()
    elif r < 0.1:
        text = text.replace(". ", ".<br>").replace(" and ", " &amp; ")
    elif r < 0.5:
        text = text[:1].upper() + text[1:]
    return text


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def generate(out: Path = RAW, labels_path: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the data set; with ``secret``, the course's ticket stream and the learner's own sample (module doc)."""
    if secret is None:  # the practice data: one stream, in the shipped order
        rng, stream = np.random.default_rng(SEED), PRACTICE
    else:
        stream = Stream.draw(keyed_rng(secret, DELIVERABLE, "process", practice=SEED))
        rng = keyed_rng(secret, DELIVERABLE, "rows", practice=SEED, learner=learner)
    n_train, n_test = N_TRAIN, N_TEST if secret is None else N_TEST_SECRET
    labels = rng.choice(CLASSES, size=n_train + n_test, p=stream.weights)
    texts = [message(str(c), rng, stream) for c in labels]
    train_text, train_y = texts[:n_train], [str(c) for c in labels[:n_train]]
    test_text, test_y = texts[n_train:], [str(c) for c in labels[n_train:]]

    for i in np.flatnonzero(rng.random(n_train) < 0.02):  # annotator noise
        train_y[i] = str(rng.choice([c for c in CLASSES if c != train_y[i]]))
    for i in rng.choice(n_train, size=15, replace=False):  # empty messages
        train_text[i] = str(rng.choice(["", " ", "n/a"]))
    for i in rng.choice(n_train, size=6, replace=False):  # a pasted log: very long
        train_text[i] = train_text[i] + " " + " ".join(["error at line 42 in module core"] * 40)
    dup = rng.choice(n_train, size=30, replace=False)
    train_text += [train_text[i] for i in dup]
    train_y += [train_y[i] for i in dup]
    order = rng.permutation(len(train_text))

    out.mkdir(parents=True, exist_ok=True)
    write(out / "train.csv", ["id", "text", "label"],
          [[f"t{k:05d}", train_text[i], train_y[i]] for k, i in enumerate(order)])
    test_ids = [f"m{v:06d}" for v in rng.choice(900000, size=n_test, replace=False) + 100000]
    write(out / "test.csv", ["id", "text"], [[i, t] for i, t in zip(test_ids, test_text, strict=True)])
    split = np.where(rng.random(n_test) < 0.3, "public", "private")
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    write(labels_path, ["id", "label", "split"], [list(r) for r in zip(test_ids, test_y, split, strict=True)])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
