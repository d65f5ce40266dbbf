"""The textlatent app: type sentences, encode, blend, decode — beside the slide that explains it.

The App owns the model's lifecycle, the worker threads, the theme and the commands; the
MainScreen (screens/main.py) owns the layout and wires the stages to the Session.
torch is never imported here at module level: the model loads in a thread worker.
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from .actions import bindings, help_markdown, palette_actions
from .config import config_dir, load_settings, save_settings
from .encoding import encode_one
from .export import default_export_name, model_info, session_document, write_export
from .messages import (
    DecodeFailed,
    Encoded,
    ExtrasLoaded,
    ModelFailed,
    ModelLoaded,
    NeighborsFound,
    PathDecoded,
    Warned,
)
from .model_folder import check_model_folder, model_line
from .path_decoder import WARNINGS_LOCK, decode_progressively
from .screens.help import INTRO, HelpScreen
from .screens.main import MainScreen
from .session import Entry, Session
from .slides import load_slide, load_starters

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder

# Textual's own palette entries that ours replace: its Screenshot saves to ~/Downloads (which
# may not exist), its Keys panel duplicates F1.
REPLACED_SYSTEM_COMMANDS = {"Screenshot", "Keys"}


def run_app(model_path: str | None = None, *, trust_remote_code: bool = False,
            allow_download: bool = False) -> int:
    """Start the app (the `textlatent` / `textlatent tui` command); returns the exit code.

    `trust_remote_code` and `allow_download` go to `load_model` (the hf backend's settings).
    """
    problem = check_model_folder(model_path)
    if problem:
        hint = "" if model_path else "; pass --model DIR to use another model folder"
        print(f"textlatent: {problem}{hint}", file=sys.stderr)
        return 2
    app = TextLatentApp(model_path=model_path, trust_remote_code=trust_remote_code,
                        allow_download=allow_download)
    app.run()
    return 1 if app.load_error else (app.return_code or 0)


class TextLatentApp(App[int]):
    """Four stages (Input, Encode, Transform, Decode) and the tutorial slide beside them."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "textlatent"
    SUB_TITLE = "loading model…"
    NOTIFICATION_TIMEOUT = 3
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

    def __init__(self, model_path: str | Path | None = None, *,
                 model: TextAutoencoder | None = None, starters: bool = True,
                 steps: int = 9, config_folder: Path | None = None,
                 trust_remote_code: bool = False, allow_download: bool = False) -> None:
        super().__init__()
        self.model_path = model_path
        self.trust_remote_code = trust_remote_code  # let a transformers model run its own code
        self.allow_download = allow_download  # let an hf: model be fetched from the Hub
        self.model: TextAutoencoder | None = None
        self.load_error: str | None = None
        self._given_model = model
        self._starters = starters
        self.session = Session(steps=steps, t_index=steps // 2)
        self.slide = load_slide()
        self._queue: list[int] = []
        self._decode_lock = threading.Lock()
        self._row_seconds: float | None = None  # what a path row took to decode, last time
        self._config_folder = config_folder or config_dir()
        self._settings = load_settings(self._config_folder)

    @property
    def main(self) -> MainScreen:
        """The main screen (made when the app starts)."""
        return self._main

    def get_default_screen(self) -> Screen:
        self._main = MainScreen(self.session, self.slide)
        return self._main

    def on_mount(self) -> None:
        theme = self._settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._previous_showwarning = warnings.showwarning
        warnings.showwarning = self._show_warning
        if self._starters:
            self.main.add_starters(load_starters())
        self.load_model_worker()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry model output, paths and errors: no markup unless asked."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def dismiss_notifications(self, title: str) -> None:
        """Take down the notifications with this title (a question that has been answered)."""
        for notification in list(self._notifications):
            if notification.title == title:
                self._unnotify(notification, refresh=False)
        self._refresh_notifications()

    def _show_warning(self, message: Warning | str, category: type[Warning], *args: Any,
                      **kwargs: Any) -> None:
        """Python warnings raised while the app runs (in any thread) become notifications:
        printed to the terminal, they would only appear after the app quits."""
        self.post_message(Warned(str(message), category.__name__))

    def on_warned(self, message: Warned) -> None:
        self.notify(message.text, title=message.kind, severity="warning", timeout=5)

    def on_unmount(self) -> None:
        if warnings.showwarning == self._show_warning:
            warnings.showwarning = self._previous_showwarning

    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit (Textual's own message would show its markup here)."""
        self.notify("Press ctrl+q to quit the app.", title="Do you want to quit?")

    def _remember_theme(self, theme: Theme) -> None:
        if self._settings.get("theme") != theme.name:
            self._settings["theme"] = theme.name
            save_settings({"theme": theme.name}, self._config_folder)

    @property
    def model_name(self) -> str | None:
        return None if self.model is None else self.model.name

    # -- model and workers -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_model_worker(self) -> None:
        """Load the model off the UI thread (this is where torch gets imported)."""
        model = self._given_model
        if model is None:
            try:
                import torch

                # One compute thread leaves a core to the UI thread: on small machines this
                # keeps the screen responsive and makes decoding faster, not slower.
                torch.set_num_threads(1)
                from textlatent import load_model

                model = load_model(self.model_path, trust_remote_code=self.trust_remote_code,
                                   allow_download=self.allow_download)
            except Exception as exc:  # any failure is shown in the app, never a traceback
                self.post_message(ModelFailed(str(exc) or type(exc).__name__))
                return
        self.post_message(ModelLoaded(model))
        from .model_extras import load_extras

        try:
            extras = load_extras(model, self.model_path)
        except Exception as exc:  # a broken extra must not take the model down with it
            from .session import Extras

            extras = Extras(notes={k: f"could not read the model's extras: {exc}"
                                   for k in ("prior", "index", "directions")})
        self.post_message(ExtrasLoaded(extras))

    @work(thread=True, group="encode", exit_on_error=False)
    def encode_worker(self, items: list[tuple[int, str]]) -> None:
        """Encode and reconstruct sentences one by one, posting each result."""
        model = self.model
        for entry_id, text in items:
            if get_current_worker().is_cancelled or model is None:
                return
            self.post_message(Encoded(encode_one(model, entry_id, text)))

    @work(thread=True, exclusive=True, group="decode", exit_on_error=False)
    def decode_path(self, key: tuple, path: Any) -> None:
        """Decode the path (the default decode, each row with its fidelity); slider moves just
        pick from it. Rows are posted as they are decoded, the slider's row first, so a slow
        model fills the path in while the slider stays usable (see path_decoder).

        A newer request cancels this one (checked between calls); requests queue on a lock, so
        ones cancelled while waiting (say, `m` held down) never decode at all. The key says how:
        its first item is the transform, its last the decoding choices (`tui/decoding.py`):
        auto, greedy and verified go row by row through path_decoder; beam and sampled are one
        batched call (a seed must give the same texts however the rows are split).
        """
        from .decoding import decode_rows, row_budgets

        worker = get_current_worker()
        model = self.model
        if model is None:
            return

        def emit(rows: dict) -> None:
            if not worker.is_cancelled:
                self.post_message(PathDecoded(key, rows))

        with self._decode_lock:
            if worker.is_cancelled:
                return
            try:
                options = dict(key[-1])
                blend = key[0] == "blend"
                budgets = row_budgets(options, len(path), blend)
                if budgets is None:
                    # scoring re-encodes; a truncation warning from it must not reach an encode
                    # that is recording its own (encoding.encode_one)
                    with WARNINGS_LOCK:
                        emit(dict(enumerate(decode_rows(model, path, options, blend))))
                    return
                took = decode_progressively(
                    model, path, emit=emit, current=lambda: self.session.t_index,
                    cancelled=lambda: worker.is_cancelled, row_seconds=self._row_seconds,
                    budgets=budgets)
            except Exception as exc:  # shown as a notification
                self.post_message(DecodeFailed(key, str(exc)))
                return
            if took is not None:
                self._row_seconds = took

    @work(thread=True, exclusive=True, group="neighbors", exit_on_error=False)
    def find_neighbors(self, key: tuple, z: Any, k: int = 5) -> None:
        """The nearest real sentences of one latent, from the model's index."""
        worker = get_current_worker()
        index = self.session.extras.index
        if self.model is None or index is None:
            return
        with self._decode_lock:  # re-ranking encodes: one model call at a time
            if worker.is_cancelled:
                return
            try:
                with WARNINGS_LOCK:
                    found = index.search(z, k=min(k, len(index)), model=self.model)[0]
            except Exception as exc:  # shown in the Decode stage
                self.post_message(NeighborsFound(key, None, f"no neighbours: {exc}"))
                return
        if not worker.is_cancelled:
            self.post_message(NeighborsFound(key, [(n.text, n.cos) for n in found]))

    def encode_later(self, entries: Iterable[Entry | None]) -> None:
        """Queue sentences for encoding (they go as soon as the model is ready)."""
        self._queue.extend(e.id for e in entries if e is not None and not e.ready)
        if self.model is not None:
            self._flush_queue()

    def cancel_encoding(self) -> None:
        self._queue.clear()
        self.workers.cancel_group(self, "encode")

    def _flush_queue(self) -> None:
        seen: set[int] = set()
        items = []
        for entry in map(self.session.get, self._queue):
            if entry is not None and not entry.ready and entry.id not in seen:
                seen.add(entry.id)
                items.append((entry.id, entry.text))
        self._queue.clear()
        if items and self.model is not None:
            self.encode_worker(items)

    def on_model_loaded(self, message: ModelLoaded) -> None:
        model = self.model = message.model
        self.sub_title = model_line(model)
        self.main.model_ready()
        self._flush_queue()
        path = self.session.path
        if self.session.path_key is not None and path is not None:
            self.decode_path(self.session.path_key, path.copy())

    def on_model_failed(self, message: ModelFailed) -> None:
        self.load_error = message.error
        self.sub_title = "no model"
        self.main.model_failed(message.error)
        self.notify(message.error, title="Model failed to load", severity="error", timeout=6)

    def on_encoded(self, message: Encoded) -> None:
        result = message.result
        entry = self.session.set_encoded(
            result.entry_id, latent=result.latent, reconstruction=result.reconstruction,
            text=result.seen_text if result.truncated else None, truncated=result.truncated,
            pieces=result.pieces, error=result.error, fidelity=result.fidelity,
            attempts=result.attempts)
        if entry is None:  # removed meanwhile
            return
        if result.error:
            self.notify(f"Could not encode that: {result.error}", severity="error")
            return
        if result.truncated:
            self.notify(f"Cut to the model's {self.model.max_tokens - 1} tokens.",
                        title="Sentence truncated", severity="warning")
        if entry.foreign:
            self.notify("Few English words or many byte pieces: this model only knows "
                        "English, so expect nonsense back.", title="Not English?",
                        severity="warning")

    def on_path_decoded(self, message: PathDecoded) -> None:
        self.session.set_path_rows(message.key, message.rows)

    def on_extras_loaded(self, message: ExtrasLoaded) -> None:
        self.session.set_extras(message.extras)
        if "skipped" in message.extras.notes:  # an unreadable direction file, left out
            self.notify(message.extras.notes["skipped"], severity="warning")

    def on_neighbors_found(self, message: NeighborsFound) -> None:
        self.main.show_neighbors(message.key, message.neighbors, message.note)

    def on_decode_failed(self, message: DecodeFailed) -> None:
        if self.session.set_path_failed(message.key, message.error):
            self.notify(f"Decoding failed: {message.error}", severity="error")

    # -- things that write files -------------------------------------------------------------
    def export_session(self, target: str | Path | None = None) -> Path | None:
        """Write the session JSON to `target` (default: a new file in the current folder)."""
        try:
            data = session_document(self.session, model_info(self.model, self.model_path))
            path = write_export(data, target or Path.cwd() / default_export_name())
        except (OSError, ValueError, TypeError) as exc:
            self.notify(f"Could not export the session: {exc}", severity="error")
            return None
        self.notify(str(path), title="Session exported", timeout=4)
        return path

    def action_screenshot(self) -> None:
        """Save an SVG screenshot into the current folder."""
        try:
            path = self.save_screenshot(time.strftime("textlatent-%Y%m%d-%H%M%S.svg"),
                                        str(Path.cwd()))
        except OSError as exc:
            self.notify(f"Could not save the screenshot: {exc}", severity="error")
            return
        self.notify(path, title="Screenshot saved", timeout=4)

    # -- help and commands -------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            from .modes import MODES

            now = self.session.transform  # the mode in use comes first
            sections = {f"{m.title} (in use)" if name == now else m.title: m.help
                        for name, m in sorted(MODES.items(), key=lambda kv: kv[0] != now)}
            self.push_screen(HelpScreen(help_markdown(INTRO, sections)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in REPLACED_SYSTEM_COMMANDS:
                yield command
        for act in palette_actions():
            namespace = self if act.target == "app" else self.main
            name = act.action.split("(")[0]
            if act.target == "screen" and not self.main.check_action(name, ()):
                continue  # acts in another mode only
            yield SystemCommand(act.palette, act.help,
                                partial(self.run_action, act.action, namespace))
