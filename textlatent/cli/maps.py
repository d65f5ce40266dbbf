"""map and similarity: where sentences lie in the latent space, and how close they are."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import CliError, clean, common_options, emit_json, load, model_dir, read_lines, show


def _texts(args: argparse.Namespace) -> list[str]:
    texts = clean(list(args.texts or []))
    if args.sentences:
        texts += read_lines(Path(args.sentences), "sentences file")
    if any(not t.strip() for t in texts):
        raise CliError("a sentence is empty")
    return texts


def cmd_map(args: argparse.Namespace) -> int:
    """The map of meanings for sentences: their 2-D points on the model's map."""
    if args.build:
        return cmd_map_build(args)
    from .. import index as index_mod
    from .. import latent_map

    if args.out or args.force or args.kind != "auto":
        raise CliError("--out, --force and --kind go with --build")
    texts = _texts(args)
    if not texts:
        raise CliError("no sentences: give TEXT arguments or --sentences FILE")
    if args.output:
        from ..map_plot import check_target

        check_target(args.output)
    folder = model_dir(args)
    found = latent_map.load(folder)
    idx = index_mod.load(folder)
    model = load(args)
    latent_map.check_fits(found, idx, model.name, model.dim)
    points = found.place(model.encode(texts), idx)
    if args.output:
        from ..map_plot import plot_map

        title = f"{model.name}: {found.kind} map of {len(found):,} index sentences"
        plot_map(args.output, found.coords, points, texts, title)
    if args.json:
        emit_json({"projection": found.kind, "points": [
            {"text": t, "x": round(float(x), 4), "y": round(float(y), 4)}
            for t, (x, y) in zip(texts, points)]})
    else:
        print(f"{found.kind} map of {len(found):,} index sentences")
        for t, (x, y) in zip(texts, points):
            print(f"{x:9.3f} {y:9.3f}  {show(t)}")
        if args.output:
            print(f"wrote {args.output}")
    return 0


def cmd_map_build(args: argparse.Namespace) -> int:
    """Fit the map kinds on the index in --out, measure them on held-out sentences, keep the
    better one (or the --kind asked for) beside the index."""
    from .. import index as index_mod
    from .. import latent_map, map_build

    if args.texts or args.output:
        raise CliError("--build takes no TEXT and no -o (it writes into --out)")
    if not args.out:
        raise CliError("--build needs --out DIR: the model folder that holds its index")
    out = Path(args.out)
    if not out.is_dir():
        raise CliError(f"--out must be an existing folder: {out}")
    target = out / latent_map.MAP_FILE
    if target.exists() and not args.force:
        raise CliError(f"{target} exists: add --force to replace it")
    heldout = read_lines(Path(args.sentences), "sentences file") if args.sentences \
        else map_build.heldout_sentences()
    idx = index_mod.load(out)
    kinds = latent_map.KINDS if args.kind == "auto" else (args.kind,)
    if "tsne" in kinds:
        try:
            import openTSNE  # noqa: F401
        except ImportError:
            if args.kind == "tsne":
                raise CliError("a t-SNE map needs openTSNE: pip install "
                               "'textlatent[map-build]'") from None
            kinds = ("pca",)
    model = load(args)
    if idx.model and idx.model != model.name:
        raise CliError(f"the index was built with model {idx.model!r}, not {model.name!r}")
    maps, report = map_build.measure(model, idx, heldout, kinds)
    chosen = maps[report["chosen"]]
    path = latent_map.save(chosen, out)
    report["path"] = str(path)
    report["bytes"] = path.stat().st_size
    if args.json:
        emit_json(report)
    else:
        for kind, figures in report["kinds"].items():
            print(f"{kind:5} neighbourhood preservation {figures['neighbourhood_preservation']:.3f}"
                  f" (fit {figures['fit_s']:.1f} s)")
        print(f"chance {report['chance']:.3f} · {report['sentences']} held-out sentences, "
              f"k = {report['k']}")
        print(f"wrote the {report['chosen']} map ({report['bytes']:,} bytes) to {path}")
    return 0


def cmd_similarity(args: argparse.Namespace) -> int:
    """cos(z_i, z_j) for every pair of the given sentences."""
    from ..latent_map import cosine_matrix

    texts = _texts(args)
    if len(texts) < 2:
        raise CliError("similarity needs at least two sentences")
    model = load(args)
    cos = cosine_matrix(model.encode(texts))
    if args.json:
        emit_json({"texts": texts, "cos": [[round(float(c), 6) for c in row] for row in cos]})
    else:
        print("     " + "".join(f"{j + 1:>6d}" for j in range(len(texts))))
        for i, row in enumerate(cos):
            print(f"{i + 1:>4d} " + "".join(f"{c:6.2f}" for c in row) + f"  {show(texts[i])}")
    return 0


def register(sub) -> None:
    """Add map and similarity to the subparsers `sub`."""
    p = sub.add_parser("map", help="the map of meanings: sentences' places on a 2-D map "
                       "(--build makes a model's map)")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.add_argument("--sentences", metavar="FILE", help="more sentences, one a line (with "
                   "--build: the held-out sentences the maps are measured on)")
    p.add_argument("-o", "--output", metavar="FILE.svg|FILE.png",
                   help="also draw the map to a picture (needs matplotlib)")
    g = p.add_argument_group("building a model's map")
    g.add_argument("--build", action="store_true",
                   help="fit PCA and t-SNE on the index in --out, keep the better by "
                   "neighbourhood preservation")
    g.add_argument("--out", metavar="DIR", help="the model folder holding index.npz")
    g.add_argument("--kind", choices=("auto", "pca", "tsne"), default="auto",
                   help="which map to keep (default: the better measured)")
    g.add_argument("--force", action="store_true", help="replace an existing map")
    common_options(p)
    p.set_defaults(handler=cmd_map)

    p = sub.add_parser("similarity", help="the cosine between every pair of sentences")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.add_argument("--sentences", metavar="FILE", help="more sentences, one a line")
    common_options(p)
    p.set_defaults(handler=cmd_similarity)
