"""Getting things out of the app as JSON: a latent, the session, model facts (plain functions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textlatent.latent_file import latents_document

from .session import Session, json_float, write_export

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder


def model_info(model: TextAutoencoder | None, model_path: str | Path | None) -> dict[str, Any]:
    """What an export says about the model."""
    if model is None:
        return {"name": None, "path": None if model_path is None else str(model_path)}
    return {"name": model.name, "dim": model.dim, "parameters": model.num_parameters,
            "max_tokens": model.max_tokens}


def latent_json(session: Session, model_name: str | None,
                source: str = "blend") -> dict[str, Any] | None:
    """The current row's latent ('blend': of whatever transform is on, else the selected
    sentence's) or the sentence's, as a latents file (`textlatent.latent_file`) that
    `textlatent decode` reads."""
    z = session.current_latent
    if source == "blend" and z is not None and session.transform != "blend":
        return latents_document(
            z, model=model_name, texts=[session.current_text], kind=session.transform,
            params={k: v for k, v in session.params.items() if k != "weights"},
            row=session.current_label())
    if source == "blend" and z is not None:
        decoded = session.current_decoded
        return latents_document(
            z, model=model_name, texts=[session.current_text], kind="blend",
            a=session.a.text, b=session.b.text, method=session.method,
            t=round(session.t, 6), fidelity=[json_float(decoded and decoded.fidelity)])
    entry = session.selected
    if entry is not None and entry.ready:
        return latents_document(
            entry.latent, model=model_name, texts=[entry.text], kind="sentence",
            reconstruction=entry.reconstruction, fidelity=[json_float(entry.fidelity)])
    return None


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def copy_note(data: dict[str, Any]) -> str:
    """What a copy attempted, honestly: OSC 52 may be dropped by the terminal."""
    if data["kind"] == "blend":
        what = f"z at t = {data['t']:.3f}"
    elif data["kind"] == "sentence":
        what = "the sentence's z"
    else:
        what = f"the {data['kind']} row {data['row']}'s z"
    return (f"Sent {what} to the terminal clipboard (OSC 52). Some terminals (tmux by "
            "default) drop it: w saves it to a file.")


def write_json(data: dict[str, Any], target: str | Path) -> Path:
    """Write JSON to a file (a folder gets a default name); returns the path written."""
    return write_export(data, target)
