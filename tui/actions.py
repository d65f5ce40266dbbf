"""One table of the app's actions: it feeds the key bindings, F1 help, the command palette and
the keys table in docs/app.md (a test compares them), so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from textlatent import transforms as registry

SCOPES = {
    "app": "Anywhere",
    "screen": "Main screen (not while typing in the input)",
    "input": "In the input",
    "list": "In the sentence list",
    "slider": "On the blend slider",
    "form": "In a form (the Transform stage's settings, the Decode stage's choices)",
}


@dataclass(frozen=True)
class Action:
    """One thing the learner can do, and every way to reach it."""

    keys: str  # Textual key names, comma-separated; "" = reached some other way
    action: str  # the action on the screen (or the app, scope "app"); "" = built-in behaviour
    label: str  # the footer's short label
    help: str  # one line: F1, the palette and the README say this
    scope: str = "screen"
    doc_keys: str = ""  # how help and README write the keys (default: the key names)
    show: bool = True  # shown in the footer
    palette: str = ""  # the command palette title ("" = not in the palette)
    key_display: str | None = None
    table: bool = True  # listed in the keys tables (F1, README); the modes have their own part

    @property
    def keys_text(self) -> str:
        return self.doc_keys or " / ".join(self.keys.split(","))

    @property
    def target(self) -> str:
        """The namespace the action runs in: 'app' or 'screen'."""
        return "app" if self.scope == "app" else "screen"


ACTIONS: tuple[Action, ...] = (
    # anywhere
    Action("f1", "help", "Help", "Show the keys and what the screen shows", "app",
           palette="Help"),
    Action("ctrl+s", "screenshot", "Screenshot", "Save an SVG screenshot in the current folder",
           "app", show=False, palette="Save screenshot"),
    Action("ctrl+p", "command_palette", "Palette", "Command palette: every action, and the "
           "theme (remembered)", "app", key_display="^p"),
    Action("", "", "", "Quit", "app", doc_keys="ctrl+q"),
    # the main screen
    Action("", "", "", "Next / previous area: input, sentences, slider, slide contents",
           doc_keys="Tab / shift+Tab"),
    Action("1,2,3,4", "stage({key})", "Stage", "Go to stage 1–4 (1 the input, 2 the "
           "sentences, 3 and 4 the slider) and the slide's part about it", doc_keys="1 – 4",
           show=False),
    Action("left,h", "move(-1)", "t−", "Blend: move the slider towards A", key_display="←",
           doc_keys="← / h", palette=""),
    Action("right,l", "move(1)", "t+", "Blend: move the slider towards B", key_display="→",
           doc_keys="→ / l"),
    Action("left,h", "row(-1)", "Prev row", "Other modes: the previous row of the Decode "
           "stage", key_display="←", doc_keys="← / h"),
    Action("right,l", "row(1)", "Next row", "Other modes: the next row of the Decode stage",
           key_display="→", doc_keys="→ / l"),
    Action("t", "cycle_mode(1)", "Mode", "Next transform mode: "
           + ", ".join(t.title.lower() for t in registry.REGISTRY.values()),
           palette="Next transform mode"),
    *(Action("", f"mode('{name}')", "", f"Transform: {t.title.lower()}, {t.help}",
             doc_keys="palette", palette=f"Transform: {t.title.lower()}", table=False)
      for name, t in registry.REGISTRY.items()),
    Action("o", "focus_form", "Settings", "Go to the transform's settings (←/→ a field, ↑/↓ "
           "its value)", palette="Transform settings"),
    Action("s", "toggle_slide", "Slide", "Show or hide the slide", palette="Show / hide slide"),
    Action("d", "focus_decoding", "Decoding", "Go to the decoding choices: auto, greedy, "
           "verified, beam, sampled (temperature, top-p, seed)", show=False,
           palette="Decoding choices"),
    Action("r", "reseed", "Reseed", "Variations, sample (or a sampled decode): draw again "
           "with a new seed", palette="New seed"),
    Action("n", "add_decoded", "Add text", "Add the current decoded text to the sentence list",
           palette="Add the decoded text as a sentence"),
    Action("x", "clear_terms", "Clear terms", "Arithmetic: clear the terms",
           palette="Clear arithmetic terms"),
    Action("m", "toggle_method", "Method",
           "Blend: along the sphere (slerp) or along a straight line (lerp)",
           palette="Blend method: slerp / lerp"),
    Action("p", "next_pair", "Pair", "Blend: the next starter pair",
           palette="Next starter pair"),
    Action("v", "cycle_view", "View", "Encode stage's picture: heat map → the A–B plane → the "
           "map of meanings → the similarity grid", palette="Next latent space view"),
    Action("c", "copy_latent", "Copy z",
           "Copy a latent as JSON: the highlighted sentence's in the list, else the blend's",
           palette="Copy latent to the clipboard"),
    Action("w", "save_latent", "Save z",
           "Write that latent to a JSON file (when the terminal drops clipboard copies)",
           show=False, palette="Save latent to a file"),
    Action("e", "export", "Export", "Export the session (sentences, latents, path) to JSON",
           show=False, palette="Export session"),
    Action("u", "undo", "Undo", "Undo the last remove or clear", show=False,
           palette="Undo remove / clear"),
    Action("ctrl+l", "clear", "Clear", "Remove all sentences (press twice; u undoes)",
           palette="Clear all sentences"),
    Action("[,pageup", "section(-1)", "Prev section", "Previous section of the slide",
           key_display="[", doc_keys="[ / PgUp", show=False),
    Action("],pagedown", "section(1)", "Next section", "Next section of the slide",
           key_display="]", doc_keys="] / PgDn", show=False),
    # the input
    Action("", "", "", "Encode the typed sentence (a pasted list: one sentence per line)",
           "input", doc_keys="Enter", palette=""),
    Action("escape", "leave_input", "Leave input", "Leave the input (keys work again)",
           "input", doc_keys="Esc"),
    # the sentence list
    Action("", "", "", "Make the highlighted sentence A, the next one B, and so on", "list",
           doc_keys="Enter"),
    Action("a", "set_end('a')", "Set A", "Blend from the highlighted sentence (A)", "list",
           palette="Set A to the highlighted sentence"),
    Action("b", "set_end('b')", "Set B", "Blend to the highlighted sentence (B)", "list",
           palette="Set B to the highlighted sentence"),
    Action("plus", "add_term(1)", "+ term", "Arithmetic: add the highlighted sentence as a "
           "term, weight +1 (again: +2)", "list", doc_keys="+", show=False,
           palette="Arithmetic: + the highlighted sentence"),
    Action("minus", "add_term(-1)", "− term", "Arithmetic: subtract the highlighted sentence "
           "(weight −1; again: −2)", "list", doc_keys="-", show=False,
           palette="Arithmetic: − the highlighted sentence"),
    Action("delete", "remove", "Remove", "Remove the highlighted sentence (u undoes)", "list",
           palette="Remove the highlighted sentence"),
    # the slider
    Action("home", "jump(0)", "t = 0", "Jump to A (t = 0)", "slider", show=False),
    Action("end", "jump(-1)", "t = 1", "Jump to B (t = 1)", "slider", show=False),
    # a form
    Action("left", "choose(-1)", "Field", "The field on the left", "form", key_display="←",
           doc_keys="←", show=False),
    Action("right", "choose(1)", "Field", "The field on the right", "form", key_display="→",
           doc_keys="→", show=False),
    Action("up,plus", "step(1)", "Up", "Step the field's value up (or the next choice)", "form",
           key_display="↑", doc_keys="↑ / +"),
    Action("down,minus", "step(-1)", "Down", "Step the field's value down", "form",
           key_display="↓", doc_keys="↓ / -"),
    Action("escape", "leave", "Leave", "Leave the form (the main screen's keys work again)",
           "form", doc_keys="Esc"),
)


def actions(scope: str, table: bool = False) -> list[Action]:
    """The actions of one scope (`table`: only those the keys tables list)."""
    return [a for a in ACTIONS if a.scope == scope and (a.table or not table)]


def bindings(scope: str, target: str = "screen") -> list[Binding]:
    """Key bindings for one scope. Widget scopes run the screen's actions, or the widget's
    own with `target="focused"`."""
    out = []
    for act in actions(scope):
        if not act.keys or not act.action:
            continue
        own = scope in ("app", "screen") or target == "focused"
        name = act.action if own else f"screen.{act.action}"
        if "{key}" in name:  # one binding per key, the key as the argument
            out.extend(Binding(key, name.format(key=key), act.label, show=act.show,
                               tooltip=act.help) for key in act.keys.split(","))
            continue
        out.append(Binding(act.keys, name, act.label, show=act.show,
                           key_display=act.key_display, tooltip=act.help))
    return out


def section_keys() -> list[Binding]:
    """PgUp / PgDn turn the slide's pages even where a list would scroll with them."""
    out = []
    for act in actions("screen"):
        if act.action.startswith("section("):
            for key in act.keys.split(","):
                if key.startswith("page"):
                    out.append(Binding(key, f"screen.{act.action}", act.label, show=False))
    return out


def palette_actions() -> list[Action]:
    return [a for a in ACTIONS if a.palette]


def help_markdown(intro: str, modes: dict[str, str] | None = None) -> str:
    """F1: an intro, one section per transform mode (title: its help text), then the keys
    table by where they work."""
    parts = [intro]
    if modes:
        parts.append("\n## Transform modes (t cycles; each is also in the command palette)")
        for title, text in modes.items():
            parts.append(f"\n### {title}\n\n{text}")
    for scope, title in SCOPES.items():
        rows = actions(scope, table=True)
        if rows:
            parts.append(f"\n## {title}\n\n| Key | Does |\n|---|---|")
            parts.extend(f"| `{a.keys_text}` | {a.help} |" for a in rows)
    return "\n".join(parts) + "\n"


def keys_table() -> str:
    """The keys table of docs/app.md."""
    lines = ["| key | where | does |", "|---|---|---|"]
    for scope, title in SCOPES.items():
        where = title.split(" (")[0].lower()
        lines.extend(f"| `{a.keys_text}` | {where} | {a.help} |"
                     for a in actions(scope, table=True))
    return "\n".join(lines) + "\n"
