"""vary, sample, arithmetic, edit and augment: new sentences from moved latents.

Every decoded text comes with its fidelity, cos(z, encode(text)); `--decode` takes the decode
request's choices (`decode_spec`), verified by default, greedy for speed.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from .common import (
    CliError,
    add_params,
    clean,
    common_options,
    decode_choice,
    decoding_choice,
    emit_json,
    int_range,
    load,
    model_dir,
    params_of,
    show,
)

TERM = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*(.*)$", re.S)


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
    """[(1, A), (-1, B), (0.5, C)] -> `"A" - "B" + 0.5*"C"`."""
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
    from .. import transforms
    from ..fidelity import fidelity

    (text,) = clean([args.text])
    spec = transforms.get("vary")
    params = params_of(args, "vary")
    model = load(args)
    z0 = model.encode([text])[0]
    z = spec.latents({"source": z0}, params)
    decoded = decode_choice(model, z, args, args.seed)
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
        emit_json({"source": text, "radius": params["radius"], "variations": variations})
    else:
        print(f"{len(variations)} distinct of {params['n']} at {params['radius']:g} rad "
              f"around: {show(text)}")
        for v in variations:
            print(f"  cos {v['cos']:.3f}  fid {v['fidelity']:.3f}  {show(v['text'])}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    """New sentences from the model's latent prior."""
    from .. import prior as prior_mod
    from .. import transforms

    spec = transforms.get("sample")
    params = params_of(args, "sample")
    model = load(args)
    prior = prior_mod.load(model_dir(args))
    if prior.dim != model.dim:
        raise CliError(f"the latent prior has {prior.dim} dimensions, the model {model.dim}")
    z = spec.latents({"prior": prior}, params)
    samples = [d.to_dict() for d in decode_choice(model, z, args, args.seed)]
    if args.json:
        emit_json({"samples": samples})
    else:
        for s in samples:
            print(f"fid {s['fidelity']:.3f}  {show(s['text'])}")
    return 0


def cmd_arithmetic(args: argparse.Namespace) -> int:
    """z = w1*A + w2*B + ..., renormalised and decoded."""
    from .. import transforms

    terms = parse_expression(clean(args.terms))
    spec = transforms.get("arithmetic")
    params = params_of(args, "arithmetic", weights=[w for w, _ in terms])
    model = load(args)
    z = spec.latents({"terms": model.encode([t for _, t in terms])}, params)
    (d,) = decode_choice(model, z, args)
    expression = format_expression(terms)
    if args.json:
        emit_json({"expression": expression, "text": d.text, "latent": z[0].tolist(),
                   "fidelity": round(d.fidelity, 6)})
    else:
        print(f"{show(expression)}\n  = {show(d.text)}  (fid {d.fidelity:.3f})")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Move a sentence along a named direction and decode it."""
    from .. import directions, transforms

    (text,) = clean([args.text])
    model = load(args)
    direction = directions.find(args.direction, model_dir(args), model.name)
    spec = transforms.get("edit")
    params = params_of(args, "edit")
    used = direction.default_strength if params["strength"] is None else params["strength"]
    z = spec.latents({"source": model.encode([text])[0], "direction": direction}, params)
    (d,) = decode_choice(model, z, args)
    if args.json:
        emit_json({"source": text, "direction": direction.name, "strength": used,
                   "text": d.text, "fidelity": round(d.fidelity, 6)})
    else:
        print(f"{show(text)}\n  {direction.name} x{used:g} -> {show(d.text)}  "
              f"(fid {d.fidelity:.3f})")
    return 0


def cmd_augment(args: argparse.Namespace) -> int:
    """K variations of every line of a file, streamed to JSON lines; resumable."""
    from ..augment import augment
    from ..decode_spec import DecodeSpec

    spec = DecodeSpec(how=args.decode, seed=args.seed if args.decode == "sampled" else None)
    stats = augment(Path(args.input), Path(args.output), args.n, radius=args.radius,
                    seed=args.seed, spec=spec, batch=args.batch,
                    load=lambda: load(args), progress=not args.no_progress)
    if args.json:
        emit_json(stats)
    else:
        print(f"{stats['lines_done']} lines ({stats['rows_written']} rows written this run, "
              f"{stats['lines_skipped']} lines already done) -> {args.output}")
    return 0


# -- the parsers ---------------------------------------------------------------------------------
def register(sub) -> None:
    """Add vary, sample, arithmetic, edit and augment to the subparsers `sub`."""
    p = sub.add_parser("vary", help="variations at an angle around a sentence")
    p.add_argument("text", metavar="TEXT")
    add_params(p, "vary")
    decoding_choice(p)
    common_options(p)
    p.set_defaults(handler=cmd_vary)

    p = sub.add_parser("sample", help="new sentences from the model's latent prior")
    add_params(p, "sample")
    decoding_choice(p)
    common_options(p)
    p.set_defaults(handler=cmd_sample)

    p = sub.add_parser("arithmetic", help='latent arithmetic: "A" - "B" + "C"',
                       description='Decode w1*A + w2*B + ... renormalised. Write terms and '
                       'operators as separate arguments: "A" - "B" + "C"; a weight goes '
                       'before a term as 0.5*"text". Put -- before the expression if its '
                       'first text starts with "-".')
    p.add_argument("terms", nargs="+", metavar="TERM")
    add_params(p, "arithmetic")
    decoding_choice(p)
    common_options(p)
    p.set_defaults(handler=cmd_arithmetic)

    p = sub.add_parser("edit", help="move a sentence along a named direction")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--direction", required=True, metavar="NAME")
    add_params(p, "edit")
    decoding_choice(p)
    common_options(p)
    p.set_defaults(handler=cmd_edit)

    p = sub.add_parser("augment", help="K variations of every line of a file, as JSON lines")
    p.add_argument("input", metavar="INPUT.txt")
    from ..transforms import get

    get("vary").param("n").add_argument(p, "-n", required=True, default=None,
                                        help="variations per line")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    for name in ("radius", "seed"):
        get("vary").param(name).add_argument(p)
    p.add_argument("--batch", type=int_range(1, 4096), default=64, help="lines per batch")
    p.add_argument("--no-progress", action="store_true")
    decoding_choice(p)
    common_options(p)
    p.set_defaults(handler=cmd_augment)
