"""The face editor: a face (or digit) moved along the main directions of the training codes.

    editor = explorer.face_editor(model, faces.images, judge, names=explorer.face_names(faces))
    editor                       # a dropdown of faces, up to ten sliders, reset / random buttons

The directions are the principal components of the codes of the faces in use
(``principal_directions``: ``torch.pca_lowrank``, ranked by variance), each slider labelled by
what it changes most in the judge's eyes (``direction_labels``). Works for the faces VAE
(images (N, 3, S, S)) and the MNIST ``DenseVAE`` (digits (N, 28, 28) or (N, 784), with the digit
judge). Codes are (N, d) floats; images uint8 0..255 or floats in [0, 1]. The glasses shop is in
``glasses_shop``, the clickable map in ``code_map``, GIF export in ``gifs``.
"""

from collections import deque

import ipywidgets as W
import torch

from dlhelpers.chapter import latent
from dlhelpers.chapter.latent import to_float
from dlhelpers.measure import judges
from dlhelpers.measure.nets import DigitNet
from dlhelpers.widgets import preview
from dlhelpers.widgets.gifs import GifButton
from dlhelpers.widgets.live import LiveImage, caption, one_thread, ready, titled

MAX_CODES = 2000  # codes encoded for the directions and the map (enough for 10 components)
MOVES_KEPT = 40  # the editor's recent codes, for a GIF of "what I just did"


def as_model_input(images):
    """Images uint8 or [0, 1], (N, 3, S, S), (N, 28, 28) or (N, 784) -> floats in [0, 1] the
    model's encoder takes ((N, 1, 28, 28) for digits)."""
    x = to_float(images)
    if x.dim() == 2:
        x = x.view(len(x), 1, 28, 28)
    return x.unsqueeze(1) if x.dim() == 3 else x


def encode_some(model, images, n=MAX_CODES):
    """Codes (min(n, N), d) of the first ``n`` images (the VAE's means, no sampling)."""
    return latent.encode(model, as_model_input(images[:n]))


def judge_scores(judge, images):
    """What the judge sees in images (N, C, H, W) in [0, 1]: dict name -> (N,) probabilities.

    The trait judge gives its traits ("glasses", "beard", ...); the digit judge one entry per
    class ("digit 0" .. "digit 9"). ``judge=None`` gives {}."""
    if judge is None:
        return {}
    if isinstance(judge, DigitNet):
        probs = judges.digit_probs(judge, images)
        return {f"digit {k}": probs[:, k] for k in range(probs.shape[1])}
    return judges.trait_scores(judge, images)


def score_line(scores, at=0, top=4):
    """One line of the judge's reading of image ``at``: "glasses 0.93 · beard 0.02 · ...", or,
    for the digit judge, its most probable class: "digit 3 (0.91)"."""
    if not scores:
        return ""
    values = {name: float(v[at]) for name, v in scores.items()}
    if all(name.startswith("digit ") for name in values):
        best = max(values, key=values.get)
        return f"the judge reads: {best} ({values[best]:.2f})"
    return "the judge reads: " + " · ".join(
        f"{n.replace('_', ' ')} {v:.2f}" for n, v in list(values.items())[:top]
    )


def principal_directions(codes, k=10):
    """The ``k`` main directions of codes (N, d), ranked by variance (``torch.pca_lowrank``).

    Returns ``(directions, spread)``: directions (k, d), unit rows; spread (k,), the standard
    deviation of the codes along each (so a slider at 1 moves a code one typical step).
    ``k`` is cut to min(d, N - 1). Deterministic (seeded) for the same codes."""
    codes = torch.as_tensor(codes).float()
    if codes.dim() != 2 or len(codes) < 3:
        raise ValueError(f"principal_directions needs codes (N, d) with N >= 3, got {tuple(codes.shape)}")
    k = max(1, min(int(k), codes.shape[1], len(codes) - 1))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        _, s, v = torch.pca_lowrank(codes, q=min(k + 4, codes.shape[1], len(codes)), center=True)
    return v[:, :k].T.contiguous(), s[:k] / (len(codes) - 1) ** 0.5


@torch.no_grad()
def direction_labels(model, judge, codes, directions, spread, bases=8, step=2.0, min_change=0.1):
    """What each direction changes most, by the judge: a list of k short labels.

    ``bases`` codes from ``codes`` are moved ``± step`` spreads along each direction and decoded;
    the judge's mean probabilities at + and at − are compared and the (at most two) scores that
    change by at least ``min_change`` named with the sign of the change: "+glasses −beard".
    Directions the judge sees no change in (or ``judge=None``) are labelled "no trait of the judge".
    """
    base = codes[torch.linspace(0, len(codes) - 1, min(bases, len(codes))).long()]
    labels = []
    for direction, s in zip(directions, spread):
        move = step * float(s) * direction
        with one_thread():
            plus = judge_scores(judge, latent.decode(model, base + move))
            minus = judge_scores(judge, latent.decode(model, base - move))
        change = {name: float(plus[name].mean() - minus[name].mean()) for name in plus}
        named = sorted((n for n in change if abs(change[n]) >= min_change), key=lambda n: -abs(change[n]))[:2]
        labels.append(
            " ".join(f"{'+' if change[n] > 0 else '−'}{n.replace('_', ' ')}" for n in named)
            or "no trait of the judge"
        )
    return labels


def face_names(faces, n=None):
    """Dropdown names for a ``FaceSet``'s faces: "face 12 · glasses, beard" (what the labels say)."""
    n = len(faces) if n is None else min(n, len(faces))
    beard = (faces.attributes or {}).get("beard")
    names = []
    for i in range(n):
        traits = ["glasses" if int(faces.glasses[i]) else "no glasses"]
        if beard is not None:
            traits.append("beard" if int(beard[i]) else "no beard")
        names.append(f"face {faces.ids[i]} · {', '.join(traits)}")
    return names


class FaceEditor(LiveImage):
    """A chosen code moved along ``k`` principal directions, decoded live, scored by the judge.

    Attributes: ``chooser`` (Dropdown of the first faces), ``sliders`` (k FloatSliders, −3..3 in
    spreads), ``slider_labels`` (what each changes), ``reset_button``, ``randomise_button``,
    ``random_button`` (a random code N(0, 1) as the start), ``image``, ``original_image`` (the
    start code decoded), ``readout`` (the judge's line), ``moves`` (recent codes, (1, d) each).
    """

    def __init__(self, model, images, judge=None, names=None, k=10, codes=None, choices=40, seed=0):
        super().__init__(ready(model))
        self.judge = judge
        self.codes = codes if codes is not None else encode_some(model, images)
        self.start_codes = self.codes[:choices]
        self.directions, self.spread = principal_directions(self.codes, k)
        self.labels = direction_labels(model, judge, self.codes, self.directions, self.spread)
        names = list(names or [f"image {i}" for i in range(len(self.start_codes))])
        self.chooser = W.Dropdown(
            options=[(names[i], i) for i in range(len(self.start_codes))],
            description="start",
            layout=W.Layout(width="auto"),
        )
        self.base = self.start_codes[:1].clone()
        self.gen = torch.Generator().manual_seed(seed)
        self.sliders = [
            W.FloatSlider(
                value=0,
                min=-3,
                max=3,
                step=0.1,
                description=f"PC {i + 1}",
                readout_format=".1f",
                continuous_update=True,
                style={"description_width": "3.5em"},
            )
            for i in range(len(self.directions))
        ]
        self.slider_labels = [W.HTML(f"<i>{label}</i>") for label in self.labels]
        wide = W.Layout(width="auto")
        self.reset_button = W.Button(description="reset", icon="undo", layout=wide)
        self.randomise_button = W.Button(description="randomise sliders", icon="random", layout=wide)
        self.random_button = W.Button(description="random code", icon="magic", layout=wide)
        self.original_image = W.Image(value=self.picture(self.base), format="png")
        self.readout = caption("")
        self.moves = deque(maxlen=MOVES_KEPT)
        self._holding = False
        rows = [
            W.HBox([s, lab], layout=W.Layout(align_items="center"))
            for s, lab in zip(self.sliders, self.slider_labels)
        ]

        self.gif = GifButton(self, "editor")
        self.children = [
            W.HBox([self.chooser, self.random_button]),
            W.HBox([titled("start", self.original_image), titled("edited", self.image)]),
            self.readout,
            W.VBox(rows, layout=W.Layout(align_items="flex-start")),
            W.HBox([self.reset_button, self.randomise_button]),
            self.gif,
        ]
        for s in self.sliders:
            s.observe(self.redraw, "value")
        self.chooser.observe(self._chosen, "value")
        self.reset_button.on_click(lambda _: self.reset())
        self.randomise_button.on_click(lambda _: self.randomise())
        self.random_button.on_click(lambda _: self.random_start())
        self.redraw()

    def code(self):
        """The start code plus sum_i slider_i * spread_i * direction_i, (1, d)."""
        amounts = torch.tensor([float(s.value) for s in self.sliders]) * self.spread
        return self.base + (amounts[:, None] * self.directions).sum(0, keepdim=True)

    def redraw(self, change=None):
        if self._holding:
            return
        z = self.code()
        with one_thread():  # the PNG too: on a busy machine two threads wait for each other
            image = latent.decode(self.model, z)
            line = score_line(judge_scores(self.judge, image))
            self.image.value = self.png(image)
        self.readout.value = f"<div style='text-align:center'>{line}</div>"
        self.moves.append(z)
        self.redraws += 1

    def set_sliders(self, values):
        """Move every slider at once (one redraw): ``values`` a list of k numbers."""
        self._holding = True
        try:
            for s, v in zip(self.sliders, values):
                s.value = max(s.min, min(s.max, round(float(v), 1)))
        finally:
            self._holding = False
        self.redraw()

    def reset(self):
        """All sliders back to 0: the start face as it is."""
        self.set_sliders([0] * len(self.sliders))

    def randomise(self):
        """Every slider to a random value in −2..2 (seeded by the editor's generator)."""
        self.set_sliders((torch.rand(len(self.sliders), generator=self.gen) * 4 - 2).tolist())

    def start_from(self, z):
        """Start from code ``z`` (d,) or (1, d): shown as "start", sliders reset."""
        self.base = torch.as_tensor(z).float().view(1, -1).clone()
        self.original_image.value = self.picture(self.base)
        self.reset()

    def random_start(self):
        """Start from a random code drawn from N(0, 1), the VAE's prior."""
        self.start_from(torch.randn(1, self.codes.shape[1], generator=self.gen))

    def _chosen(self, change):
        self.start_from(self.start_codes[change["new"]])

    def panels(self):
        return [("start", self.original_image.value), ("edited", self.image.value)]

    def lines(self):
        i = getattr(self, "shown_slider", 0)
        slider = preview.Slider(f"PC {i + 1} ({self.labels[i]})", float(self.sliders[i].value), -3, 3)
        return [f"start: {self.chooser.label}", slider, preview.text(self.readout.value)]

    def preview_frames(self, n=3, steps=(0, 1, 2, 1, 0, -1, -2, -1)):
        """The first ``n`` sliders moved in turn through ``steps``, the others at 0; then every
        slider, the recent moves and ``redraws`` as they were."""
        start, moves, redraws = [s.value for s in self.sliders], list(self.moves), self.redraws
        shots = []
        try:
            for i in range(min(n, len(self.sliders))):
                self.shown_slider = i
                for v in steps:
                    self.set_sliders([v if k == i else 0 for k in range(len(self.sliders))])
                    shots.append(self.snapshot())
        finally:
            self.shown_slider = 0
            self.set_sliders(start)
            self.moves, self.redraws = deque(moves, maxlen=MOVES_KEPT), redraws
        return shots

    def gif_codes(self):
        """The recent moves (T, d) for a GIF: the codes of the last redraws, oldest first."""
        codes = torch.cat(list(self.moves))
        return codes if len(codes) > 1 else latent.path(self.base[0], codes[-1], [0, 0.5, 1])


def direction_rows(editor, n=4, strengths=(-2, -1, 0, 1, 2)):
    """What the editor's first ``n`` sliders do to its start face, for ``plot.show_rows``: a list
    of (label, images (len(strengths), C, H, W) in [0, 1]), one row per direction."""
    rows = []
    for i in range(min(n, len(editor.directions))):
        step = editor.spread[i] * editor.directions[i]
        codes = torch.cat([editor.base + float(s) * step for s in strengths])
        rows.append((f"PC {i + 1}: {editor.labels[i]}", latent.decode(editor.model, codes)))
    return rows


def face_editor(model, images, judge=None, names=None, k=10, choices=40):
    """A face editor: pick a start (a face of ``images`` or a random code), then move up to ``k``
    sliders along the principal directions of the images' codes, each labelled by what it changes
    in the ``judge``'s eyes (trait judge, digit judge, or None).

    ``images``: (N, 3, S, S) faces or MNIST digits (N, 28, 28), uint8 or [0, 1]; the first
    ``MAX_CODES`` are encoded. ``names``: dropdown labels for the first ``choices`` images (e.g.
    ``face_names(faces)``). Returns a ``FaceEditor`` (an ipywidgets.VBox).
    """
    return FaceEditor(model, images, judge, names, k, choices=choices)
