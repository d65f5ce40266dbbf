"""encode, decode, reconstruct and blend: text to latents and back."""

from __future__ import annotations

import argparse
import json
import sys

from .common import (
    PROG,
    CliError,
    add_params,
    clean,
    common_options,
    decode,
    decoding_options,
    emit_json,
    existing_file,
    load,
    mark,
    params_of,
    show,
    utf8,
)


def cmd_encode(args: argparse.Namespace) -> int:
    """Texts -> latents (`--json`: model, dim, texts, latents)."""
    model = load(args)
    texts = clean(args.texts)
    z = model.encode(texts)
    if args.json:
        emit_json({"model": model.name, "dim": model.dim, "texts": texts,
                   "latents": z.tolist()})
        return 0
    print(f"model {model.name}, {model.dim} dimensions (use --json for the full vectors)")
    for text, row in zip(texts, z, strict=True):
        head = " ".join(f"{v:+.3f}" for v in row[:6])
        print(f"{show(text)}\n  [{head} ...]")
    return 0


def read_latents(source: str | None) -> dict:
    """A latents file (`textlatent.latent_file`: encode --json, the app's files, a bare list)
    from a file or stdin."""
    if source in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise CliError("give a JSON file, or pipe in the output of `textlatent encode --json`")
        where = "standard input"
        stream = getattr(sys.stdin, "buffer", None)
        raw = utf8(stream.read(), where) if stream is not None else sys.stdin.read()
    else:
        path = existing_file(source, "latents file")
        where = str(path)
        raw = utf8(path.read_bytes(), where)
    if not raw.strip():
        raise CliError(f"no input in {where}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CliError(f"{where} is not valid JSON: {exc}") from exc
    except RecursionError:
        raise CliError(f"{where} is nested too deeply to be latents") from None
    from .. import latent_file

    try:  # every latents file: encode --json, the app's w / c / e, arithmetic --json
        return latent_file.parse(data, where)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def cmd_decode(args: argparse.Namespace) -> int:
    """Latents JSON from a file or stdin -> texts."""
    data = read_latents(args.file)
    model = load(args)
    made_by = data.get("model")
    if isinstance(made_by, str) and made_by != model.name:
        print(f"{PROG}: warning: latents come from model {made_by!r}, decoding with "
              f"{model.name!r}", file=sys.stderr)
    decoded = decode(model, data["latents"], args)
    if args.json:
        emit_json({"texts": [d.text for d in decoded],
                   "fidelity": [round(d.fidelity, 6) for d in decoded]})
    else:
        print("\n".join(f"{show(d.text)}  {mark(d)}" for d in decoded))
    return 0


def cmd_reconstruct(args: argparse.Namespace) -> int:
    """Encode then decode each text -> input/output pairs."""
    model = load(args)
    texts = clean(args.texts)
    decoded = decode(model, model.encode(texts), args)
    if args.json:
        emit_json({"pairs": [{"input": t, "output": d.text, "fidelity": round(d.fidelity, 6)}
                             for t, d in zip(texts, decoded, strict=True)]})
    else:
        for text, d in zip(texts, decoded, strict=True):
            print(f"{show(text)}\n  -> {show(d.text)}  {mark(d)}")
    return 0


def cmd_blend(args: argparse.Namespace) -> int:
    """Decode the blend path between two sentences -> (t, text) steps."""
    import numpy as np

    from ..transforms import get

    spec = get("blend")
    params = params_of(args, "blend")
    model = load(args)
    a, b = clean([args.a, args.b])
    ends = model.encode([a, b])
    path = spec.latents({"a": ends[0], "b": ends[1]}, params)
    decoded = decode(model, path, args, "ends")
    ts = np.linspace(0.0, 1.0, params["steps"])
    if args.json:
        emit_json({"steps": [{"t": round(float(t), 6), "text": d.text,
                              "fidelity": round(d.fidelity, 6)}
                             for t, d in zip(ts, decoded, strict=True)]})
    else:
        for t, d in zip(ts, decoded, strict=True):
            print(f"{t:.2f}  {show(d.text)}  {mark(d)}")
    return 0


def register(sub) -> None:
    """Add encode, decode, reconstruct and blend to the subparsers `sub`."""
    p = sub.add_parser("encode", help="texts -> latent vectors")
    p.add_argument("texts", nargs="+", metavar="TEXT")
    common_options(p)
    p.set_defaults(handler=cmd_encode)

    p = sub.add_parser("decode", help="latent vectors (JSON from `encode --json`) -> texts")
    p.add_argument("file", nargs="?", metavar="FILE", help="JSON file, or - for standard input")
    common_options(p)
    decoding_options(p)
    p.set_defaults(handler=cmd_decode)

    p = sub.add_parser("reconstruct", help="encode then decode: what the model makes of texts")
    p.add_argument("texts", nargs="+", metavar="TEXT")
    common_options(p)
    decoding_options(p)
    p.set_defaults(handler=cmd_reconstruct)

    p = sub.add_parser("blend", help="decode the path between two sentences")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    add_params(p, "blend")
    common_options(p)
    decoding_options(p)
    p.set_defaults(handler=cmd_blend)
