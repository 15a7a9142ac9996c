"""The engine: each lesson's numbers, the training loops, checkpoints, progress.

recipes       every lesson's numbers in one table (quick mode as a difference); why: docs/recipes.md
planning      a run counted in optimizer steps (plan), too few faces, and whether a run learned
train         the VAE's loop (fit_vae), running the chapter's step or a notebook's (step_fn)
loops         the autoencoder's loop (fit_ae) and the judges' classifiers'
lesson_run    the faces lesson's one training run: split, train, keep, check
precision     memory layout and autocast, so the VAE's loop runs fast on what it computes
checkpoints   atomic save, safe load (weights_only), the chapter's own files
resuming      resuming an interrupted run, and knowing a finished one
display       the live loss curve and the PNG images the widgets show
"""
