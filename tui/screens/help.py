"""HelpScreen (F1): what the app shows, and every key, generated from the bindings."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from textlatent.fidelity import DEFAULT

from ..widgets.latent_views import HELP as VIEWS_HELP

INTRO = """\
# textlatent — keys and help

The main area follows the slide's four steps (keys **1**–**4** go to them):

- **1. Input Data**: type a sentence, Enter encodes it. Each row shows the sentence and, on the
  right, the fidelity of what the model gave back; **→** shows that text when it differs from
  the sentence. Under the input:
  the highlighted sentence's tokenizer pieces and how many tokens it is. **⚠** marks a
  sentence with few English words or mostly byte pieces: probably not English, which this
  model never learned.
- **2. Encode**: the highlighted sentence's latent z. Every value is a cell: **▁** most
  negative … **█** most positive (colour says the same). ‖z‖ is 1: latents are unit vectors.
  cos(A,B) is how close the two ends are. Below: how z was decoded back to text, each try with
  its fidelity; when greedy decoding does not verify, the rounds of latent correction.
{views}- **3. Transform**: the mode (**t** cycles: blend, variations, sample, arithmetic, edit; each
  has its part below), what goes in, its settings (**o**, then ↑ / ↓) and the current row's
  latent. Blend has a slider; the other modes step through their rows with ← / →.
- **4. Decode**: the sentence the decoder writes for the current row, and every row; **▶**
  marks the current one, **•** a row whose text changed (from the row above in a blend, from
  the source for variations and edit; new words underlined), **×3** rows that read the same,
  and at the right each text's fidelity. Rows fill in as they are decoded (the caption counts
  them). **d** picks the decoding: auto (the default, below), greedy, verified (correction
  rounds for every row), beam, or sampled.

**Fidelity** of a decoded text is cos(z, encode(text)): encode the text again and compare with
the latent it was decoded from. **✓** means the text encodes back to z (fidelity ≥ 0.9999): for
a sentence, the model gave it back. Otherwise the number, rounded down (**0.97**): how close the
text's own latent comes. A point between A and B is no sentence's encoding, so expect a number
there. Decoding is greedy, checked this way; a sentence (and, by default, a blend's two ends)
that does not verify gets up to {rounds} rounds of latent correction (decode, re-encode, move
the query along z − encode(text), decode again), and the closest try is kept.

The side panel shows the tutorial slide (**s** shows or hides it; narrow terminals hide it);
when a section talks about a stage, that stage lights up with a heavy border. The area with
focus has a double border and a reversed title.
""".replace("{rounds}", str(DEFAULT.rounds)).replace("{views}", VIEWS_HELP)


class HelpScreen(ModalScreen[None]):
    """A modal page of help; Escape, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help"),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__(id="help-screen")
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Help"
            body.border_subtitle = "Esc to close"
            yield Markdown(self._markdown, id="help-markdown")

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()
