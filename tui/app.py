"""The textlatent app: type sentences, encode, blend, decode — beside the slide that explains it.

torch is never imported here at module level: the model loads in a thread worker.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.worker import get_current_worker

from .commands import app_commands, help_groups
from .config import config_dir, load_settings, save_settings
from .messages import DecodeFailed, Encoded, ModelFailed, ModelLoaded, PathDecoded, encode_one
from .model_folder import check_model_folder, short_count
from .session import Entry, Session
from .sharing import SharingMixin
from .slides import load_pairs, load_slide, load_starters
from .widgets.blend_slider import BlendSlider
from .widgets.decode_stage import DecodeStage
from .widgets.encode_stage import EncodeStage
from .widgets.help_screen import HelpScreen, help_markdown
from .widgets.input_stage import InputStage
from .widgets.sentence_list import SentenceList
from .widgets.slide_panel import SlidePanel
from .widgets.stage import Stage, StageArea
from .widgets.transform_stage import TransformStage

if TYPE_CHECKING:
    from textlatent.backends.base import TextAutoencoder

SLIDE_MIN_WIDTH = 100  # narrower terminals hide the slide until `s` shows it


def run_app(model_path: str | None = None) -> int:
    """Start the app (the `textlatent` / `textlatent tui` command); returns the exit code."""
    problem = check_model_folder(model_path)
    if problem:
        hint = "" if model_path else "; pass --model DIR to use another model folder"
        print(f"textlatent: {problem}{hint}", file=sys.stderr)
        return 2
    app = TextLatentApp(model_path=model_path)
    app.run()
    return 1 if app.load_error else (app.return_code or 0)


class TextLatentApp(SharingMixin, App[int]):
    """Four stages (Input, Encode, Transform, Decode) and the tutorial slide beside them."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "textlatent"
    SUB_TITLE = "loading model…"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (SLIDE_MIN_WIDTH, "-normal"), (160, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (40, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", tooltip="Show this help"),
        Binding("a", "set_a", "Set A", tooltip="Blend from the highlighted sentence (A)"),
        Binding("b", "set_b", "Set B", tooltip="Blend to the highlighted sentence (B)"),
        Binding("left,h", "move(-1)", "t−", key_display="←",
                tooltip="Move the blend slider towards A"),
        Binding("right,l", "move(1)", "t+", key_display="→",
                tooltip="Move the blend slider towards B"),
        Binding("m", "toggle_method", "slerp/lerp",
                tooltip="Blend along the sphere (slerp) or in a straight line (lerp)"),
        Binding("[,pageup", "section(-1)", "Prev section", key_display="[",
                tooltip="Previous section of the slide"),
        Binding("],pagedown", "section(1)", "Next section", key_display="]",
                tooltip="Next section of the slide"),
        Binding("s", "toggle_slide", "Slide", tooltip="Show or hide the slide"),
        Binding("p", "next_pair", "Starter pair", tooltip="Blend the next starter pair"),
        Binding("c", "copy_latent", "Copy z",
                tooltip="Copy the latent at t (or the sentence's) as JSON to the clipboard"),
        Binding("e", "export", "Export", tooltip="Export the session to a JSON file"),
        Binding("ctrl+l", "clear", "Clear", tooltip="Remove all sentences"),
        Binding("ctrl+s", "screenshot", "Screenshot", show=False,
                tooltip="Save an SVG screenshot in the current folder"),
        *[Binding(str(n), f"chapter({n})", "Chapter", show=False,
                  tooltip="Jump to that chapter of the slide") for n in range(1, 10)],
    ]

    def __init__(self, model_path: str | Path | None = None, *,
                 model: TextAutoencoder | None = None, starters: bool = True,
                 steps: int = 9, config_folder: Path | None = None) -> None:
        super().__init__()
        self.model_path = model_path
        self.model: TextAutoencoder | None = None
        self.load_error: str | None = None
        self._given_model = model
        self._starters = starters
        self.session = Session(steps=steps, t_index=steps // 2)
        self.slide = load_slide()
        self._pairs = load_pairs()
        self._pair_index = 0
        self._queue: list[int] = []
        self._decode_lock = threading.Lock()
        self._slide_pref: bool | None = None
        self._config_folder = config_folder or config_dir()
        self._settings = load_settings(self._config_folder)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        blurbs = self.slide.step_blurbs()
        yield Header()
        with StageArea(id="main"):
            yield Static("", id="error-panel")
            with VerticalScroll(id="col-left", classes="column", can_focus=False):
                yield InputStage(*blurbs.get("input", ()))
                yield EncodeStage(*blurbs.get("encode", ()))
            with VerticalScroll(id="col-right", classes="column", can_focus=False):
                yield TransformStage(*blurbs.get("transform", ()), steps=self.session.steps,
                                     index=self.session.t_index)
                yield DecodeStage(*blurbs.get("decode", ()))
        yield SlidePanel(self.slide, id="slide")
        yield Footer()

    @property
    def input_stage(self) -> InputStage:
        return self.query_one(InputStage)

    @property
    def encode_stage(self) -> EncodeStage:
        return self.query_one(EncodeStage)

    @property
    def transform_stage(self) -> TransformStage:
        return self.query_one(TransformStage)

    @property
    def decode_stage(self) -> DecodeStage:
        return self.query_one(DecodeStage)

    @property
    def slide_panel(self) -> SlidePanel:
        return self.query_one(SlidePanel)

    def on_mount(self) -> None:
        theme = self._settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.is_headless:
            self.input_stage.input.cursor_blink = False
        self._apply_slide_visibility()
        for stage in (self.encode_stage, self.transform_stage, self.decode_stage):
            stage.loading = True
        if self._starters:
            self._add_starters()
        self.refresh_views()
        self.input_stage.input.focus()
        self.load_model_worker()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry model output, paths and errors: no markup unless asked."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _apply_slide_visibility(self) -> None:
        panel = self.slide_panel
        panel.set_class(self._slide_pref is True, "-shown")
        panel.set_class(self._slide_pref is False, "-hidden")

    @property
    def slide_visible(self) -> bool:
        if self._slide_pref is not None:
            return self._slide_pref
        return self.size.width >= SLIDE_MIN_WIDTH

    def _remember_theme(self, theme: Theme) -> None:
        if self._settings.get("theme") != theme.name:
            self._settings["theme"] = theme.name
            save_settings({"theme": theme.name}, self._config_folder)

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

                model = load_model(self.model_path)
            except Exception as exc:  # any failure is shown in the app, never a traceback
                self.post_message(ModelFailed(str(exc) or type(exc).__name__))
                return
        self.post_message(ModelLoaded(model))

    @work(thread=True, group="encode", exit_on_error=False)
    def encode_worker(self, items: list[tuple[int, str]]) -> None:
        """Encode and reconstruct sentences one by one, posting each result."""
        model = self.model
        for entry_id, text in items:
            if get_current_worker().is_cancelled or model is None:
                return
            self.post_message(Encoded(encode_one(model, entry_id, text)))

    @work(thread=True, exclusive=True, group="decode", exit_on_error=False)
    def decode_worker(self, key: tuple[int, int, str], path: Any) -> None:
        """Decode the whole blend path in one batched call; slider moves just pick from it.

        A newer request cancels this one; requests queue on a lock, so ones cancelled while
        waiting (say, `m` held down) never decode at all.
        """
        worker = get_current_worker()
        with self._decode_lock:
            if worker.is_cancelled:
                return
            try:
                texts = self.model.decode(path)
            except Exception as exc:  # shown as a notification
                self.post_message(DecodeFailed(key, str(exc)))
                return
        if not worker.is_cancelled:
            self.post_message(PathDecoded(key, texts))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        model = self.model = message.model
        params = short_count(model.num_parameters)
        self.sub_title = f"{model.name} · D={model.dim} · {params} params"
        for stage in (self.encode_stage, self.transform_stage, self.decode_stage):
            stage.loading = False
        self.input_stage.sentences.set_encoding()
        self._flush_queue()
        self.refresh_views()

    def on_model_failed(self, message: ModelFailed) -> None:
        self.load_error = message.error
        self.sub_title = "no model"
        for stage in (self.encode_stage, self.transform_stage, self.decode_stage):
            stage.loading = False
        panel = self.query_one("#error-panel", Static)
        panel.update(Text.assemble(
            ("Could not load the model\n", "bold"), message.error,
            "\n\nStart again with `textlatent tui --model DIR` (a folder with config.json, "
            "model.safetensors and tokenizer.model). The slide still works."))
        self.query_one(StageArea).add_class("-failed")
        self.input_stage.sentences.set_waiting_text("no model loaded")
        self.notify(message.error, title="Model failed to load", severity="error", timeout=10)
        self.refresh_views()

    def on_encoded(self, message: Encoded) -> None:
        result = message.result
        entry = self.session.get(result.entry_id)
        if entry is None:  # cleared meanwhile
            return
        if result.error:
            self.session.remove(entry.id)
            self.notify(f"Could not encode that: {result.error}", severity="error")
        else:
            entry.latent, entry.reconstruction = result.latent, result.reconstruction
            if result.truncated:
                entry.text, entry.truncated = result.seen_text or entry.text, True
                self.notify(f"Longer than the model's limit of {self.model.max_tokens - 1} "
                            f"tokens, so it was cut to: {entry.text!r}",
                            title="Sentence truncated", severity="warning")
        self.refresh_views()

    def on_path_decoded(self, message: PathDecoded) -> None:
        if message.key == self.session.path_key:
            self.session.path_texts = list(message.texts)
            self.refresh_blend()

    def on_decode_failed(self, message: DecodeFailed) -> None:
        if message.key == self.session.path_key:
            self.notify(f"Decoding failed: {message.error}", severity="error")

    def _flush_queue(self) -> None:
        items = [(e.id, e.text) for e in map(self.session.get, self._queue) if e is not None]
        self._queue.clear()
        if items and self.model is not None:
            self.encode_worker(items)

    def _encode_later(self, entries: Iterable[Entry]) -> None:
        self._queue.extend(e.id for e in entries if not e.ready)
        if self.model is not None:
            self._flush_queue()

    # -- drawing -----------------------------------------------------------------------------
    def refresh_views(self, highlight_id: int | None = None) -> None:
        """Redraw every stage from the session (and start decoding if A/B/method changed)."""
        self.input_stage.show_session(self.session, highlight_id)
        self._show_highlighted()
        self.refresh_blend()

    def refresh_blend(self) -> None:
        """Redraw Transform and Decode; decode a new path if it changed."""
        session = self.session
        if session.update_path() and session.path is not None and self.model is not None:
            self.decode_worker(session.path_key, session.path.copy())
        self.transform_stage.show_session(session)
        self.decode_stage.show_session(session)

    def _show_highlighted(self) -> None:
        try:
            sentences = self.input_stage.sentences
            encode_stage = self.encode_stage
        except NoMatches:  # the screen is being torn down (app exiting)
            return
        entry = self.session.get(sentences.highlighted_id)
        encode_stage.show_entry(self.session, entry)

    @on(OptionList.OptionHighlighted, "#sentences")
    def _sentence_highlighted(self) -> None:
        self._show_highlighted()

    @on(SentenceList.Remove)
    def _remove_sentence(self, message: SentenceList.Remove) -> None:
        self.session.remove(message.entry_id)
        self.refresh_views()

    @on(BlendSlider.Changed)
    def _slider_changed(self, message: BlendSlider.Changed) -> None:
        self.session.t_index = message.slider.index
        self.refresh_blend()

    @on(SlidePanel.SectionChanged)
    def _section_changed(self, message: SlidePanel.SectionChanged) -> None:
        for stage in self.query(Stage):
            stage.set_highlight(stage.STAGE == message.section.stage)

    @on(Input.Submitted, "#sentence-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.add_sentence(event.value)

    def add_sentence(self, text: str) -> Entry | None:
        """Add a sentence typed by the learner; the first two become A and B."""
        if not text.strip():
            self.notify("Type a sentence first: there is nothing to encode.",
                        title="Empty input", severity="warning")
            return None
        entry = self.session.add(text)
        if self.session.a_id is None:
            self.session.a_id = entry.id
        elif self.session.b_id is None:
            self.session.b_id = entry.id
        self.input_stage.input.clear()
        self._encode_later([entry])
        self.refresh_views(entry.id)
        return entry

    def _add_starters(self) -> None:
        self._encode_later([self.session.add(text) for text in load_starters()])
        self._use_pair(0)

    def _use_pair(self, index: int) -> None:
        if not self._pairs:
            return
        a_text, b_text = self._pairs[index % len(self._pairs)]
        a = self.session.find_text(a_text) or self.session.add(a_text)
        b = self.session.find_text(b_text) or self.session.add(b_text)
        self.session.a_id, self.session.b_id = a.id, b.id
        self.session.t_index = self.session.steps // 2
        self._encode_later([a, b])
        self.refresh_views(a.id)

    # -- actions -----------------------------------------------------------------------------
    def _set_end(self, which: str) -> None:
        entry = self.session.get(self.input_stage.sentences.highlighted_id)
        if entry is None:
            self.notify("Highlight a sentence in the list first.", severity="warning")
            return
        setattr(self.session, f"{which}_id", entry.id)
        self.refresh_views()

    def action_set_a(self) -> None:
        """Blend from the highlighted sentence."""
        self._set_end("a")

    def action_set_b(self) -> None:
        """Blend to the highlighted sentence."""
        self._set_end("b")

    def action_move(self, delta: int) -> None:
        self.transform_stage.slider.action_step(delta)

    def action_toggle_method(self) -> None:
        self.session.method = "lerp" if self.session.method == "slerp" else "slerp"
        self.refresh_blend()

    def action_section(self, delta: int) -> None:
        self._show_slide_for_navigation()
        if delta > 0:
            self.slide_panel.next()
        else:
            self.slide_panel.previous()

    def action_chapter(self, number: int) -> None:
        self._show_slide_for_navigation()
        if not self.slide_panel.go_chapter(number):
            self.bell()

    def _show_slide_for_navigation(self) -> None:
        if not self.slide_visible:
            self._slide_pref = True
            self._apply_slide_visibility()

    def action_toggle_slide(self) -> None:
        self._slide_pref = not self.slide_visible
        self._apply_slide_visibility()

    def action_next_pair(self) -> None:
        self._pair_index += 1
        self._use_pair(self._pair_index)

    def action_clear(self) -> None:
        self.session.clear()
        self._queue.clear()
        self.workers.cancel_group(self, "encode")
        self.refresh_views()
        self.notify("Cleared all sentences.", title="Cleared")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_markdown(self, help_groups(self))))

    def action_encode(self) -> None:
        """Encode what is typed in the input (or move there)."""
        field = self.input_stage.input
        if field.value.strip():
            self.add_sentence(field.value)
        else:
            field.focus()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from app_commands(self)
