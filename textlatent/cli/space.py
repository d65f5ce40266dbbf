"""direction, index and neighbors: named directions and real sentences in the latent space."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import (
    CliError,
    clean,
    common_options,
    emit_json,
    existing_file,
    int_range,
    load,
    model_dir,
    model_name,
    read_lines,
    seed,
    show,
    strength,
)


def cmd_direction_build(args: argparse.Namespace) -> int:
    """Mean latent difference between two sentence files, saved as a named direction."""
    from .. import directions
    from ..index import encode_all

    directions.check_name(args.out)
    pos = read_lines(Path(args.pos), "positive sentences file")
    neg = read_lines(Path(args.neg), "negative sentences file")
    model = load(args)
    d = directions.build(args.out, encode_all(model, pos), encode_all(model, neg),
                         args.description, args.strength, model.name)
    folder = Path(args.dest) if args.dest else directions.user_folder(model.name)
    path = directions.save(d, folder)
    if args.json:
        emit_json({"name": d.name, "path": str(path), "n_pos": d.n_pos, "n_neg": d.n_neg})
    else:
        print(f"wrote direction {d.name!r} ({d.n_pos} positive, {d.n_neg} negative) to {path}")
    return 0


def cmd_direction_list(args: argparse.Namespace) -> int:
    """Directions available for the model: shipped ones and the user's."""
    from .. import directions

    folder = model_dir(args)
    found = directions.available(folder, model_name(folder))
    if args.json:
        emit_json({"directions": [{"name": d.name, "description": d.description}
                                  for d in found.values()]})
    else:
        if not found:
            print("no directions for this model")
        for d in found.values():
            print(f"{d.name:16} x{d.default_strength:<5g} {d.source:6} {d.description}")
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    """Encode sentences from a file; write index.npz (and latent_prior.npz) to a folder."""
    from .. import index as index_mod
    from .. import prior as prior_mod

    src = existing_file(args.sentences, "sentences file", text=True)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out must be a folder: {out}")
    texts = index_mod.sample_lines(src, args.limit, args.seed)
    model = load(args)
    latents = index_mod.encode_all(model, texts, progress=not args.json)
    idx = index_mod.build(texts, latents, args.dims, model.name)
    out.mkdir(parents=True, exist_ok=True)
    written = {"index": str(index_mod.save(idx, out)), "sentences": len(texts),
               "dims": idx.latents.shape[1]}
    if not args.no_prior:
        written["prior"] = str(prior_mod.save(prior_mod.fit(latents, model=model.name), out))
    if args.json:
        emit_json(written)
    else:
        print(f"indexed {len(texts)} sentences ({written['dims']} dims) in {written['index']}")
        if "prior" in written:
            print(f"wrote the latent prior {written['prior']}")
    return 0


def cmd_neighbors(args: argparse.Namespace) -> int:
    """The k real sentences whose latents are nearest to a text's."""
    from .. import index as index_mod

    (text,) = clean([args.text])
    if args.index:
        existing_file(args.index, "index file")
    model = load(args)
    idx = index_mod.load(Path(args.index) if args.index else model_dir(args))
    if idx.model and idx.model != model.name:
        raise CliError(f"the index was built with model {idx.model!r}, not {model.name!r}")
    if not 1 <= args.k <= len(idx):
        raise CliError(f"-k must be between 1 and {len(idx)} (the index size)")
    (found,) = idx.search(model.encode([text]), args.k, model=model)
    if args.json:
        emit_json({"query": text, "neighbors": [n.to_dict() for n in found]})
    else:
        for n in found:
            print(f"  cos {n.cos:.3f}  {show(n.text)}")
    return 0


def register(sub) -> None:
    """Add direction build/list, index build and neighbors to the subparsers `sub`."""
    p = sub.add_parser("direction", help="build and list attribute directions")
    dsub = p.add_subparsers(dest="direction_command", metavar="COMMAND", required=True)
    d = dsub.add_parser("build", help="mean latent difference of two sentence files")
    d.add_argument("--pos", required=True, metavar="FILE", help="sentences with the attribute")
    d.add_argument("--neg", required=True, metavar="FILE", help="sentences without it")
    d.add_argument("--out", required=True, metavar="NAME", help="the direction's name")
    d.add_argument("--description", default="", help="one line shown by `direction list`")
    d.add_argument("--strength", type=strength, default=1.0,
                   help="default strength saved with it (default 1)")
    d.add_argument("--dest", metavar="DIR",
                   help="folder to save in (default: the user data folder)")
    common_options(d)
    d.set_defaults(handler=cmd_direction_build)
    d = dsub.add_parser("list", help="the directions available for the model")
    common_options(d)
    d.set_defaults(handler=cmd_direction_list)

    p = sub.add_parser("index", help="build a nearest-sentence index (and latent prior)")
    isub = p.add_subparsers(dest="index_command", metavar="COMMAND", required=True)
    i = isub.add_parser("build", help="encode sentences from a file into index.npz")
    i.add_argument("--sentences", required=True, metavar="FILE", help="one sentence a line")
    i.add_argument("--out", required=True, metavar="DIR",
                   help="folder for index.npz and latent_prior.npz (e.g. the model folder)")
    i.add_argument("--limit", type=int_range(1, 10**8), default=30000,
                   help="sentences drawn at random (default 30000)")
    i.add_argument("--dims", type=int_range(1, 65536), default=None,
                   help="project latents on this many principal directions (default: keep all)")
    i.add_argument("--seed", type=seed, default=0)
    i.add_argument("--no-prior", action="store_true", help="do not fit latent_prior.npz")
    common_options(i)
    i.set_defaults(handler=cmd_index_build)

    p = sub.add_parser("neighbors", help="nearest real sentences of a text")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("-k", type=int_range(1, 1000), default=5)
    p.add_argument("--index", metavar="FILE", help="index file (default: the model's)")
    common_options(p)
    p.set_defaults(handler=cmd_neighbors)
