"""What every `textlatent` command shares: the error type, JSON output, printable text, file
checks, number-range argparse types, the model options and the decoding options.

Nothing here imports torch at module level, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path

PROG = "textlatent"
EVAL_FILES = {"sentences": ("sentences.txt", "eval_sentences.txt"),
              "pairs": ("pairs.tsv", "eval_pairs.tsv")}
MEASUREMENT_FILES = ("heldout_sentences.txt", "heldout_pairs.tsv", "parallel_pairs.tsv")


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


# -- output --------------------------------------------------------------------------------------
def emit_json(obj: object) -> None:
    """Print `obj` as one JSON line (non-ASCII kept where stdout is UTF-8)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    print(json.dumps(obj, ensure_ascii=encoding != "utf8"))


def clean(texts: list[str]) -> list[str]:
    """Undecodable command-line bytes (lone surrogates) -> U+FFFD, so they can be printed."""
    from ..tokenizer import replace_surrogates

    return [replace_surrogates(t) for t in texts]


def show(text: str) -> str:
    """One printable line: control characters and line breaks are shown as escapes."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text)


def mark(decoded) -> str:
    """✓ for a verified decode, else its fidelity."""
    return "✓" if decoded.verified else f"(fidelity {decoded.fidelity:.3f})"


def fmt(value: object) -> str:
    """A float with four decimals, anything else as str()."""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


# -- files ---------------------------------------------------------------------------------------
def utf8(raw: bytes, where: str) -> str:
    """`raw` as UTF-8 text, or a CliError naming `where` and the bad byte's offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{where} is not UTF-8 text (bad byte at offset {exc.start})") from None


def existing_file(path: str | Path, what: str, text: bool = False) -> Path:
    """`path` if it is a readable file; with `text`, also check that it is UTF-8."""
    path = Path(path)
    if not path.exists():
        raise CliError(f"{what} not found: {path}")
    if not path.is_file():
        raise CliError(f"{what} is not a file: {path}")
    if text:
        utf8(path.read_bytes(), f"{what} {path}")
    return path


def read_lines(path: Path, what: str) -> list[str]:
    """The sentences of a UTF-8 text file, one a line."""
    from ..evaluate import read_sentences

    existing_file(path, what, text=True)
    return read_sentences(path)


def eval_file(kind: str) -> Path:
    """The shared eval file (../shared/eval from here or from the repo), else the shipped copy."""
    shared_name, packaged_name = EVAL_FILES[kind]
    repo = Path(__file__).resolve().parent.parent.parent
    for base in (Path.cwd(), repo):
        candidate = base.parent / "shared" / "eval" / shared_name
        if candidate.is_file():
            return candidate
    return Path(str(resources.files("textlatent.data").joinpath(packaged_name)))


def measurement_files() -> list[Path]:
    """The shipped held-out and parallel-pair files the model card measures with."""
    data = resources.files("textlatent.data")
    return [Path(str(data.joinpath(name))) for name in MEASUREMENT_FILES]


# -- the model -----------------------------------------------------------------------------------
def load(args: argparse.Namespace):
    """Load the model named by --model (None = builtin) and report truncation as it happens."""
    from ..backends import TruncationWarning, load_model

    warnings.simplefilter("always", TruncationWarning)
    return load_model(args.model, trust_remote_code=args.trust_remote_code,
                      allow_download=args.allow_download)


def model_dir(args: argparse.Namespace) -> Path:
    """The model's folder: --model, else the builtin one."""
    from ..paths import builtin_model_path

    return Path(args.model) if args.model else builtin_model_path()


def model_name(folder: Path) -> str:
    """The name in a model folder's config.json, without loading the model."""
    from ..paths import CONFIG_FILE

    path = existing_file(folder / CONFIG_FILE, "model config")
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("name", "model")
    except (ValueError, AttributeError) as exc:
        raise CliError(f"{path} is not a valid model config: {exc}") from None
    return str(name)


# -- argparse types and options ------------------------------------------------------------------
def int_range(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def float_range(low: float, high: float, message: str) -> Callable[[str], float]:
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


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    value = float_range(0.0, float("inf"), "must be a positive number")(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


radius = float_range(0.0, 3.141592653589793, "must be an angle between 0 and pi radians")
strength = float_range(-10.0, 10.0, "must be between -10 and 10")


def seed(text: str) -> int:
    """An argparse type: a seed in [0, 2**32 - 1]."""
    return int_range(0, 2**32 - 1)(text)


def model_options(p: argparse.ArgumentParser) -> None:
    """--model, --trust-remote-code, --allow-download."""
    p.add_argument("--model", metavar="DIR",
                   help="model folder or hf:OWNER/NAME[@REV] (default: the builtin model)")
    p.add_argument("--trust-remote-code", action="store_true",
                   help="let a transformers model run the code it ships (read it first)")
    p.add_argument("--allow-download", action="store_true",
                   help="let an hf: model be fetched from the Hugging Face Hub")


def common_options(p: argparse.ArgumentParser, model: bool = True) -> None:
    """The model options (unless `model` is False) and --json."""
    if model:
        model_options(p)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


# -- decoding ------------------------------------------------------------------------------------
def decoding_options(p: argparse.ArgumentParser) -> None:
    """--beam, --temperature, --top-p, --seed, --max-tokens and the budget options."""
    g = p.add_argument_group("decoding")
    g.add_argument("--beam", type=int_range(1, 32), default=1, help="beam width (1 = greedy)")
    g.add_argument("--temperature", type=float, default=0.0,
                   help="sampling temperature (0 = deterministic)")
    g.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling mass")
    g.add_argument("--seed", type=int, default=None, help="seed for sampling")
    g.add_argument("--max-tokens", type=int_range(1, 4096), default=None,
                   help="longest output in tokens (default: the model's limit)")
    budget_options(g)


def budget_options(g) -> None:
    """--decode, --rounds, --step, --candidates: how hard a decode works on texts that do not
    verify (read by `budget`)."""
    g.add_argument("--decode", choices=["default", "greedy"], default="default",
                   help="default: greedy, then latent correction for texts whose re-encoding "
                        "is not their latent (fidelity < 1); greedy: one greedy decode")
    g.add_argument("--rounds", type=int_range(0, 16), default=None, metavar="N",
                   help="latent-correction rounds for texts that do not verify")
    g.add_argument("--step", type=positive_float, default=None, metavar="A",
                   help="how far a round moves the query along the error, in (0, 4]")
    g.add_argument("--candidates", type=int_range(0, 32), default=None, metavar="N",
                   help="sampled candidates for texts that still do not verify")


def decoding_choice(p: argparse.ArgumentParser) -> None:
    """--decode for the transform commands: verified (default) or greedy."""
    p.add_argument("--decode", choices=["verified", "greedy"], default="verified",
                   help="verified: greedy, then correct rows whose text does not map back to "
                        "their latent (default); greedy: fastest")


def budget(args: argparse.Namespace):
    """The decode budget asked for by --decode, --rounds, --step and --candidates."""
    import dataclasses

    from ..fidelity import DEFAULT, GREEDY

    chosen = GREEDY if args.decode == "greedy" else DEFAULT
    if args.rounds is not None:
        chosen = dataclasses.replace(chosen, rounds=args.rounds)
    if args.step is not None:
        chosen = dataclasses.replace(chosen, step=args.step)
    if args.candidates is not None:
        chosen = dataclasses.replace(chosen, samples=args.candidates)
    if getattr(args, "seed", None) is not None:
        chosen = dataclasses.replace(chosen, seed=args.seed)
    return chosen


def decode(model, latents, args: argparse.Namespace, path: bool = False) -> list:
    """Decode as the options ask, each text with its fidelity (`fidelity.Decoded`).

    --beam, --temperature or --top-p ask for that one decode, scored; otherwise the --decode
    budget (for a blend `path`, its ends get the budget and the points between `PATH_MIDDLE`).
    """
    from ..fidelity import PATH_MIDDLE, decode_path, decode_scored, decode_verified

    if args.beam != 1 or args.temperature != 0 or args.top_p != 1:
        return decode_scored(model, latents, beam=args.beam, temperature=args.temperature,
                             top_p=args.top_p, seed=args.seed, max_tokens=args.max_tokens)
    if path:
        return decode_path(model, latents, budget(args), PATH_MIDDLE, args.max_tokens)
    return decode_verified(model, latents, budget(args), args.max_tokens)


def decode_choice(model, z, args: argparse.Namespace):
    """Decode for a transform command: the default budget, or greedy with `--decode greedy`."""
    from ..fidelity import DEFAULT, GREEDY, decode_verified

    return decode_verified(model, z, GREEDY if args.decode == "greedy" else DEFAULT)
