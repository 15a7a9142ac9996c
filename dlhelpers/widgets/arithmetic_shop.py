"""Figure 7.1 as the book builds it: women wearing a man's glasses, by encoding arithmetic.

    shop = arithmetic_shop.arithmetic_shop(model, faces, judge)
    shop        # z1, z2, z3 and the result side by side, the judge's verdict, a gallery to click

The chapter opens with a glasses shop that has photos of men wearing a new frame and wants women
wearing it; section 7.4.4 (exercise 7.1) computes it: z1 − z2 + z3 with z1 the code of a man
with glasses, z2 the mean code of men without and z3 that of women without (``core.arithmetic``
or a notebook's own copy). Codes come from ``latent.encode`` (the VAE's means), (1, d) each;
faces are a ``FaceSet`` (images uint8 (N, 3, S, S), 0..255). The glasses direction and figure
7.2's frame slider are in ``glasses_shop``.
"""

import ipywidgets as W
import torch

from dlhelpers.chapter import core, latent
from dlhelpers.data import groups
from dlhelpers.engine.display import enlargement
from dlhelpers.measure import judges, verdicts
from dlhelpers.widgets import preview
from dlhelpers.widgets.explorer import encode_some
from dlhelpers.widgets.gallery import GalleryPicker
from dlhelpers.widgets.gifs import GifButton
from dlhelpers.widgets.live import LiveImage, caption, one_thread, ready, titled

ROLES = ("man with glasses", "men without", "women without")  # z1, z2, z3 of z1 − z2 + z3
THUMB_PX, GALLERY_PX = 128, 800  # gallery faces about 128 screen px wide, the gallery at most 800
GALLERY_CAPTION = "the gallery: with glasses first, then without"
TILES = ("z1: his glasses", "z2: men without", "z3: women without", "result = z1 − z2 + z3")


def first_picks(faces, per_group=3, seed=0):
    """The shop's first picks, face indices by role: the first man with glasses and the men and
    women without glasses of ``groups.four_groups`` (a saved choice, else the labels with a beard
    as "man", else the book's own picks on the photos; it prints which)."""
    chosen = groups.four_groups(faces, per_group, seed)
    return dict(zip(ROLES, (chosen["men_glasses"][:1], chosen["men_noglasses"], chosen["women_noglasses"])))


def gallery_shape(side):
    """(scale, columns) of the gallery for faces of ``side`` px: each face enlarged ``scale`` times,
    to about ``THUMB_PX``, and as many columns as fit in ``GALLERY_PX`` (at most 8)."""
    scale = max(1, round(THUMB_PX / side))
    return scale, max(1, min(8, GALLERY_PX // (side * scale + 4)))


def gallery_faces(faces, picks, with_glasses=6, without=12):
    """Face indices the shop's gallery shows: the picks, filled up with the first other faces to
    ``with_glasses`` faces labelled with glasses, followed by ``without`` faces labelled without."""
    shown = []
    for wears, n in ((1, with_glasses), (0, without)):
        mine = [i for role in ROLES for i in picks[role] if int(faces.glasses[i]) == wears]
        pool = (faces.glasses == wears).nonzero().flatten().tolist()
        rest = [i for i in pool if i not in mine and i not in shown]
        shown += list(dict.fromkeys(mine)) + rest[: max(0, n - len(mine))]
    return shown


class ArithmeticShop(LiveImage):
    """Figure 7.1: z1 (the mean code of the faces picked as the man with glasses), z2 (the men
    without), z3 (the women without) and ``arithmetic(z1, z2, z3)`` decoded side by side, the
    result judged for glasses and, where the faces are labelled for it, no beard (a woman).

    Attributes: ``picker`` (a ``GalleryPicker``: choose a role, click faces), ``shown`` (the face
    indices of its thumbnails), ``codes`` (their codes (n, d)), ``tiles`` (4 Images: z1, z2, z3,
    result; the result is ``image``), ``target`` ({trait: 0/1}), ``line`` and ``readout`` (the
    verdict), ``gif`` (a GIF from z3 to the result).
    """

    def __init__(self, model, faces, judge, picks, shown, arithmetic=core.arithmetic):
        super().__init__(ready(model))
        self.faces, self.judge, self.arithmetic, self.shown = faces, judge, arithmetic, list(shown)
        self.codes = encode_some(model, faces.images[self.shown], len(self.shown))
        self.target = groups.labelled(faces, {"glasses": 1, "beard": 0})
        at = {face: k for k, face in enumerate(self.shown)}
        scale, columns = gallery_shape(faces.images.shape[-1])
        self.picker = GalleryPicker(
            faces.images[self.shown],
            {role: len(picks[role]) for role in ROLES},
            picks={role: [at[i] for i in picks[role]] for role in ROLES},
            columns=columns,
            ids=[faces.ids[i] for i in self.shown],
            scale=scale,
        )
        self.picker.chooser.description = "click for"
        self.picker.code.layout.display = "none"  # the line to paste is the gallery's, not the shop's
        self.tiles = [W.Image(format="png") for _ in TILES[:3]] + [self.image]
        self.readout, self.line = caption(""), ""
        self.gif = GifButton(self, "his_glasses_on_her")
        self.children = [
            W.HBox([titled(t, tile) for t, tile in zip(TILES, self.tiles)]),
            self.readout,
            caption(GALLERY_CAPTION),
            self.picker,
            self.gif,
        ]
        for button in self.picker.buttons:
            button.on_click(self.redraw)  # after the picker's own handler has moved the face
        self.redraw()

    def group_codes(self):
        """(z1, z2, z3), each (1, d): the mean code of each role's picks; ValueError naming the
        roles without a pick."""
        picks = self.picker.picks
        empty = [role for role in ROLES if not picks[role]]
        if empty:
            raise ValueError(f"click at least one face for: {', '.join(empty)}")
        return tuple(self.codes[picks[role]].mean(0, keepdim=True) for role in ROLES)

    def code(self):
        return self.arithmetic(*self.group_codes())

    def verdict(self, image):
        """The judge's line on the result (1, C, H, W): ``verdicts.verdict`` against ``target``,
        then, on the photos, a reminder that only glasses are labelled, or, on the drawn faces,
        what the judge makes of his frame colour."""
        if self.judge is None:
            return ""
        line = verdicts.verdict(self.judge, image, self.target)
        if "beard" not in self.target:
            return line + " · the photos carry no gender labels: look whether she is a woman"
        frames = (self.faces.attributes or {}).get("frame")
        his = {frames[self.shown[i]] for i in self.picker.picks[ROLES[0]]} if frames else set()
        if len(his) == 1 and his <= {"dark", "light"} and "dark_frame" in self.judge.traits:
            his, dark = his.pop(), float(judges.trait_scores(self.judge, image)["dark_frame"][0])
            hers = "dark" if dark >= 0.5 else "light"
            line += (
                f" · his frame is {his}, the judge reads hers as {hers} (dark-frame probability {dark:.2f})"
            )
            line += ": his style kept" if hers == his else ": not his style"
        return line

    def redraw(self, change=None):
        try:
            zs = self.group_codes()
        except ValueError as e:
            self.readout.value = f"<div style='color:#b00'>{e}</div>"
            return
        with one_thread():
            images = latent.decode(self.model, torch.cat([*zs, self.arithmetic(*zs)]))
            for tile, image in zip(self.tiles, images):
                tile.value = self.png(image[None])
            self.line = self.verdict(images[3:])
        self.readout.value = f"<div style='text-align:center;max-width:760px'>{self.line}</div>"
        self.redraws += 1

    def snapshot(self):
        """z1, z2, z3 and the result with the verdict, over the gallery with the picks coloured."""
        tiles = list(zip(TILES, (tile.value for tile in self.tiles)))
        return preview.stack(
            [
                preview.compose(
                    tiles, [preview.text(self.readout.value)], self.side, enlargement(self.side, self.scale)
                ),
                preview.compose([], [GALLERY_CAPTION]),
                preview.gallery(self.picker),
            ]
        )

    def gif_codes(self, steps=9):
        """From z3 (the women without glasses) to the result (steps, d): his glasses appearing."""
        z1, z2, z3 = self.group_codes()
        return latent.path(z3[0], self.arithmetic(z1, z2, z3)[0], torch.linspace(0, 1, steps).tolist())


def arithmetic_shop(model, faces, judge, per_group=3, arithmetic=core.arithmetic, seed=0):
    """The book's glasses shop (figure 7.1, section 7.4.4): women wearing a man's glasses, made by
    ``arithmetic(z1, z2, z3)`` = z1 − z2 + z3 (the chapter's, or a notebook's own copy) with z1
    the code of a man with glasses, z2 the mean code of ``per_group`` men without glasses and z3
    that of ``per_group`` women without (``first_picks``). Click faces in its gallery to change
    the picks; the judge's verdict is printed under the result. Returns an ``ArithmeticShop``."""
    picks = first_picks(faces, per_group, seed)
    _, columns = gallery_shape(faces.images.shape[-1])  # a row with glasses, two rows without
    return ArithmeticShop(
        model, faces, judge, picks, gallery_faces(faces, picks, columns, 2 * columns), arithmetic
    )
