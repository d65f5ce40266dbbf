"""One latent file format, written by `encode --json` and the app (`w`, `c`), read by `decode`.

A latents file is JSON: ``{"model": name, "dim": D, "texts": [...], "latents": [[...], ...]}``;
other keys may say where the latents came from (the app adds "kind", "t", "row"…). `parse`
also reads what the other commands and the app write: a bare list of latents, an object with
one "latent" (`arithmetic --json`, older app files) and an exported session
(``"format": "textlatent-session/1"``: its sentences' latents, then its path's rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SESSION_FORMAT = "textlatent-session/1"


def latent_list(z: Any) -> list[float]:
    """A latent as a JSON-friendly list (6 decimals is far below what changes a decode)."""
    return [round(float(v), 6) for v in np.asarray(z, np.float32).ravel()]


def latents_document(latents: Any, *, model: str | None, texts: list[str | None] | None = None,
                     **about: Any) -> dict[str, Any]:
    """The latents file for rows `latents` (n, D) or one latent (D,), with their texts and
    whatever else says where they came from."""
    z = np.atleast_2d(np.asarray(latents, np.float32))
    doc: dict[str, Any] = {"model": model, "dim": int(z.shape[1]), **about}
    if texts is not None:
        doc["texts"] = list(texts)
    doc["latents"] = [latent_list(row) for row in z]
    return doc


def parse(data: Any, where: str = "the input") -> dict[str, Any]:
    """Any latent file's JSON data -> ``{"latents": [...], "model": str | None, "texts": ...}``
    (the latents as given, checked by `decode`); ValueError in one line if it holds none."""
    if isinstance(data, list):
        return {"latents": data, "model": None, "texts": None}
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object with a \"latents\" list")
    model = data.get("model")
    if isinstance(model, dict):  # a session export says more about its model
        model = model.get("name")
    model = model if isinstance(model, str) else None
    if data.get("format") == SESSION_FORMAT:
        latents, texts = [], []
        for sentence in data.get("sentences") or []:
            if isinstance(sentence, dict) and isinstance(sentence.get("latent"), list):
                latents.append(sentence["latent"])
                texts.append(sentence.get("text"))
        path = data.get("blend") or data.get("transform")
        if isinstance(path, dict) and isinstance(path.get("latents"), list):
            latents.extend(path["latents"])
            texts.extend(path.get("texts") or [None] * len(path["latents"]))
        if not latents:
            raise ValueError(f"{where} is a session export with no latents in it")
        return {"latents": latents, "model": model, "texts": texts}
    if isinstance(data.get("latents"), list):
        return {"latents": data["latents"], "model": model, "texts": data.get("texts")}
    if isinstance(data.get("latent"), list):
        return {"latents": [data["latent"]], "model": model,
                "texts": [data.get("text")]}
    raise ValueError(f"{where} must be a JSON object with a \"latents\" list")
