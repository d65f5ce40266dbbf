"""Small-model ablations at equal tokens: one short training run per recipe change, each scored
on the held-out sentences (greedy exact, token accuracy and BLEU by length bucket) and on blend
paths (novelty, endpoints, valid words). Every arm is a few-million-parameter model trained on the
same number of target tokens from the same pre-tokenised corpus; a finished arm is skipped and an
interrupted one resumes, so the whole sweep can be stopped and started again.

    python -m textlatent.train.ablate --corpus data/corpus.txt --out runs/ablate \
        --tokenizer runs/ablate/tok2000/tokenizer.model --tokens 1200000 [--arms base,long3]
    python -m textlatent.train.ablate --step-cost 1024,1088,1152

Writes OUT/ARM/ (a run folder and `ablation.json`) and prints a markdown table of all done arms.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path

from ..backends.gru import ModelConfig, SentenceAutoencoder
from .loop import TrainConfig

SMALL_MODEL = ModelConfig(emb_dim=96, enc_hidden=128, latent_dim=192, dec_hidden=256,
                          max_tokens=96)
SMALL_TRAIN = TrainConfig(lr=3e-3, warmup_steps=50, batch_tokens=4096, max_batch=256,
                          word_drop=0.1, word_mask=0.05, latent_noise=0.15, seed=1,
                          dev_size=200, checkpoint_every=60.0, eval_every=1e9)
LONG_FROM = 28  # tokens of a 2,000-piece tokenizer: about 16 words

# name -> (model changes, recipe changes), in the order they are run. "base" is the reference
# every other arm changes one thing of; "seed2" is the reference again with another seed, to
# show how far two runs of the same recipe differ.
ARMS: dict[str, tuple[dict, dict]] = {
    "base": ({}, {}),
    "seed2": ({}, {"seed": 2}),
    "long3": ({}, {"long_from": LONG_FROM, "long_weight": 3.0}),
    "noise0.30": ({}, {"latent_noise": 0.30}),
    "shuffle3": ({}, {"word_shuffle": 3.0}),
    "dec2layers": ({"dec_layers": 2}, {}),
    "dec384": ({"dec_hidden": 384}, {}),
    "dec384seed2": ({"dec_hidden": 384}, {"seed": 2}),
    "noise0.05": ({}, {"latent_noise": 0.05}),
    "drop0.20": ({}, {"word_drop": 0.20}),
    "max64": ({"max_tokens": 64}, {}),
}


def _data_file(name: str) -> Path:
    return Path(str(resources.files("textlatent.data").joinpath(name)))


def token_file(corpus: Path, tokenizer: Path, max_tokens: int, out_dir: Path) -> Path:
    """The corpus without the evaluation and measurement sentences, tokenised and cut to
    `max_tokens` - 1, saved once as OUT/tokens{max_tokens}.npz."""
    from .tokens import write_token_file

    path = out_dir / f"tokens{max_tokens}.npz"
    if not path.is_file():
        write_token_file(corpus, path, tokenizer, max_tokens)
    return path


def bucket_loss(model, sentences: list[str]) -> dict[str, float]:
    """Teacher-forced reconstruction loss (nats per target token, clean input and latent) of
    each length bucket: more sensitive than exact match when every run is still short."""
    import torch

    from ..evaluate import BUCKETS, length_bucket
    from .data import collate
    from .loop import TrainConfig, loss_on

    plain = TrainConfig(word_drop=0.0, word_mask=0.0, latent_noise=0.0)
    limit = model.net.cfg.max_tokens - 1
    out = {}
    for name, _, _ in BUCKETS:
        texts = [s for s in sentences if length_bucket(len(s.split())) == name]
        if not texts:
            continue
        seqs = [ids[:limit] for ids in model.tokenizer.encode_batch(texts)]
        total = count = 0.0
        with torch.inference_mode():
            for start in range(0, len(seqs), 128):
                ids, lengths = collate(seqs, list(range(start, min(start + 128, len(seqs)))))
                loss, n = loss_on(model.net, ids, lengths, plain)
                total += float(loss) * n
                count += n
        out[name] = total / count
    return out


def score(run: Path, heldout: Path, pair_files: list[Path]) -> dict:
    """Greedy held-out reconstruction and teacher-forced loss by length bucket, and greedy
    blend metrics."""
    from ..backends import load_model
    from ..evaluate import (
        GREEDY_SPEC,
        blend_metrics,
        read_pairs,
        read_sentences,
        reconstruction_metrics,
    )

    model = load_model(run)
    sentences = read_sentences(heldout)
    rec = reconstruction_metrics(model, sentences, GREEDY_SPEC)
    keep = ("n", "exact_match", "token_accuracy", "bleu")
    result = {"heldout": {k: rec[k] for k in keep},
              "by_length": {name: {k: row[k] for k in keep}
                            for name, row in rec["by_length"].items()}}
    for name, value in bucket_loss(model, sentences).items():
        result["by_length"][name]["loss"] = value
    for path in pair_files:
        blend = blend_metrics(model, read_pairs(path), 9, GREEDY_SPEC)
        result[f"blend_{path.stem}"] = {k: blend[k] for k in
                                        ("endpoints", "progress", "novelty", "valid_words")}
    return result


def run_arm(name: str, corpus: Path, tokenizer: Path, out: Path, tokens: int) -> dict:
    """Train arm `name` to `tokens` target tokens (resuming if it was cut short) and score it."""
    from ..tokenizer import Tokenizer
    from .checkpoint import read_state
    from .loop import train

    done = out / name / "ablation.json"
    if done.is_file():
        return json.loads(done.read_text())
    model_changes, train_changes = ARMS[name]
    model_cfg = replace(SMALL_MODEL, vocab_size=Tokenizer(tokenizer).vocab_size, **model_changes)
    cfg = replace(SMALL_TRAIN, tokens=tokens, **train_changes)
    data = token_file(corpus, tokenizer, model_cfg.max_tokens, out)
    run = out / name
    state = read_state(run)
    resume = state is not None and state["tokens_seen"] < tokens
    start = time.process_time()
    if state is None or resume:
        train(None, run, tokenizer=tokenizer, data=data, cfg=cfg, model_cfg=model_cfg,
              resume=resume, progress=False)
    train_cpu = time.process_time() - start
    state = read_state(run)
    result = {"arm": name, "model": asdict(model_cfg), "recipe": asdict(cfg) | {"model": None},
              "tokens_seen": state["tokens_seen"], "steps": state["step"],
              "train_seconds": round(state["elapsed"], 1), "train_cpu_s": round(train_cpu, 1),
              **score(run, _data_file("heldout_sentences.txt"),
                      [_data_file("heldout_pairs.tsv"), _data_file("eval_pairs.tsv")])}
    done.write_text(json.dumps(result, indent=1))
    return result


def decode_step_cost(widths: list[int], batches: tuple[int, ...] = (1, 9), steps: int = 40,
                     repeats: int = 25) -> dict:
    """Median time of one greedy decode step (the inference path) of the shipped shape with each
    decoder width, relative to the first width, per batch size; widths timed in turn."""
    import statistics

    import torch

    nets = {}
    for width in widths:
        torch.manual_seed(0)
        cfg = ModelConfig(emb_dim=256, enc_hidden=512, latent_dim=512, dec_hidden=width)
        nets[width] = SentenceAutoencoder(cfg).eval()

    def run(net, b: int) -> float:
        with torch.inference_mode():
            z = torch.nn.functional.normalize(torch.randn(b, 512), dim=-1)
            h, step = net.fast_stepper(z)
            prev = torch.full((b,), 2, dtype=torch.long)
            start = time.perf_counter()
            for _ in range(steps):
                logits, h = step(prev, h)
                prev = logits.argmax(-1)
            return time.perf_counter() - start

    out = {}
    for b in batches:
        times = {w: [] for w in widths}
        for _ in range(repeats + 1):  # the first round warms up
            for w, net in nets.items():
                times[w].append(run(net, b))
        base = statistics.median(times[widths[0]][1:])
        out[f"batch {b}"] = {w: round(statistics.median(t[1:]) / base, 3)
                             for w, t in times.items()}
    return out


def table(results: list[dict]) -> str:
    """The arms as one markdown table."""
    buckets = ("1-5", "6-10", "11-15", "16-20", "21+")
    head = ("| arm | params changed | tokens | " + " | ".join(f"exact {b}" for b in buckets)
            + " | loss 1-5 | loss 11-15 | loss 16-20 | loss 21+ | tok_acc 16-20 | tok_acc 21+"
              " | exact all | novelty held-out / eval | valid words held-out |")
    rows = [head, "|---|---|---:|" + "---:|" * (len(buckets) + 9)]
    for r in results:
        changes = {**ARMS[r["arm"]][0], **ARMS[r["arm"]][1]}
        label = ", ".join(f"{k}={v}" for k, v in changes.items()) or "reference"
        by = r["by_length"]
        cells = [f"{by[b]['exact_match']:.3f}" if b in by else "" for b in buckets]
        rows.append(
            f"| {r['arm']} | {label} | {r['tokens_seen'] / 1e6:.2f} M | " + " | ".join(cells)
            + "".join(f" | {by[b]['loss']:.3f}" for b in ("1-5", "11-15", "16-20", "21+"))
            + f" | {by['16-20']['token_accuracy']:.3f} | {by['21+']['token_accuracy']:.3f}"
            + f" | {r['heldout']['exact_match']:.3f}"
            + f" | {r['blend_heldout_pairs']['novelty']:.2f} / "
              f"{r['blend_eval_pairs']['novelty']:.2f}"
            + f" | {r['blend_heldout_pairs']['valid_words']:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textlatent.train.ablate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="the sentence file (to train arms)")
    parser.add_argument("--out", type=Path, default=Path("runs/ablate"))
    parser.add_argument("--tokenizer", type=Path,
                        default=Path(__file__).resolve().parent.parent / "models" / "builtin"
                        / "tokenizer.model")
    parser.add_argument("--tokens", type=int, default=1_000_000, help="target tokens per arm")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated arm names")
    parser.add_argument("--table", action="store_true", help="only print the table of done arms")
    parser.add_argument("--step-cost", metavar="W,W,...",
                        help="only time a decode step of the shipped shape at these decoder "
                             "widths, relative to the first")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    if args.step_cost:
        print(json.dumps(decode_step_cost([int(w) for w in args.step_cost.split(",")])))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.corpus is None and not args.table:
        parser.error("--corpus is needed to train arms")
    names = [n for n in args.arms.split(",") if n]
    unknown = [n for n in names if n not in ARMS]
    if unknown:
        parser.error(f"unknown arms: {', '.join(unknown)}")
    results = []
    for name in names:
        done = args.out / name / "ablation.json"
        if args.table:
            if done.is_file():
                results.append(json.loads(done.read_text()))
            continue
        results.append(run_arm(name, args.corpus, args.tokenizer, args.out, args.tokens))
        print(f"[ablate] {name} done", flush=True)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
