"""MainScreen: the four stages and the slide, wired to the session.

State flows one way. Widgets post messages; the handlers change the Session; every Session
change reaches `_session_changed`, the one step that redraws the stages. A change of what the
path must show (the `path_key` reactive) has its own watcher, which starts the decode worker:
drawing never starts work.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Static

from ..actions import bindings
from ..export import copy_note, dumps, latent_json, new_file_name, write_json
from ..modes import MODE_ACTIONS, Mode, mode
from ..params import step_value
from ..session import Entry, Session
from ..slides import Slide, load_pairs
from ..text import printable
from ..widgets.blend_slider import BlendSlider
from ..widgets.controls.form import ParamForm
from ..widgets.decode_stage import DecodeStage, decoding_fields
from ..widgets.encode_stage import EncodeStage
from ..widgets.input_stage import InputStage, SentenceInput
from ..widgets.sentence_list import SentenceList
from ..widgets.slide_panel import SlidePanel
from ..widgets.stage import Stage, StageArea
from ..widgets.transform_stage import TransformStage
from .export import ExportScreen

if TYPE_CHECKING:
    from ..app import TextLatentApp

SLIDE_MIN_WIDTH = 120  # narrower terminals hide the slide until `s` shows it
CONFIRM_SECONDS = 4.0  # a destructive key pressed twice within this counts as confirmed
NEIGHBORS_DELAY = 0.25  # seconds on one point before its nearest sentences are looked up


class MainScreen(Screen[None]):
    """Layout and stage wiring; the App keeps the model, the workers, theme and commands."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("screen")
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (SLIDE_MIN_WIDTH, "-normal"), (160, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (40, "-tall")]

    path_key: reactive[tuple | None] = reactive(None, init=False)
    neighbors_key: reactive[tuple | None] = reactive(None, init=False)

    app: TextLatentApp

    def __init__(self, session: Session, slide: Slide) -> None:
        super().__init__(id="main-screen")
        self.session = session
        self.slide = slide
        self._pairs = load_pairs()
        self._pair_index = 0
        self._slide_pref: bool | None = None
        self._armed: dict[str, float] = {}
        self._neighbors_timer: Timer | None = None
        self._keys_for: tuple | None = None

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
        # the palette's key is one of ours: Footer's own docked one overlaps the keys when they
        # overflow a narrow terminal (stray characters beside it)
        yield Footer(compact=True, show_command_palette=False)

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
        if self.app.is_headless:
            self.input_stage.input.cursor_blink = False
        self._apply_slide_visibility()
        self.session.subscribe(self._session_changed)
        self.path_key = self.session.path_key
        self._show_model_state()
        self.input_stage.input.focus()

    # -- the one step after every session change ---------------------------------------------
    def _session_changed(self, session: Session) -> None:
        self.path_key = session.path_key
        keys = (session.transform, session.row_count > 1, session.decoding.get("how"))
        if keys != self._keys_for:
            self._keys_for = keys
            self.refresh_bindings()  # the footer shows the keys that act in this mode
        if session.extras.index is not None:
            self.neighbors_key = DecodeStage.neighbors_key(session)
        if self._stages_mounted():
            self.redraw()

    def _stages_mounted(self) -> bool:
        """False before mounting and while the app tears the screen down: a worker's late
        result may still change the session then, with no stages left to draw."""
        return self.is_mounted and bool(self.query(InputStage))

    def watch_path_key(self, key: tuple | None) -> None:
        """A new path to show: decode it (in the app's worker)."""
        path = self.session.path
        if key is not None and path is not None:
            self.app.decode_path(key, path.copy())

    def watch_neighbors_key(self, key: tuple | None) -> None:
        """A new current point: look up its nearest real sentences (in a worker) once the
        learner rests on it, so a held-down key moves the text without waiting for them."""
        if self._neighbors_timer is not None:
            self._neighbors_timer.stop()
            self._neighbors_timer = None
        if key is not None:
            self._neighbors_timer = self.set_timer(NEIGHBORS_DELAY,
                                                   lambda: self._look_up_neighbors(key))

    def _look_up_neighbors(self, key: tuple) -> None:
        self._neighbors_timer = None
        z = self.session.current_latent
        if key == self.neighbors_key and z is not None:
            self.app.find_neighbors(key, z.copy())

    def show_neighbors(self, key: tuple, found: list[tuple[str, float]] | None,
                       note: str | None = None) -> None:
        if self._stages_mounted():
            self.decode_stage.set_neighbors(key, found, note)

    def redraw(self) -> None:
        """Draw every stage from the session. Never starts work."""
        session = self.session
        self.input_stage.show_session(session, self.focus_kind)
        self.encode_stage.show_session(session)
        self.transform_stage.show_session(session)
        self.decode_stage.show_session(session)

    @property
    def focus_kind(self) -> str:
        focused = self.focused
        if isinstance(focused, Input):
            return "input"
        if isinstance(focused, SentenceList):
            return "list"
        if isinstance(focused, BlendSlider):
            return "slider"
        if isinstance(focused, ParamForm):
            return "form"
        return "other"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self._stages_mounted():
            self.input_stage.show_session(self.session, self.focus_kind)

    # -- the model's state -------------------------------------------------------------------
    def model_ready(self) -> None:
        if self._stages_mounted():
            self._show_model_state()

    def model_failed(self, error: str) -> None:
        self.session.set_model_error(error)
        if self._stages_mounted():
            self._show_model_state()

    def _show_model_state(self) -> None:
        """Loading indicators, the error panel and what pending rows say, from the app."""
        error = self.session.model_error
        loading = self.app.model is None and error is None
        for stage in (self.encode_stage, self.transform_stage, self.decode_stage):
            stage.loading = loading
        sentences = self.input_stage.sentences
        if error:
            self.query_one("#error-panel", Static).update(Text.assemble(
                ("Could not load the model\n", "bold"), error,
                "\n\nStart again with `textlatent tui --model DIR` (a folder with config.json, "
                "model.safetensors and tokenizer.model; a transformers folder or hf:OWNER/NAME "
                "needs --trust-remote-code). The slide still works."))
            self.query_one(StageArea).add_class("-failed")
            sentences.set_waiting_text("no model loaded")
        else:
            sentences.set_waiting_text("waiting for the model…" if loading else None)
        self.redraw()

    # -- messages from the widgets -----------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#sentences")
    def _sentence_highlighted(self) -> None:
        self.session.select(self.input_stage.sentences.highlighted_id)

    @on(OptionList.OptionSelected, "#sentences")
    def _sentence_selected(self, event: OptionList.OptionSelected) -> None:
        entry_id = self.input_stage.sentences.highlighted_id
        if entry_id is not None:
            self.session.pick(entry_id)

    @on(BlendSlider.Changed)
    def _slider_changed(self, message: BlendSlider.Changed) -> None:
        self.session.set_index(message.index)

    @on(ParamForm.Stepped, "#transform-form")
    def _transform_stepped(self, message: ParamForm.Stepped) -> None:
        """The mode steps the field from the value the session holds now, not the one the form
        drew: a burst of key presses counts every press."""
        try:
            self.mode.step(self.session, message.field.key, message.delta)
        except ValueError as exc:
            self.app.notify(str(exc), severity="warning", timeout=3)

    @on(ParamForm.Stepped, "#decode-form")
    def _decoding_stepped(self, message: ParamForm.Stepped) -> None:
        try:
            key = message.field.key
            field = next(f for f in decoding_fields(self.session) if f.key == key)
            self.session.set_decoding(key, step_value(field, message.delta))
        except ValueError as exc:
            self.app.notify(str(exc), severity="warning", timeout=3)

    @on(SlidePanel.SectionChanged)
    def _section_changed(self, message: SlidePanel.SectionChanged) -> None:
        for stage in self.query(Stage):
            stage.set_highlight(stage.STAGE == message.section.stage)

    @on(Input.Submitted, "#sentence-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.add_sentence(event.value)

    @on(SentenceInput.PastedLines)
    def _pasted(self, message: SentenceInput.PastedLines) -> None:
        with self.session.batch():
            for line in message.lines:
                self.add_sentence(line)
        self.app.notify(f"Added {len(message.lines)} pasted lines as sentences.")

    def add_sentence(self, text: str) -> Entry | None:
        """Add a sentence typed by the learner; the first two become A and B."""
        if not text.strip():
            self.app.notify("Type a sentence first.", title="Empty input", severity="warning")
            return None
        entry = self.session.add_typed(text)
        self.app.encode_later([entry])
        return entry

    def add_starters(self, texts: list[str]) -> None:
        with self.session.batch():
            entries = [self.session.add(text, select=False) for text in texts]
            self._use_pair(0)
        self.app.encode_later(entries + [self.session.a, self.session.b])

    def _use_pair(self, index: int) -> None:
        if not self._pairs:
            return
        a, b = self.session.set_pair(*self._pairs[index % len(self._pairs)])
        self.app.encode_later([a, b])

    # -- actions -----------------------------------------------------------------------------
    def _confirmed(self, what: str) -> bool:
        """True on the second press within CONFIRM_SECONDS."""
        now = time.monotonic()
        if now - self._armed.pop(what, -1e9) <= CONFIRM_SECONDS:
            return True
        self._armed[what] = now
        return False

    def action_set_end(self, which: str) -> None:
        entry = self.session.selected
        if entry is None:
            self.app.notify("Highlight a sentence in the list first.", severity="warning")
            return
        self.session.set_end(which, entry.id)

    def action_remove(self) -> None:
        entry = self.session.selected
        if entry is not None:
            self.session.remove(entry.id)
            self.app.notify("Removed. u undoes.", timeout=3)

    def action_undo(self) -> None:
        what = self.session.undo()
        if what is None:
            self.app.notify("Nothing to undo.", severity="warning", timeout=3)
            return
        self.app.encode_later([e for e in self.session.entries if not e.ready])
        self.app.notify(f"Undid: {what}", timeout=3)

    def action_clear(self) -> None:
        count = len(self.session.entries)
        if not count:
            return
        if not self._confirmed("clear"):
            self.app.notify(f"Press ctrl+l again to remove all {count} sentences.",
                            title="Clear?", severity="warning", timeout=CONFIRM_SECONDS)
            return
        self.app.cancel_encoding()
        self.app.dismiss_notifications("Clear?")
        self.session.clear()
        self.app.notify(f"Cleared {count} sentences. u undoes (outside the input).",
                        timeout=4)

    def action_move(self, delta: int) -> None:
        self.session.move(delta)

    def action_row(self, delta: int) -> None:
        self.session.move(delta)

    # -- what acts in the current mode ---------------------------------------------------------
    @property
    def mode(self) -> Mode:
        """The current Transform mode's adapter."""
        return mode(self.session.transform)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Mode-bound keys act (and show in the footer) only in the modes where they do
        something; `r` also reseeds a sampled decode."""
        if action not in MODE_ACTIONS:
            return True
        if action == "reseed" and self.session.decoding.get("how") == "sampled":
            return True
        return self.mode.acts(action, self.session)

    def action_jump(self, index: int) -> None:
        self.session.set_index(index if index >= 0 else self.session.steps - 1)

    def action_toggle_method(self) -> None:
        self.session.toggle_method()

    def action_cycle_view(self) -> None:
        """The Encode stage's next picture; a latent space view opens the slide's part on it."""
        view = self.encode_stage.cycle_view(self.session)
        if view != "heatmap":
            titles = [s.title.lower() for s in self.slide.sections]
            if "latent space" in titles:
                self.slide_panel.go(titles.index("latent space"))

    # -- transform modes -------------------------------------------------------------------
    def action_cycle_mode(self, delta: int) -> None:
        self.session.cycle_transform(delta)
        self._say_mode()

    def action_mode(self, name: str) -> None:
        self.session.set_transform(name)
        self._say_mode()

    def _say_mode(self) -> None:
        spec = self.session.spec
        why = self.session.waiting_for
        note = f"{spec.title}: {spec.help}"
        if why and why not in ("encoding",):
            note += f"\n{self.session.waiting_text()}"
        self.app.notify(note, title="Transform", timeout=3)

    def action_focus_form(self) -> None:
        self.transform_stage.form.focus()

    def action_focus_decoding(self) -> None:
        self.decode_stage.open_form()

    def action_reseed(self) -> None:
        session = self.session
        if self.mode.reseeds:
            seed = (int(session.params.get("seed") or 0) + 1) % 2**32
            session.set_param("seed", seed)
            self.app.notify(f"{session.spec.title}: seed {seed}", timeout=2)
        elif session.decoding["how"] == "sampled":
            seed = (int(session.decoding["seed"]) + 1) % 2**32
            session.set_decoding("seed", seed)
            self.app.notify(f"Sampled decoding: seed {seed}", timeout=2)

    def action_add_decoded(self) -> None:
        text = self.session.current_text
        if not text or not text.strip():
            self.app.notify("No decoded text here yet.", severity="warning", timeout=3)
            return
        entry = self.session.add(text, select=False)
        self.app.encode_later([entry])
        self.app.notify(f"Added: {text}", title="New sentence", timeout=3)

    def action_add_term(self, sign: int) -> None:
        entry = self.session.selected
        if entry is None:
            self.app.notify("Highlight a sentence in the list first.", severity="warning")
            return
        try:
            with self.session.batch():
                self.session.set_transform("arithmetic")
                weight = self.session.add_term(entry.id, float(sign))
        except ValueError as exc:
            self.app.notify(str(exc), severity="warning", timeout=3)
            return
        what = "dropped" if weight == 0 else f"weight {weight:+g}"
        self.app.notify(f"{printable(entry.text)}: {what}", title="Arithmetic term", timeout=2)

    def action_clear_terms(self) -> None:
        self.session.clear_terms()

    def action_leave_input(self) -> None:
        self.input_stage.sentences.focus()

    def action_stage(self, number: int) -> None:
        """Focus stage `number`'s control and open the slide's part about it."""
        slider = self.transform_stage.slider
        third = slider if slider.display else self.transform_stage.form
        targets = {1: self.input_stage.input, 2: self.input_stage.sentences,
                   3: third, 4: third}
        targets[number].focus()
        prefix = f"{number}."
        for i, section in enumerate(self.slide.sections):
            if section.title.startswith(prefix) and section.stage:
                self.slide_panel.go(i)
                break

    def action_section(self, delta: int) -> None:
        self._show_slide_for_navigation()
        if delta > 0:
            self.slide_panel.next()
        else:
            self.slide_panel.previous()

    def _show_slide_for_navigation(self) -> None:
        if not self.slide_visible:
            self._slide_pref = True
            self._apply_slide_visibility()

    def _apply_slide_visibility(self) -> None:
        panel = self.slide_panel
        panel.set_class(self._slide_pref is True, "-shown")
        panel.set_class(self._slide_pref is False, "-hidden")

    @property
    def slide_visible(self) -> bool:
        if self._slide_pref is not None:
            return self._slide_pref
        return self.app.size.width >= SLIDE_MIN_WIDTH

    def action_toggle_slide(self) -> None:
        self._slide_pref = not self.slide_visible
        self._apply_slide_visibility()

    def action_next_pair(self) -> None:
        self._pair_index += 1
        self._use_pair(self._pair_index)

    def _latent(self) -> dict | None:
        source = "sentence" if self.focus_kind == "list" else "blend"
        return latent_json(self.session, self.app.model_name, source)

    def action_copy_latent(self) -> None:
        data = self._latent()
        if data is None:
            self.app.notify("No latent to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(dumps(data))
        self.app.notify(copy_note(data), title="Copy sent", timeout=4)

    def action_save_latent(self) -> None:
        data = self._latent()
        if data is None:
            self.app.notify("No latent to save yet.", severity="warning")
            return
        try:
            path = write_json(data, new_file_name("textlatent-latent", ".json"))
        except OSError as exc:
            self.app.notify(f"Could not save: {exc}", severity="error")
            return
        self.app.notify(str(path), title="Latent saved", timeout=4)

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(), self._export_chosen)

    def _export_chosen(self, target: str | None) -> None:
        if target:
            self.app.export_session(target)
