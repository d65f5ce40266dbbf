"""corpus build, train-tokenizer and train: making a model."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from .common import (
    CliError,
    common_options,
    emit_json,
    eval_file,
    existing_file,
    fmt,
    int_range,
    measurement_files,
    positive_float,
)

SHAPE_OPTIONS = ("latent_dim", "enc_hidden", "dec_hidden", "emb_dim")
RECIPE_OPTIONS = ("lr", "batch_tokens", "max_batch", "warmup_steps", "word_drop", "dec_word_drop",
                  "latent_noise", "blend_cap")


def cmd_corpus_build(args: argparse.Namespace) -> int:
    """Build the training corpus with `textlatent.corpus.build_corpus`."""
    from ..corpus import build_corpus

    exclude = [existing_file(p, "exclude file", True) for p in args.exclude] if args.exclude \
        else [eval_file("sentences"), eval_file("pairs")]
    stats = build_corpus(Path(args.out), Path(args.cache), exclude, seed=args.seed)
    if args.json:
        emit_json(stats)
        return 0
    for name, info in stats.get("sources", {}).items():
        if "error" in info:
            print(f"  {name:24}skipped: {info['error']}")
        else:
            print(f"  {name:24}{info.get('unique', 0):>9} unique {info.get('written', 0):>9} "
                  f"written")
    print(f"wrote {stats.get('total_lines', 0)} lines ({stats.get('total_unique', 0)} unique) "
          f"to {args.out}")
    return 0


def cmd_train_tokenizer(args: argparse.Namespace) -> int:
    """Train a SentencePiece tokenizer on a corpus file."""
    from ..tokenizer import Tokenizer, train_tokenizer

    corpus = existing_file(args.corpus, "corpus file")
    if args.vocab_size < 16:
        raise CliError("--vocab-size must be at least 16")
    try:
        out = train_tokenizer(corpus, args.out, vocab_size=args.vocab_size, seed=args.seed)
    except RuntimeError as exc:  # SentencePiece reports bad settings as RuntimeError
        raise CliError(f"tokenizer training failed: {str(exc).split('] ')[-1]}") from exc
    size = Tokenizer(out).vocab_size
    if args.json:
        emit_json({"tokenizer": str(out), "vocab_size": size})
    else:
        print(f"wrote {out} ({size} pieces)")
    return 0


def train_configs(args: argparse.Namespace):
    """(TrainConfig, ModelConfig or None) from the train options."""
    from ..backends.gru import ModelConfig
    from ..tokenizer import Tokenizer
    from ..train import TrainConfig

    cfg = TrainConfig(seed=args.seed, bf16=args.bf16)
    for name in RECIPE_OPTIONS:
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    if args.steps is not None:
        cfg.steps = args.steps
    elif args.minutes is not None:
        cfg.seconds = args.minutes * 60.0
    shape = {k: getattr(args, k) for k in SHAPE_OPTIONS if getattr(args, k) is not None}
    if shape and args.init:
        raise CliError("model-shape options cannot be combined with --init")
    if args.init:
        return cfg, None
    if not args.tokenizer:
        if args.resume:
            return cfg, None
        raise CliError("a tokenizer is needed: give --tokenizer FILE (or --init DIR / --resume)")
    vocab = Tokenizer(existing_file(args.tokenizer, "tokenizer model")).vocab_size
    return cfg, ModelConfig(vocab_size=vocab, **shape)


def cmd_train(args: argparse.Namespace) -> int:
    """Train or fine-tune a model and write its folder."""
    corpus = existing_file(args.corpus, "corpus file")
    if args.init:
        from ..backends import backend_for, load_model

        if backend_for(args.init).name != "gru":
            raise CliError(f"--init takes a model folder of the builtin kind (config.json, "
                           f"model.safetensors, tokenizer.model), not {args.init}")
        load_model(args.init)  # fails early, with a clear message, on a bad folder
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise CliError("--device cuda was asked for but no CUDA device is available")
    cfg, model_cfg = train_configs(args)
    exclude = [existing_file(p, "exclude file", True) for p in args.exclude] if args.exclude \
        else [eval_file("sentences"), eval_file("pairs"), *measurement_files()]
    from ..train import train

    with contextlib.redirect_stdout(sys.stderr):
        result = train(corpus, Path(args.out),
                       tokenizer=Path(args.tokenizer) if args.tokenizer else None,
                       cfg=cfg, model_cfg=model_cfg, resume=args.resume,
                       init=Path(args.init) if args.init else None, exclude=exclude,
                       device=args.device, progress=not args.no_progress)
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun, the first process reports
        return 0
    if args.json:
        emit_json({"out": str(args.out), **result})
    else:
        print(f"wrote model folder {args.out}")
        for key, value in result.items():
            print(f"  {key:14}{fmt(value)}")
    return 0


def register(sub) -> None:
    """Add corpus build, train-tokenizer and train to the subparsers `sub`."""
    p = sub.add_parser("corpus", help="build the training corpus")
    corpus_sub = p.add_subparsers(dest="corpus_command", metavar="COMMAND", required=True)
    c = corpus_sub.add_parser("build", help="fetch sources, clean, dedupe and write a corpus")
    c.add_argument("--out", required=True, metavar="FILE")
    c.add_argument("--cache", default="data/cache", metavar="DIR",
                   help="download cache (default: data/cache)")
    c.add_argument("--exclude", nargs="+", metavar="FILE",
                   help="files whose sentences must not be in the corpus (default: eval files)")
    c.add_argument("--seed", type=int, default=0)
    common_options(c, model=False)
    c.set_defaults(handler=cmd_corpus_build)

    p = sub.add_parser("train-tokenizer", help="train a SentencePiece tokenizer on a corpus")
    p.add_argument("--corpus", required=True, metavar="FILE")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--seed", type=int, default=0)
    common_options(p, model=False)
    p.set_defaults(handler=cmd_train_tokenizer)

    p = sub.add_parser("train", help="train or fine-tune a model")
    p.add_argument("--corpus", required=True, metavar="FILE")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--tokenizer", metavar="FILE")
    p.add_argument("--init", metavar="DIR", help="fine-tune from this model folder")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=positive_float, metavar="M")
    length.add_argument("--steps", type=int_range(1, 10**9), metavar="N")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--exclude", nargs="+", metavar="FILE",
                   help="files whose sentences are left out (default: the eval files and "
                        "the shipped held-out and parallel-pair files)")
    p.add_argument("--bf16", action="store_true", help="bfloat16 autocast")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    shape = p.add_argument_group("model shape")
    for name in SHAPE_OPTIONS:
        shape.add_argument(f"--{name.replace('_', '-')}", type=int_range(1, 65_536))
    recipe = p.add_argument_group("recipe")
    recipe.add_argument("--lr", type=positive_float)
    recipe.add_argument("--batch-tokens", type=int_range(1, 10**8))
    recipe.add_argument("--max-batch", type=int_range(1, 10**6), help="sentences per batch")
    recipe.add_argument("--warmup-steps", type=int_range(0, 10**7))
    recipe.add_argument("--word-drop", type=float)
    recipe.add_argument("--dec-word-drop", type=float,
                        help="share of the decoder's previous-word inputs hidden in training")
    recipe.add_argument("--latent-noise", type=float)
    recipe.add_argument("--blend-cap", type=float,
                        help="weight of the penalty on the decoder being over 60%% sure of a "
                             "sentence's words part-way to another sentence")
    common_options(p, model=False)
    p.set_defaults(handler=cmd_train)
