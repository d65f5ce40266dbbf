"""Write builtin_pins.json: the shipped model's decodes of ten sentences, to pin its outputs.

Run from the repository root: `python tests/data/make_builtin_pins.py`. First written by the
code before the backend refactor; re-recorded when the encoder got its bf16 fast path (latents
moved by up to 5e-4; greedy, beam, sampled and blend9 texts unchanged, 2 of the 9
`blend9_hot` samples changed). tests/test_builtin_pins.py checks the model still gives exactly
these strings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from textlatent import blend_path, load_model

HERE = Path(__file__).parent
SENTENCES = (HERE.parents[1] / "textlatent/data/eval_sentences.txt").read_text(
    encoding="utf-8").splitlines()[:10]
SAMPLE = {"temperature": 0.8, "top_p": 0.9, "seed": 7}
HOT = {"temperature": 1.5, "top_p": 0.95, "seed": 11}


def main() -> None:
    model = load_model()
    z = model.encode(SENTENCES)
    path = blend_path(z[0], z[1], 9, "slerp")
    pins = {
        "sentences": SENTENCES,
        "latent_head": np.round(z[:, :8].astype(np.float64), 6).tolist(),
        "greedy": model.decode(z),
        "beam4": model.decode(z, beam=4),
        "sample": {"options": SAMPLE, "texts": model.decode(z, **SAMPLE)},
        "hot": {"options": HOT, "texts": model.decode(z, **HOT)},
        "blend9": model.decode(path),
        "blend9_beam4": model.decode(path, beam=4),
        "blend9_hot": model.decode(path, **HOT),
    }
    out = HERE / "builtin_pins.json"
    out.write_text(json.dumps(pins, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
