"""The `textlatent` command: encode, decode, reconstruct, blend, eval, bench, corpus build,
train-tokenizer, train and tui (the default).

Modules that import torch are imported inside the handlers, so `--help` and `--version` stay
fast. Every bad input ends in one `textlatent: error: ...` line and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import unicodedata
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from . import __version__

PROG = "textlatent"
EVAL_FILES = {"sentences": ("sentences.txt", "eval_sentences.txt"),
              "pairs": ("pairs.tsv", "eval_pairs.tsv")}
MEASUREMENT_FILES = ("heldout_sentences.txt", "heldout_pairs.tsv", "parallel_pairs.tsv")


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


# -- small helpers -------------------------------------------------------------------------------
def _emit_json(obj: object) -> None:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    print(json.dumps(obj, ensure_ascii=encoding != "utf8"))


def _clean(texts: list[str]) -> list[str]:
    """Undecodable command-line bytes (lone surrogates) -> U+FFFD, so they can be printed."""
    from .tokenizer import replace_surrogates

    return [replace_surrogates(t) for t in texts]


def _show(text: str) -> str:
    """One printable line: control characters and line breaks are shown as escapes."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text)


def _existing_file(path: str | Path, what: str, text: bool = False) -> Path:
    """`path` if it is a readable file; with `text`, also check that it is UTF-8."""
    path = Path(path)
    if not path.exists():
        raise CliError(f"{what} not found: {path}")
    if not path.is_file():
        raise CliError(f"{what} is not a file: {path}")
    if text:
        _utf8(path.read_bytes(), f"{what} {path}")
    return path


def _measurement_files() -> list[Path]:
    """The shipped held-out and parallel-pair files the model card measures with."""
    data = resources.files("textlatent.data")
    return [Path(str(data.joinpath(name))) for name in MEASUREMENT_FILES]


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{where} is not UTF-8 text (bad byte at offset {exc.start})") from None


def _eval_file(kind: str) -> Path:
    """The shared eval file (../shared/eval from here or from the repo), else the shipped copy."""
    shared_name, packaged_name = EVAL_FILES[kind]
    repo = Path(__file__).resolve().parent.parent
    for base in (Path.cwd(), repo):
        candidate = base.parent / "shared" / "eval" / shared_name
        if candidate.is_file():
            return candidate
    return Path(str(resources.files("textlatent.data").joinpath(packaged_name)))


def _load(args: argparse.Namespace):
    """Load the model named by --model (None = builtin) and report truncation as it happens."""
    from .backends import TruncationWarning, load_model

    warnings.simplefilter("always", TruncationWarning)
    return load_model(args.model, trust_remote_code=args.trust_remote_code,
                      allow_download=args.allow_download)


def _decode_kwargs(args: argparse.Namespace) -> dict:
    return {"beam": args.beam, "temperature": args.temperature, "top_p": args.top_p,
            "seed": args.seed, "max_tokens": args.max_tokens}


def _budget(args: argparse.Namespace):
    """The decode budget asked for by --decode, --rounds, --step and --candidates."""
    import dataclasses

    from .fidelity import DEFAULT, GREEDY

    budget = GREEDY if args.decode == "greedy" else DEFAULT
    if args.rounds is not None:
        budget = dataclasses.replace(budget, rounds=args.rounds)
    if args.step is not None:
        budget = dataclasses.replace(budget, step=args.step)
    if args.candidates is not None:
        budget = dataclasses.replace(budget, samples=args.candidates)
    if getattr(args, "seed", None) is not None:
        budget = dataclasses.replace(budget, seed=args.seed)
    return budget


def _decode(model, latents, args: argparse.Namespace, path: bool = False) -> list:
    """Decode as the options ask, each text with its fidelity (`fidelity.Decoded`).

    --beam, --temperature or --top-p ask for that one decode, scored; otherwise the --decode
    budget (for a blend `path`, its ends get the budget and the points between `PATH_MIDDLE`).
    """
    from .fidelity import PATH_MIDDLE, decode_path, decode_scored, decode_verified

    if args.beam != 1 or args.temperature != 0 or args.top_p != 1:
        return decode_scored(model, latents, **_decode_kwargs(args))
    if path:
        return decode_path(model, latents, _budget(args), PATH_MIDDLE, args.max_tokens)
    return decode_verified(model, latents, _budget(args), args.max_tokens)


def _mark(decoded) -> str:
    """✓ for a verified decode, else its fidelity."""
    return "✓" if decoded.verified else f"(fidelity {decoded.fidelity:.3f})"


def _fmt(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


# -- handlers ------------------------------------------------------------------------------------
def cmd_encode(args: argparse.Namespace) -> int:
    """Texts -> latents (`--json`: model, dim, texts, latents)."""
    model = _load(args)
    texts = _clean(args.texts)
    z = model.encode(texts)
    if args.json:
        _emit_json({"model": model.name, "dim": model.dim, "texts": texts,
                    "latents": z.tolist()})
        return 0
    print(f"model {model.name}, {model.dim} dimensions (use --json for the full vectors)")
    for text, row in zip(texts, z, strict=True):
        head = " ".join(f"{v:+.3f}" for v in row[:6])
        print(f"{_show(text)}\n  [{head} ...]")
    return 0


def _read_latents(source: str | None) -> dict:
    if source in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise CliError("give a JSON file, or pipe in the output of `textlatent encode --json`")
        where = "standard input"
        stream = getattr(sys.stdin, "buffer", None)
        raw = _utf8(stream.read(), where) if stream is not None else sys.stdin.read()
    else:
        path = _existing_file(source, "latents file")
        where = str(path)
        raw = _utf8(path.read_bytes(), where)
    if not raw.strip():
        raise CliError(f"no input in {where}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CliError(f"{where} is not valid JSON: {exc}") from exc
    except RecursionError:
        raise CliError(f"{where} is nested too deeply to be latents") from None
    from . import latent_file

    try:  # every latent file: encode --json, the app's w / c / e, arithmetic --json
        return latent_file.parse(data, where)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def cmd_decode(args: argparse.Namespace) -> int:
    """Latents JSON from a file or stdin -> texts."""
    data = _read_latents(args.file)
    model = _load(args)
    made_by = data.get("model")
    if isinstance(made_by, str) and made_by != model.name:
        print(f"{PROG}: warning: latents come from model {made_by!r}, decoding with "
              f"{model.name!r}", file=sys.stderr)
    decoded = _decode(model, data["latents"], args)
    if args.json:
        _emit_json({"texts": [d.text for d in decoded],
                    "fidelity": [round(d.fidelity, 6) for d in decoded]})
    else:
        print("\n".join(f"{_show(d.text)}  {_mark(d)}" for d in decoded))
    return 0


def cmd_reconstruct(args: argparse.Namespace) -> int:
    """Encode then decode each text -> input/output pairs."""
    model = _load(args)
    texts = _clean(args.texts)
    decoded = _decode(model, model.encode(texts), args)
    if args.json:
        _emit_json({"pairs": [{"input": t, "output": d.text, "fidelity": round(d.fidelity, 6)}
                              for t, d in zip(texts, decoded, strict=True)]})
    else:
        for text, d in zip(texts, decoded, strict=True):
            print(f"{_show(text)}\n  -> {_show(d.text)}  {_mark(d)}")
    return 0


def cmd_blend(args: argparse.Namespace) -> int:
    """Decode the blend path between two sentences -> (t, text) steps."""
    import numpy as np

    from .latent import blend_path

    model = _load(args)
    a, b = _clean([args.a, args.b])
    ends = model.encode([a, b])
    path = blend_path(ends[0], ends[1], args.steps, args.method)
    decoded = _decode(model, path, args, path=True)
    ts = np.linspace(0.0, 1.0, args.steps)
    if args.json:
        _emit_json({"steps": [{"t": round(float(t), 6), "text": d.text,
                               "fidelity": round(d.fidelity, 6)}
                              for t, d in zip(ts, decoded, strict=True)]})
    else:
        for t, d in zip(ts, decoded, strict=True):
            print(f"{t:.2f}  {_show(d.text)}  {_mark(d)}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Reconstruction and blend metrics on the eval files."""
    import dataclasses

    from .evaluate import evaluate
    from .fidelity import PATH_MIDDLE, VERIFIED_AT

    sentences = _existing_file(args.sentences or _eval_file("sentences"), "sentences file", True)
    pairs = _existing_file(args.pairs or _eval_file("pairs"), "pairs file", True)
    model = _load(args)
    budget = _budget(args)
    middle = budget if args.blend_middle == "decode" else PATH_MIDDLE
    result = evaluate(model, sentences, pairs, examples=args.examples, steps=args.steps,
                      budget=budget, middle=middle)
    result["decode"] = dataclasses.asdict(budget)
    result["blend"]["middle"] = dataclasses.asdict(middle)
    if args.json:
        _emit_json(result)
        return 0
    print(f"model {model.summary} on {sentences} ({result['n']} sentences)")
    print("decode: " + ", ".join(f"{k} {v}" for k, v in result["decode"].items()))
    print(f"{'':8}{'n':>5} {'exact':>7} {'bleu':>7} {'tok_acc':>8} {'fidelity':>9} "
          f"{'verified':>9} {'ms/sent':>8}")
    rows = [("all", result), *result["by_length"].items()]
    for name, m in rows:
        print(f"{name:8}{m['n']:>5} {m['exact_match']:>7.3f} {m['bleu']:>7.2f} "
              f"{m['token_accuracy']:>8.3f} {m['mean_fidelity']:>9.4f} {m['verified']:>9.3f} "
              f"{m['ms_per_sentence']:>8.1f}")
    print(f"blend on {pairs} (ends with this decode, points between: {args.blend_middle}):")
    for key, value in result["blend"].items():
        if key != "middle":
            print(f"  {key:14}{_fmt(value)}")
    for ex in result.get("examples", []):
        print(f"{_show(ex['input'])}\n  -> {_show(ex['output'])}  "
              f"{'✓' if ex['fidelity'] >= VERIFIED_AT else round(ex['fidelity'], 3)}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Latency, throughput and memory of the model."""
    from .bench import run_bench

    model = _load(args)
    result = run_bench(model, repeats=args.repeats)
    if args.json:
        _emit_json(result)
    else:
        print(f"model {model.summary}")
        for key, value in result.items():
            print(f"  {key:20}{_fmt(value)}")
    return 0


def cmd_corpus_build(args: argparse.Namespace) -> int:
    """Build the training corpus with `textlatent.corpus.build_corpus`."""
    from .corpus import build_corpus

    exclude = [_existing_file(p, "exclude file", True) for p in args.exclude] if args.exclude \
        else [_eval_file("sentences"), _eval_file("pairs")]
    stats = build_corpus(Path(args.out), Path(args.cache), exclude, seed=args.seed)
    if args.json:
        _emit_json(stats)
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
    from .tokenizer import Tokenizer, train_tokenizer

    corpus = _existing_file(args.corpus, "corpus file")
    if args.vocab_size < 16:
        raise CliError("--vocab-size must be at least 16")
    try:
        out = train_tokenizer(corpus, args.out, vocab_size=args.vocab_size, seed=args.seed)
    except RuntimeError as exc:  # SentencePiece reports bad settings as RuntimeError
        raise CliError(f"tokenizer training failed: {str(exc).split('] ')[-1]}") from exc
    size = Tokenizer(out).vocab_size
    if args.json:
        _emit_json({"tokenizer": str(out), "vocab_size": size})
    else:
        print(f"wrote {out} ({size} pieces)")
    return 0


SHAPE_OPTIONS = ("latent_dim", "enc_hidden", "dec_hidden", "emb_dim")
RECIPE_OPTIONS = ("lr", "batch_tokens", "max_batch", "warmup_steps", "word_drop", "dec_word_drop",
                  "latent_noise", "blend_cap")


def _train_configs(args: argparse.Namespace):
    from .backends.gru import ModelConfig
    from .tokenizer import Tokenizer
    from .train import TrainConfig

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
    vocab = Tokenizer(_existing_file(args.tokenizer, "tokenizer model")).vocab_size
    return cfg, ModelConfig(vocab_size=vocab, **shape)


def cmd_train(args: argparse.Namespace) -> int:
    """Train or fine-tune a model and write its folder."""
    corpus = _existing_file(args.corpus, "corpus file")
    if args.init:
        from .backends import backend_for, load_model

        if backend_for(args.init).name != "gru":
            raise CliError(f"--init takes a model folder of the builtin kind (config.json, "
                           f"model.safetensors, tokenizer.model), not {args.init}")
        load_model(args.init)  # fails early, with a clear message, on a bad folder
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise CliError("--device cuda was asked for but no CUDA device is available")
    cfg, model_cfg = _train_configs(args)
    exclude = [_existing_file(p, "exclude file", True) for p in args.exclude] if args.exclude \
        else [_eval_file("sentences"), _eval_file("pairs"), *_measurement_files()]
    from .train import train

    with contextlib.redirect_stdout(sys.stderr):
        result = train(corpus, Path(args.out),
                       tokenizer=Path(args.tokenizer) if args.tokenizer else None,
                       cfg=cfg, model_cfg=model_cfg, resume=args.resume,
                       init=Path(args.init) if args.init else None, exclude=exclude,
                       device=args.device, progress=not args.no_progress)
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun, the first process reports
        return 0
    if args.json:
        _emit_json({"out": str(args.out), **result})
    else:
        print(f"wrote model folder {args.out}")
        for key, value in result.items():
            print(f"  {key:14}{_fmt(value)}")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    """Start the terminal app (imported here, so the library never needs Textual)."""
    try:
        from tui.app import run_app
    except ImportError as exc:
        raise CliError(f"the terminal app is not available: {exc}") from exc
    if getattr(args, "bench", False):
        from tui.startup_bench import measure

        try:
            _emit_json(measure(getattr(args, "model", None), runs=args.runs,
                               trust_remote_code=getattr(args, "trust_remote_code", False),
                               allow_download=getattr(args, "allow_download", False)))
        except (RuntimeError, TimeoutError) as exc:
            raise CliError(f"the app benchmark failed: {exc}") from exc
        return 0
    code = run_app(getattr(args, "model", None),
                   trust_remote_code=getattr(args, "trust_remote_code", False),
                   allow_download=getattr(args, "allow_download", False))
    return code if isinstance(code, int) else 0


# -- the parser ----------------------------------------------------------------------------------
def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _float_range(low: float, high: float, message: str) -> Callable[[str], float]:
    """An argparse type: a number in [low, high] (NaN never is); `message` says the range."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


def _positive_float(text: str) -> float:
    value = _float_range(0.0, float("inf"), "must be a positive number")(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="DIR",
                   help="model folder or hf:OWNER/NAME[@REV] (default: the builtin model)")
    p.add_argument("--trust-remote-code", action="store_true",
                   help="let a transformers model run the code it ships (read it first)")
    p.add_argument("--allow-download", action="store_true",
                   help="let an hf: model be fetched from the Hugging Face Hub")


def _common(p: argparse.ArgumentParser, model: bool = True) -> None:
    if model:
        _model_options(p)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _decoding(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("decoding")
    g.add_argument("--beam", type=_int_range(1, 32), default=1, help="beam width (1 = greedy)")
    g.add_argument("--temperature", type=float, default=0.0,
                   help="sampling temperature (0 = deterministic)")
    g.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling mass")
    g.add_argument("--seed", type=int, default=None, help="seed for sampling")
    g.add_argument("--max-tokens", type=_int_range(1, 4096), default=None,
                   help="longest output in tokens (default: the model's limit)")
    _budget_options(g)


def _budget_options(g) -> None:
    """--decode, --rounds, --step, --candidates: how hard a decode works on texts that do not
    verify (read by `_budget`)."""
    g.add_argument("--decode", choices=["default", "greedy"], default="default",
                   help="default: greedy, then latent correction for texts whose re-encoding "
                        "is not their latent (fidelity < 1); greedy: one greedy decode")
    g.add_argument("--rounds", type=_int_range(0, 16), default=None, metavar="N",
                   help="latent-correction rounds for texts that do not verify")
    g.add_argument("--step", type=_positive_float, default=None, metavar="A",
                   help="how far a round moves the query along the error, in (0, 4]")
    g.add_argument("--candidates", type=_int_range(0, 32), default=None, metavar="N",
                   help="sampled candidates for texts that still do not verify")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Encode sentences to latent vectors, blend them, decode them. "
        "With no command, start the terminal app.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--model", metavar="DIR", help="model folder for the app (no command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("encode", help="texts -> latent vectors")
    p.add_argument("texts", nargs="+", metavar="TEXT")
    _common(p)
    p.set_defaults(handler=cmd_encode)

    p = sub.add_parser("decode", help="latent vectors (JSON from `encode --json`) -> texts")
    p.add_argument("file", nargs="?", metavar="FILE", help="JSON file, or - for standard input")
    _common(p)
    _decoding(p)
    p.set_defaults(handler=cmd_decode)

    p = sub.add_parser("reconstruct", help="encode then decode: what the model makes of texts")
    p.add_argument("texts", nargs="+", metavar="TEXT")
    _common(p)
    _decoding(p)
    p.set_defaults(handler=cmd_reconstruct)

    p = sub.add_parser("blend", help="decode the path between two sentences")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--steps", type=_int_range(2, 101), default=9)
    p.add_argument("--method", choices=["slerp", "lerp"], default="slerp")
    _common(p)
    _decoding(p)
    p.set_defaults(handler=cmd_blend)

    p = sub.add_parser("eval", help="reconstruction and blend metrics")
    p.add_argument("--sentences", metavar="FILE", help="one sentence per line")
    p.add_argument("--pairs", metavar="TSV", help="two tab-separated sentences per line")
    p.add_argument("--steps", type=_int_range(3, 101), default=9, help="points on a blend path")
    p.add_argument("--examples", type=_int_range(0, 10_000), default=0,
                   help="also show this many input/output pairs")
    g = p.add_argument_group("decoding")
    _budget_options(g)
    g.add_argument("--blend-middle", choices=["greedy", "decode"], default="greedy",
                   help="points between the ends of a blend: greedy (the default) or the "
                        "same decode as the ends")
    _common(p)
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("bench", help="latency, throughput and memory")
    p.add_argument("--repeats", type=_int_range(1, 10_000), default=30)
    _common(p)
    p.set_defaults(handler=cmd_bench)

    p = sub.add_parser("corpus", help="build the training corpus")
    corpus_sub = p.add_subparsers(dest="corpus_command", metavar="COMMAND", required=True)
    c = corpus_sub.add_parser("build", help="fetch sources, clean, dedupe and write a corpus")
    c.add_argument("--out", required=True, metavar="FILE")
    c.add_argument("--cache", default="data/cache", metavar="DIR",
                   help="download cache (default: data/cache)")
    c.add_argument("--exclude", nargs="+", metavar="FILE",
                   help="files whose sentences must not be in the corpus (default: eval files)")
    c.add_argument("--seed", type=int, default=0)
    _common(c, model=False)
    c.set_defaults(handler=cmd_corpus_build)

    p = sub.add_parser("train-tokenizer", help="train a SentencePiece tokenizer on a corpus")
    p.add_argument("--corpus", required=True, metavar="FILE")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--seed", type=int, default=0)
    _common(p, model=False)
    p.set_defaults(handler=cmd_train_tokenizer)

    _train_parser(sub)
    from .cli_transforms import add_commands

    add_commands(sub)

    p = sub.add_parser("tui", help="start the terminal app (the default)")
    _model_options(p)
    p.add_argument("--bench", action="store_true",
                   help="time start-up and slider latency headlessly, print JSON")
    p.add_argument("--runs", type=_int_range(1, 50), default=3, help="runs for --bench")
    p.set_defaults(handler=cmd_tui)
    return parser


def _train_parser(sub) -> None:
    p = sub.add_parser("train", help="train or fine-tune a model")
    p.add_argument("--corpus", required=True, metavar="FILE")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--tokenizer", metavar="FILE")
    p.add_argument("--init", metavar="DIR", help="fine-tune from this model folder")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=_positive_float, metavar="M")
    length.add_argument("--steps", type=_int_range(1, 10**9), metavar="N")
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
        shape.add_argument(f"--{name.replace('_', '-')}", type=_int_range(1, 65_536))
    recipe = p.add_argument_group("recipe")
    recipe.add_argument("--lr", type=_positive_float)
    recipe.add_argument("--batch-tokens", type=_int_range(1, 10**8))
    recipe.add_argument("--max-batch", type=_int_range(1, 10**6), help="sentences per batch")
    recipe.add_argument("--warmup-steps", type=_int_range(0, 10**7))
    recipe.add_argument("--word-drop", type=float)
    recipe.add_argument("--dec-word-drop", type=float,
                        help="share of the decoder's previous-word inputs hidden in training")
    recipe.add_argument("--latent-noise", type=float)
    recipe.add_argument("--blend-cap", type=float,
                        help="weight of the penalty on the decoder being over 60%% sure of a "
                             "sentence's words part-way to another sentence")
    _common(p, model=False)
    p.set_defaults(handler=cmd_train)


# -- entry point ---------------------------------------------------------------------------------
def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _report_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Truncation warnings become one stderr line; other warnings are shown as usual."""
    cut = [w for w in caught if w.category.__name__ == "TruncationWarning"]
    if len(cut) == 1:
        print(f"{PROG}: warning: {cut[0].message}", file=sys.stderr)
    elif cut:
        print(f"{PROG}: warning: texts longer than the model's token limit were cut "
              f"({len(cut)} times; first: {cut[0].message})", file=sys.stderr)
    for w in caught:
        if w not in cut:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _printable_streams() -> None:
    """On a terminal that is not UTF-8, show what it cannot print as escapes, not an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8":
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush stays quiet."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _printable_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    handler = getattr(args, "handler", cmd_tui)
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            return handler(args)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except (CliError, ValueError, TypeError, KeyError, OSError) as exc:
        return _error(_message(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("TEXTLATENT_DEBUG"):
            raise
        print(f"{PROG}: error: unexpected {type(exc).__name__}: {_message(exc)} "
              f"(set TEXTLATENT_DEBUG=1 for details)", file=sys.stderr)
        return 1
    finally:
        _report_warnings(caught)


if __name__ == "__main__":
    sys.exit(main())
