"""Getting things out of the app as JSON: a latent, the session, model facts; the files they
go to (no Textual)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textlatent.latent_file import SESSION_FORMAT, latent_list, latents_document

from .session import Entry, Session

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


def new_file_name(stem: str, suffix: str, folder: str | Path = ".") -> Path:
    """A file name in `folder` stamped with the time, that no file there has yet (two saves in
    one second keep both)."""
    base = Path(folder) / time.strftime(f"{stem}-%Y%m%d-%H%M%S")
    path, n = base.with_name(base.name + suffix), 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}{suffix}")
    return path


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


def session_document(session: Session, model: dict[str, Any]) -> dict[str, Any]:
    """Everything needed to look at this session again, as JSON-ready data."""
    ready = [e for e in session.entries if e.ready]
    index = {e.id: i for i, e in enumerate(ready)}

    def end(entry: Entry | None) -> dict[str, Any] | None:
        if entry is None or entry.id not in index:
            return None
        return {"index": index[entry.id], "text": entry.text}

    blend = transform = None
    if session.path is not None and session.transform != "blend":
        transform = {
            "name": session.transform,
            "params": {k: v for k, v in session.registry_params().items()},
            "labels": session.path_labels,
            "texts": session.path_texts,
            "current": session.t_index,
            "latents": [latent_list(z) for z in session.path],
        }
    elif session.path is not None:
        blend = {
            "method": session.method,
            "steps": session.steps,
            "t": session.t_values(),
            "texts": session.path_texts,
            "fidelity": None if session.path_texts is None else
            [json_float(d.fidelity) for d in session.path_decoded],
            "current": session.t_index,
            "latents": [latent_list(z) for z in session.path],
        }
    return {
        "format": SESSION_FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": model,
        "sentences": [
            {"text": e.text, "reconstruction": e.reconstruction,
             "fidelity": json_float(e.fidelity), "truncated": e.truncated,
             "latent": latent_list(e.latent)}
            for e in ready
        ],
        "a": end(session.a),
        "b": end(session.b),
        "cosine_ab": session.cosine_ab(),
        "blend": blend,
        "transform": transform,
    }


def json_float(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


def default_export_name() -> str:
    return time.strftime("textlatent-session-%Y%m%d-%H%M%S.json")


def export_target(target: str | Path) -> Path:
    """Where an export to `target` goes (a folder gets a default file name)."""
    path = Path(target).expanduser()
    if path.is_dir():
        path = path / default_export_name()
    return path


def write_export(data: dict[str, Any], target: str | Path) -> Path:
    """Write session JSON to `target` (a file, or a folder that gets a default name)."""
    path = export_target(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path.resolve()
