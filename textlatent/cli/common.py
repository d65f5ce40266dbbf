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
EVAL_FILES = {"sentences": "eval_sentences.txt", "pairs": "eval_pairs.tsv"}
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
    """The eval file shipped in the package (`textlatent/data`), whatever the directory."""
    return Path(str(resources.files("textlatent.data").joinpath(EVAL_FILES[kind])))


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


# -- transform parameters ------------------------------------------------------------------------
SHORT_FLAGS = {"n": "-n"}
NOT_FLAGS = {"arithmetic": ("weights",), "edit": ("steps",)}
"""Registry parameters a command takes another way (arithmetic's weights are in its
expression) or does not offer (the command-line edit prints one row)."""


def add_params(p: argparse.ArgumentParser, mode: str) -> None:
    """Every parameter of registry transform `mode` as a flag (`--name`; `-n`): its range,
    default, choices and help come from its `Param`."""
    from .. import transforms

    for param in transforms.get(mode).params:
        if param.name not in NOT_FLAGS.get(mode, ()):
            param.add_argument(p, *([SHORT_FLAGS[param.name]] if param.name in SHORT_FLAGS
                                    else []))


def params_of(args: argparse.Namespace, mode: str, **given) -> dict:
    """The checked parameters of transform `mode` from its flags (and `given` ones)."""
    from .. import transforms

    spec = transforms.get(mode)
    flags = {p.name: getattr(args, p.name) for p in spec.params if hasattr(args, p.name)}
    return spec.check_params({**flags, **given})


# -- decoding ------------------------------------------------------------------------------------
OFF = {"beam": 1, "temperature": 0}
"""The older spelling's values for "not this decode" (--beam 1, --temperature 0), still taken."""
def decode_flag(g, default: str | None, help_text: str = "") -> None:
    """--decode HOW: the decode request's choices (and the older spelling `default`)."""
    from ..decode_spec import ALIASES, HOWS, PARAMS, canonical

    older = ", ".join(f"`{old}` is an older spelling of {new}" for old, new in ALIASES.items())
    PARAMS["how"].add_argument(
        g, "--decode", type=canonical, default=default, metavar="HOW",
        help=f"how to decode: {', '.join(HOWS)}, as in the app ({older}); {help_text}")


def _setting_flag(g, name: str) -> None:
    """A decode setting's flag: unset (None) unless given, so the request's default applies."""
    import dataclasses

    from ..decode_spec import PARAMS, DecodeSpec

    param = PARAMS[name]
    default = {f.name: f.default for f in dataclasses.fields(DecodeSpec)}[name]
    help_text = param.help if default is None else f"{param.help} (default {default:g}"
    parse = param.parse_text
    if name in OFF:
        help_text += f"; {OFF[name]}: off"

        def parse(text: str, param=param, off=OFF[name]):
            try:
                if float(text) == off:
                    return param.kind(off)
            except ValueError:
                pass
            return param.parse_text(text)

    if default is not None:
        help_text += ")"
    param.add_argument(g, type=parse, default=None, help=help_text)


def decoding_options(p: argparse.ArgumentParser) -> None:
    """--decode and every decode setting, each checked by its `decode_spec.PARAMS` entry."""
    from ..decode_spec import PARAMS, TUNING

    g = p.add_argument_group("decoding")
    decode_flag(g, None, "default auto; --beam N or --temperature T alone still ask for beam "
                          "or sampled with top-p 1 and a fresh seed")
    for name in PARAMS:
        if name != "how" and name not in TUNING:
            _setting_flag(g, name)
    budget_options(g)


def budget_options(g) -> None:
    """--rounds, --step, --candidates: how hard a decode works on texts that do not verify."""
    from ..decode_spec import PARAMS, TUNING

    for name in TUNING:
        PARAMS[name].add_argument(g)


def decode_spec(args: argparse.Namespace, default: str = "auto", **fixed):
    """The decode request the options ask for (`decode_spec.DecodeSpec`); `fixed` settings
    (a transform command's seed) fill in what the options leave unset."""
    from ..decode_spec import PARAMS, USED_BY, DecodeSpec

    given = {name: getattr(args, name) for name in PARAMS
             if name != "how" and getattr(args, name, None) is not None}
    how = getattr(args, "decode", None)
    if how is None:
        how = default
        if given.get("temperature", 0) != 0:  # the older spelling: that one decode, scored
            how = "sampled"
            given.setdefault("top_p", 1.0)
        elif given.get("beam", 1) != 1:
            how = "beam"
        elif given.get("top_p", 1) != 1:
            how = "greedy"
            del given["top_p"]
    if given.get("beam") == 1 and how != "beam":  # 1 and 0 say "not this decode"
        del given["beam"]
    if given.get("temperature") == 0 and how != "sampled":
        del given["temperature"]
    only_some = {name for used in USED_BY.values() for name in used} - {"seed"}
    for name in sorted(only_some):
        if name in given and name not in USED_BY[how]:
            users = " or ".join(h for h, used in USED_BY.items() if name in used)
            raise CliError(f"--{name.replace('_', '-')} is for --decode {users}, not {how}")
    return DecodeSpec(how=how, **{**fixed, **given})


def decode(model, latents, args: argparse.Namespace, sentence_rows: str = "all") -> list:
    """Decode as the options ask, each text with its fidelity (`fidelity.Decoded`)."""
    from ..decode_spec import decode as run

    return run(model, latents, decode_spec(args), sentence_rows)


def decoding_choice(p: argparse.ArgumentParser) -> None:
    """--decode for the transform commands (default verified)."""
    from ..decode_spec import DecodeSpec

    d = DecodeSpec()
    g = p.add_argument_group("decoding")
    decode_flag(g, "verified", f"beam and sampled use beam {d.beam}, "
                               f"T={d.temperature:g}, top-p {d.top_p:g} and the command's seed")


def decode_choice(model, z, args: argparse.Namespace, seed: int | None = None):
    """Decode a transform's new points as --decode asks (no row is a sentence's encoding)."""
    from ..decode_spec import DecodeSpec
    from ..decode_spec import decode as run

    spec = DecodeSpec(how=args.decode, seed=seed if args.decode == "sampled" else None)
    return run(model, z, spec, "none")
