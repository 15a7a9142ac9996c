"""The live loss curve redraws by the clock, not by the batch."""

from dlhelpers.engine import display


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_live_loss_redraws_at_most_every_min_s_unless_forced():
    clock = Clock()
    live = display.LiveLoss(min_s=5.0, clock=clock)
    assert live.due()  # the first redraw is due at once
    live.last = clock()  # as update() records a redraw
    clock.now = 4.9
    assert not live.due()
    assert live.due(force=True)  # the end of an epoch or of training
    clock.now = 5.0
    assert live.due()


def test_live_loss_draws_nothing_outside_a_notebook():
    live = display.LiveLoss()
    live.update({"rec": [3.0, 2.0, 1.0]}, force=True)
    assert live.draws == 0 and live.handle is None


def test_samples_are_shown_in_labelled_rows_of_six_at_128_pixels():
    import torch

    images = torch.rand(18, 3, 72, 72)
    fig = display.samples_figure(display.to_uint8_grid(images, nrow=18), "samples after epoch 1")
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 18 and [ax.get_ylabel() for ax in fig.axes[::6]] == [
        "random codes 1–6",
        "random codes 7–12",
        "random codes 13–18",
    ]
    fig.canvas.draw()
    assert {tuple(round(v) for v in ax.get_window_extent().size) for ax in shown} == {(128, 128)}
