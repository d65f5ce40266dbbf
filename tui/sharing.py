"""Getting things out of the app: session export, latent to clipboard, SVG screenshot."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .session import Session, default_export_name, latent_list, write_export
from .widgets.export_screen import ExportScreen

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder

    from .widgets.input_stage import InputStage


class SharingMixin:
    """Actions for TextLatentApp that write files or the clipboard; failures notify."""

    session: Session
    model: TextAutoencoder | None
    model_path: str | Path | None
    input_stage: InputStage

    def model_info(self) -> dict[str, Any]:
        model = self.model
        if model is None:
            return {"name": None, "path": None if self.model_path is None else str(self.model_path)}
        return {"name": model.name, "dim": model.dim, "parameters": model.num_parameters,
                "max_tokens": model.max_tokens}

    def latent_json(self, source: str = "auto") -> dict[str, Any] | None:
        """The blend latent at t ('blend'), the highlighted sentence's ('sentence'), or either."""
        session = self.session
        if source in ("auto", "blend") and session.current_latent is not None:
            return {"model": self.model_info().get("name"), "kind": "blend",
                    "a": session.a.text, "b": session.b.text, "method": session.method,
                    "t": round(session.t, 6), "text": session.current_text,
                    "latent": latent_list(session.current_latent)}
        entry = session.get(self.input_stage.sentences.highlighted_id)
        if source in ("auto", "sentence") and entry is not None and entry.ready:
            return {"model": self.model_info().get("name"), "kind": "sentence",
                    "text": entry.text, "reconstruction": entry.reconstruction,
                    "latent": latent_list(entry.latent)}
        return None

    def action_copy_latent(self, source: str = "auto") -> None:
        data = self.latent_json(source)
        if data is None:
            self.notify("No latent to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(json.dumps(data))
        what = f"the blend at t = {data['t']:.3f}" if data["kind"] == "blend" else "the sentence"
        self.notify(f"Copied the latent of {what} ({len(data['latent'])} values) as JSON.",
                    title="Copied to clipboard")

    def action_export(self) -> None:
        self.push_screen(ExportScreen(default_export_name()), self._export_chosen)

    def _export_chosen(self, target: str | None) -> None:
        if target:
            self.export_session(target)

    def export_session(self, target: str | Path | None = None) -> Path | None:
        """Write the session JSON to `target` (default: a new file in the current folder)."""
        try:
            data = self.session.to_dict(self.model_info())
            path = write_export(data, target or Path.cwd() / default_export_name())
        except (OSError, ValueError, TypeError) as exc:
            self.notify(f"Could not export the session: {exc}", severity="error")
            return None
        self.notify(str(path), title="Session exported")
        return path

    def action_screenshot(self) -> None:
        """Save an SVG screenshot into the current folder."""
        try:
            path = self.save_screenshot(time.strftime("textlatent-%Y%m%d-%H%M%S.svg"),
                                        str(Path.cwd()))
        except OSError as exc:
            self.notify(f"Could not save the screenshot: {exc}", severity="error")
            return
        self.notify(path, title="Screenshot saved")
