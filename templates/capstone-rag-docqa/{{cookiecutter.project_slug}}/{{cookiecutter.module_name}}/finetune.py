"""Stage `finetune`: LoRA on the embedding model, from question-passage pairs mined from the corpus.

No labelled questions are used (the development set stays an honest test). Pairs are mined from the
chunks themselves (the inverse cloze task): each sentence of a chunk is a pseudo-question whose
positive passage is the rest of its chunk, and each section's "title - heading" is a query for the whole
chunk. The loss is InfoNCE with in-batch negatives (every other passage of the batch is a negative;
duplicates of the positive are masked). Only the LoRA matrices on the attention query and value
projections are trained (``peft``): about 0.1% of the weights, a minute on two CPU cores. The adapter is
written to models/lora/ and the `embed` stage merges it when ``embed.adapter`` is true.

QLoRA -- the same adapters over a 4-bit quantised base model (bitsandbytes) -- needs a CUDA GPU; it is what
you would use to fine-tune a 7B generator. Here the base model is small enough to train in float32.

With ``finetune.enabled: false`` the stage writes only models/lora/finetune.json and imports nothing heavy.
"""

from __future__ import annotations

import random
import shutil
import time
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import ADAPTER, CHUNKS, load_params, set_threads, write_json
from {{ cookiecutter.module_name }}.text import content_tokens, sentences


def mine_pairs(chunks: pd.DataFrame, seed: int = 0, max_pairs: int = 400) -> list[tuple[str, str, str]]:
    """(query, passage, section_id) pairs from the chunks alone (inverse cloze + title/heading queries)."""
    pairs = []
    for c in chunks.itertuples(index=False):
        sents = sentences(c.text)
        if c.section:
            pairs.append((f"{c.title} - {c.section}", c.text, c.section_id))
        for i, s in enumerate(sents):
            if len(content_tokens(s)) < 4:
                continue
            rest = " ".join(sents[:i] + sents[i + 1 :]) or c.text
            pairs.append((s, f"{c.title} - {c.section}: {rest}", c.section_id))
    random.Random(seed).shuffle(pairs)
    return pairs[:max_pairs]


def train(chunks: pd.DataFrame, params: dict[str, Any]) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, get_peft_model

    from {{ cookiecutter.module_name }}.embed import load_minilm

    cfg = params["finetune"]
    seed = int(params.get("seed", 0))
    torch.manual_seed(seed)
    model = load_minilm(int(params.get("threads", 1)))
    # peft injects the LoRA layers into the transformer in place: the SentenceTransformer now trains them
    lora = get_peft_model(
        model[0].auto_model,
        LoraConfig(
            r=int(cfg["rank"]), lora_alpha=int(cfg["alpha"]), lora_dropout=0.0, target_modules=["query", "value"]
        ),
    )
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    total = sum(p.numel() for p in lora.parameters())
    pairs = mine_pairs(chunks, seed, int(cfg["max_pairs"]))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=float(cfg["learning_rate"]))
    batch, scale = int(cfg["batch_size"]), float(cfg["scale"])
    model.train()
    losses = []
    for _ in range(int(cfg["epochs"])):
        for lo in range(0, len(pairs) - 1, batch):
            part = pairs[lo : lo + batch]
            if len(part) < 2:
                continue
            q = model(model.tokenize([p[0] for p in part]))["sentence_embedding"]
            d = model(model.tokenize([p[1] for p in part]))["sentence_embedding"]
            q, d = torch.nn.functional.normalize(q, dim=-1), torch.nn.functional.normalize(d, dim=-1)
            logits = scale * q @ d.T
            sec = [p[2] for p in part]
            same = torch.tensor([[a == b and i != j for j, b in enumerate(sec)] for i, a in enumerate(sec)])
            logits = logits.masked_fill(same, -1e4)  # another chunk of the same section is no negative
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(part)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
    if ADAPTER.exists():
        shutil.rmtree(ADAPTER)
    lora.save_pretrained(str(ADAPTER))  # the adapter only (~300 KB), not the base model
    return {
        "enabled": True,
        "pairs": len(pairs),
        "steps": len(losses),
        "trainable_params": int(trainable),
        "total_params": int(total),
        "first_loss": round(losses[0], 4) if losses else None,
        "last_loss": round(sum(losses[-5:]) / len(losses[-5:]), 4) if losses else None,
    }


def main() -> None:
    params = load_params()
    set_threads(int(params.get("threads", 1)))
    t0 = time.perf_counter()
    if ADAPTER.exists():
        shutil.rmtree(ADAPTER)
    if params["finetune"].get("enabled"):
        info = train(pd.read_csv(CHUNKS, keep_default_na=False), params)
    else:
        info = {"enabled": False}
    ADAPTER.mkdir(parents=True, exist_ok=True)
    write_json(ADAPTER / "finetune.json", info)
    print(f"finetune: {info} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
