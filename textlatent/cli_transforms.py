"""The transform subcommands of `textlatent`: vary, sample, arithmetic, edit, direction,
index, neighbors and augment. `add_commands(sub)` registers them on cli.py's parser.

Every decoded text comes with its fidelity, cos(z, encode(text)), from
`fidelity.decode_verified` (the default budget; `--decode greedy` for speed).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from .cli import (
    CliError,
    _clean,
    _common,
    _emit_json,
    _existing_file,
    _float_range,
    _int_range,
    _load,
    _show,
)

TERM = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*(.*)$", re.S)


# -- helpers -------------------------------------------------------------------------------------
def model_dir(args: argparse.Namespace) -> Path:
    """The model's folder: --model, else the builtin one."""
    from .paths import builtin_model_path

    return Path(args.model) if args.model else builtin_model_path()


def _model_name(folder: Path) -> str:
    """The name in a model folder's config.json, without loading the model."""
    from .paths import CONFIG_FILE

    path = _existing_file(folder / CONFIG_FILE, "model config")
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("name", "model")
    except (ValueError, AttributeError) as exc:
        raise CliError(f"{path} is not a valid model config: {exc}") from None
    return str(name)


def _decode(model, z, args: argparse.Namespace):
    from .fidelity import DEFAULT, GREEDY, decode_verified

    return decode_verified(model, z, GREEDY if args.decode == "greedy" else DEFAULT)


_radius = _float_range(0.0, 3.141592653589793, "must be an angle between 0 and pi radians")
_strength = _float_range(-10.0, 10.0, "must be between -10 and 10")


def _seed(text: str) -> int:
    return _int_range(0, 2**32 - 1)(text)


def _decoding_choice(p: argparse.ArgumentParser) -> None:
    p.add_argument("--decode", choices=["verified", "greedy"], default="verified",
                   help="verified: greedy, then correct rows whose text does not map back to "
                        "their latent (default); greedy: fastest")


def parse_expression(tokens: list[str]) -> list[tuple[float, str]]:
    """`"A" - "B" + 0.5*"C"` (as argv tokens) -> [(1, A), (-1, B), (0.5, C)].

    Terms are texts, optionally `W*text`; `+` and `-` stand alone between them; a leading `-`
    negates the first term.
    """
    terms: list[tuple[float, str]] = []
    sign, expect_term = 1.0, True
    for tok in tokens:
        if tok in ("+", "-"):
            if expect_term and terms:
                raise ValueError(f"two operators in a row at {tok!r}")
            if expect_term and tok == "-":
                sign = -sign
            elif not expect_term:
                sign = 1.0 if tok == "+" else -1.0
            expect_term = True
            continue
        if not expect_term:
            raise ValueError(f"missing + or - before {tok!r}")
        weight, text = 1.0, tok
        m = TERM.match(tok)
        if m:
            weight, text = float(m.group(1)), m.group(2).strip()
        if not text.strip():
            raise ValueError(f"empty term in {tok!r}")
        terms.append((sign * weight, text))
        sign, expect_term = 1.0, False
    if not terms:
        raise ValueError("no terms: write e.g. \"A\" - \"B\" + \"C\"")
    if expect_term:
        raise ValueError("the expression ends with an operator")
    return terms


def format_expression(terms: list[tuple[float, str]]) -> str:
    parts = []
    for i, (w, text) in enumerate(terms):
        op = "-" if w < 0 else "+"
        mag = abs(w)
        term = f'"{text}"' if mag == 1 else f'{mag:g}*"{text}"'
        parts.append(term if i == 0 and op == "+" else f"{op} {term}" if i else f"-{term}")
    return " ".join(parts)


# -- handlers ------------------------------------------------------------------------------------
def cmd_vary(args: argparse.Namespace) -> int:
    """Variations at an angle around one sentence, decoded, de-duplicated, with cosines."""
    from . import transforms
    from .fidelity import fidelity

    (text,) = _clean([args.text])
    spec = transforms.get("vary")
    params = spec.check_params({"n": args.n, "radius": args.radius, "seed": args.seed})
    model = _load(args)
    z0 = model.encode([text])[0]
    z = spec.latents({"source": z0}, params)
    decoded = _decode(model, z, args)
    rows, seen = [], set()
    for d in decoded:
        if d.text in seen:
            continue
        seen.add(d.text)
        rows.append(d)
    cos = fidelity(model, [z0] * len(rows), [d.text for d in rows])
    variations = [{"text": d.text, "cos": round(float(c), 6), "fidelity": round(d.fidelity, 6)}
                  for d, c in zip(rows, cos)]
    variations.sort(key=lambda v: -v["cos"])
    if args.json:
        _emit_json({"source": text, "radius": params["radius"], "variations": variations})
    else:
        print(f"{len(variations)} distinct of {params['n']} at {params['radius']:g} rad "
              f"around: {_show(text)}")
        for v in variations:
            print(f"  cos {v['cos']:.3f}  fid {v['fidelity']:.3f}  {_show(v['text'])}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    """New sentences from the model's latent prior."""
    from . import prior as prior_mod
    from . import transforms

    spec = transforms.get("sample")
    params = spec.check_params({"n": args.n, "seed": args.seed, "method": args.method,
                                "radius": args.radius, "temperature": args.temperature})
    model = _load(args)
    prior = prior_mod.load(model_dir(args))
    if prior.dim != model.dim:
        raise CliError(f"the latent prior has {prior.dim} dimensions, the model {model.dim}")
    z = spec.latents({"prior": prior}, params)
    samples = [d.to_dict() for d in _decode(model, z, args)]
    if args.json:
        _emit_json({"samples": samples})
    else:
        for s in samples:
            print(f"fid {s['fidelity']:.3f}  {_show(s['text'])}")
    return 0


def cmd_arithmetic(args: argparse.Namespace) -> int:
    """z = w1*A + w2*B + ..., renormalised and decoded."""
    from . import transforms

    terms = parse_expression(_clean(args.terms))
    spec = transforms.get("arithmetic")
    params = spec.check_params({"weights": [w for w, _ in terms]})
    model = _load(args)
    z = spec.latents({"terms": model.encode([t for _, t in terms])}, params)
    (d,) = _decode(model, z, args)
    expression = format_expression(terms)
    if args.json:
        _emit_json({"expression": expression, "text": d.text, "latent": z[0].tolist(),
                    "fidelity": round(d.fidelity, 6)})
    else:
        print(f"{_show(expression)}\n  = {_show(d.text)}  (fid {d.fidelity:.3f})")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Move a sentence along a named direction and decode it."""
    from . import directions, transforms

    (text,) = _clean([args.text])
    model = _load(args)
    direction = directions.find(args.direction, model_dir(args), model.name)
    spec = transforms.get("edit")
    params = spec.check_params({"strength": args.strength})
    strength = direction.default_strength if params["strength"] is None else params["strength"]
    z = spec.latents({"source": model.encode([text])[0], "direction": direction}, params)
    (d,) = _decode(model, z, args)
    if args.json:
        _emit_json({"source": text, "direction": direction.name, "strength": strength,
                    "text": d.text, "fidelity": round(d.fidelity, 6)})
    else:
        print(f"{_show(text)}\n  {direction.name} x{strength:g} -> {_show(d.text)}  "
              f"(fid {d.fidelity:.3f})")
    return 0


def _read_lines(path: Path, what: str) -> list[str]:
    from .evaluate import read_sentences

    _existing_file(path, what, text=True)
    return read_sentences(path)


def cmd_direction_build(args: argparse.Namespace) -> int:
    """Mean latent difference between two sentence files, saved as a named direction."""
    from . import directions

    directions.check_name(args.out)
    pos = _read_lines(Path(args.pos), "positive sentences file")
    neg = _read_lines(Path(args.neg), "negative sentences file")
    model = _load(args)
    from .index import encode_all

    d = directions.build(args.out, encode_all(model, pos), encode_all(model, neg),
                         args.description, args.strength, model.name)
    folder = Path(args.dest) if args.dest else directions.user_folder(model.name)
    path = directions.save(d, folder)
    if args.json:
        _emit_json({"name": d.name, "path": str(path), "n_pos": d.n_pos, "n_neg": d.n_neg})
    else:
        print(f"wrote direction {d.name!r} ({d.n_pos} positive, {d.n_neg} negative) to {path}")
    return 0


def cmd_direction_list(args: argparse.Namespace) -> int:
    """Directions available for the model: shipped ones and the user's."""
    from . import directions

    folder = model_dir(args)
    found = directions.available(folder, _model_name(folder))
    if args.json:
        _emit_json({"directions": [{"name": d.name, "description": d.description}
                                   for d in found.values()]})
    else:
        if not found:
            print("no directions for this model")
        for d in found.values():
            print(f"{d.name:16} x{d.default_strength:<5g} {d.source:6} {d.description}")
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    """Encode sentences from a file; write index.npz (and latent_prior.npz) to a folder."""
    from . import index as index_mod
    from . import prior as prior_mod

    src = _existing_file(args.sentences, "sentences file", text=True)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out must be a folder: {out}")
    texts = index_mod.sample_lines(src, args.limit, args.seed)
    model = _load(args)
    latents = index_mod.encode_all(model, texts, progress=not args.json)
    idx = index_mod.build(texts, latents, args.dims, model.name)
    out.mkdir(parents=True, exist_ok=True)
    written = {"index": str(index_mod.save(idx, out)), "sentences": len(texts),
               "dims": idx.latents.shape[1]}
    if not args.no_prior:
        written["prior"] = str(prior_mod.save(prior_mod.fit(latents, model=model.name), out))
    if args.json:
        _emit_json(written)
    else:
        print(f"indexed {len(texts)} sentences ({written['dims']} dims) in {written['index']}")
        if "prior" in written:
            print(f"wrote the latent prior {written['prior']}")
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    """The k real sentences whose latents are nearest to a text's."""
    from . import index as index_mod

    (text,) = _clean([args.text])
    if args.index:
        _existing_file(args.index, "index file")
    model = _load(args)
    idx = index_mod.load(Path(args.index) if args.index else model_dir(args))
    if idx.model and idx.model != model.name:
        raise CliError(f"the index was built with model {idx.model!r}, not {model.name!r}")
    if not 1 <= args.k <= len(idx):
        raise CliError(f"-k must be between 1 and {len(idx)} (the index size)")
    (found,) = idx.search(model.encode([text]), args.k, model=model)
    if args.json:
        _emit_json({"query": text, "neighbors": [n.to_dict() for n in found]})
    else:
        for n in found:
            print(f"  cos {n.cos:.3f}  {_show(n.text)}")
    return 0


def cmd_augment(args: argparse.Namespace) -> int:
    """K variations of every line of a file, streamed to JSON lines; resumable."""
    from .augment import augment, parse_shard
    from .device import resolve_device

    shard = parse_shard(args.shard) if args.shard else None
    device = resolve_device(args.device)
    stats = augment(Path(args.input), Path(args.output), args.n, radius=args.radius,
                    seed=args.seed, greedy=args.decode == "greedy", batch=args.batch,
                    load=lambda: _load(args, device), progress=not args.no_progress,
                    shard=shard)
    if args.json:
        _emit_json(stats)
    else:
        print(f"{stats['lines_done']} lines ({stats['rows_written']} rows written this run, "
              f"{stats['lines_skipped']} lines already done) -> {args.output}")
    return 0


# -- the parsers ---------------------------------------------------------------------------------
def add_commands(sub) -> None:
    """Register the transform subcommands on cli.py's subparsers."""
    from .prior import NEAR_RADIUS
    from .transforms import VARY_RADIUS

    p = sub.add_parser("vary", help="variations at an angle around a sentence")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("-n", type=_int_range(1, 256), default=8, help="variations (default 8)")
    p.add_argument("--radius", type=_radius, default=VARY_RADIUS,
                   help=f"angle from the sentence in radians (default {VARY_RADIUS})")
    p.add_argument("--seed", type=_seed, default=0)
    _decoding_choice(p)
    _common(p)
    p.set_defaults(handler=cmd_vary)

    p = sub.add_parser("sample", help="new sentences from the model's latent prior")
    p.add_argument("-n", type=_int_range(1, 256), default=8, help="samples (default 8)")
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--method", choices=["near", "gaussian"], default="near",
                   help="near: a real corpus latent plus a random step (default); gaussian: "
                        "the fitted full-covariance Gaussian")
    p.add_argument("--radius", type=_radius, default=None,
                   help=f"near: the step in radians (default: the prior's, {NEAR_RADIUS})")
    p.add_argument("--temperature", type=float, default=1.0,
                   help="gaussian: scale of the deviations (0-2, default 1)")
    _decoding_choice(p)
    _common(p)
    p.set_defaults(handler=cmd_sample)

    p = sub.add_parser("arithmetic", help='latent arithmetic: "A" - "B" + "C"',
                       description='Decode w1*A + w2*B + ... renormalised. Write terms and '
                       'operators as separate arguments: "A" - "B" + "C"; a weight goes '
                       'before a term as 0.5*"text". Put -- before the expression if its '
                       'first text starts with "-".')
    p.add_argument("terms", nargs="+", metavar="TERM")
    _decoding_choice(p)
    _common(p)
    p.set_defaults(handler=cmd_arithmetic)

    p = sub.add_parser("edit", help="move a sentence along a named direction")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--direction", required=True, metavar="NAME")
    p.add_argument("--strength", type=_strength, default=None,
                   help="multiple of the direction (default: its measured default)")
    _decoding_choice(p)
    _common(p)
    p.set_defaults(handler=cmd_edit)

    p = sub.add_parser("direction", help="build and list attribute directions")
    dsub = p.add_subparsers(dest="direction_command", metavar="COMMAND", required=True)
    d = dsub.add_parser("build", help="mean latent difference of two sentence files")
    d.add_argument("--pos", required=True, metavar="FILE", help="sentences with the attribute")
    d.add_argument("--neg", required=True, metavar="FILE", help="sentences without it")
    d.add_argument("--out", required=True, metavar="NAME", help="the direction's name")
    d.add_argument("--description", default="", help="one line shown by `direction list`")
    d.add_argument("--strength", type=_strength, default=1.0,
                   help="default strength saved with it (default 1)")
    d.add_argument("--dest", metavar="DIR",
                   help="folder to save in (default: the user data folder)")
    _common(d)
    d.set_defaults(handler=cmd_direction_build)
    d = dsub.add_parser("list", help="the directions available for the model")
    _common(d)
    d.set_defaults(handler=cmd_direction_list)

    p = sub.add_parser("index", help="build a nearest-sentence index (and latent prior)")
    isub = p.add_subparsers(dest="index_command", metavar="COMMAND", required=True)
    i = isub.add_parser("build", help="encode sentences from a file into index.npz")
    i.add_argument("--sentences", required=True, metavar="FILE", help="one sentence a line")
    i.add_argument("--out", required=True, metavar="DIR",
                   help="folder for index.npz and latent_prior.npz (e.g. the model folder)")
    i.add_argument("--limit", type=_int_range(1, 10**8), default=30000,
                   help="sentences drawn at random (default 30000)")
    i.add_argument("--dims", type=_int_range(1, 65536), default=None,
                   help="project latents on this many principal directions (default: keep all)")
    i.add_argument("--seed", type=_seed, default=0)
    i.add_argument("--no-prior", action="store_true", help="do not fit latent_prior.npz")
    _common(i)
    i.set_defaults(handler=cmd_index_build)

    p = sub.add_parser("neighbors", help="nearest real sentences of a text")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("-k", type=_int_range(1, 1000), default=5)
    p.add_argument("--index", metavar="FILE", help="index file (default: the model's)")
    _common(p)
    p.set_defaults(handler=cmd_neighbors)

    p = sub.add_parser("augment", help="K variations of every line of a file, as JSON lines")
    p.add_argument("input", metavar="INPUT.txt")
    p.add_argument("-n", type=_int_range(1, 256), required=True, help="variations per line")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    p.add_argument("--radius", type=_radius, default=VARY_RADIUS)
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--batch", type=_int_range(1, 4096), default=64, help="lines per batch")
    p.add_argument("--shard", metavar="K/N",
                   help="do only the K-th of N contiguous slices of the input; the N outputs "
                        "concatenated in order equal the one-process output")
    p.add_argument("--device", default="cpu",
                   help="cpu (default), cuda, cuda:N, or auto (cuda when present)")
    p.add_argument("--no-progress", action="store_true")
    _decoding_choice(p)
    _common(p)
    p.set_defaults(handler=cmd_augment)

