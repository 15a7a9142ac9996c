"""The engine: settings of each lesson, the training loops, checkpoints, progress.

recipes       every lesson's numbers in one table (quick mode as a difference), and the plan
train         the training loops; they run the chapter's steps (or a notebook's, via step_fn)
checkpoints   atomic save, safe load (weights_only), resuming an interrupted run
display       the live loss curve and the PNG images the widgets show
"""
