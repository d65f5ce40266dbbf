"""eval and bench: how well and how fast a model works."""

from __future__ import annotations

import argparse

from .common import (
    CliError,
    budget_options,
    common_options,
    decode_flag,
    decode_spec,
    emit_json,
    eval_file,
    existing_file,
    fmt,
    int_range,
    load,
    show,
)


def cmd_eval(args: argparse.Namespace) -> int:
    """Reconstruction and blend metrics on the eval files."""
    import dataclasses

    from ..decode_spec import BUDGETED
    from ..evaluate import evaluate
    from ..fidelity import PATH_MIDDLE, VERIFIED_AT

    spec = decode_spec(args)
    if spec.how not in BUDGETED:
        raise CliError(f"eval decodes with {', '.join(BUDGETED)}, not {spec.how}")
    sentences = existing_file(args.sentences or eval_file("sentences"), "sentences file", True)
    pairs = existing_file(args.pairs or eval_file("pairs"), "pairs file", True)
    model = load(args)
    result = evaluate(model, sentences, pairs, examples=args.examples, steps=args.steps,
                      spec=spec, blend_middle=args.blend_middle)
    result["decode"] = dataclasses.asdict(spec.budget())
    middle = spec.budget() if args.blend_middle == "decode" else PATH_MIDDLE
    result["blend"]["middle"] = dataclasses.asdict(middle)
    if args.json:
        emit_json(result)
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
            print(f"  {key:14}{fmt(value)}")
    for ex in result.get("examples", []):
        print(f"{show(ex['input'])}\n  -> {show(ex['output'])}  "
              f"{'✓' if ex['fidelity'] >= VERIFIED_AT else round(ex['fidelity'], 3)}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Latency, throughput and memory of the model."""
    from ..bench import run_bench

    model = load(args)
    result = run_bench(model, repeats=args.repeats)
    if args.json:
        emit_json(result)
    else:
        print(f"model {model.summary}")
        for key, value in result.items():
            print(f"  {key:20}{fmt(value)}")
    return 0


def register(sub) -> None:
    """Add eval and bench to the subparsers `sub`."""
    p = sub.add_parser("eval", help="reconstruction and blend metrics")
    p.add_argument("--sentences", metavar="FILE", help="one sentence per line")
    p.add_argument("--pairs", metavar="TSV", help="two tab-separated sentences per line")
    p.add_argument("--steps", type=int_range(3, 101), default=9, help="points on a blend path")
    p.add_argument("--examples", type=int_range(0, 10_000), default=0,
                   help="also show this many input/output pairs")
    g = p.add_argument_group("decoding")
    decode_flag(g, None, "default auto (eval: auto, greedy or verified)")
    budget_options(g)
    g.add_argument("--blend-middle", choices=["greedy", "decode"], default="greedy",
                   help="points between the ends of a blend: greedy (the default) or the "
                        "same decode as the ends")
    common_options(p)
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("bench", help="latency, throughput and memory")
    p.add_argument("--repeats", type=int_range(1, 10_000), default=30)
    common_options(p)
    p.set_defaults(handler=cmd_bench)
