"""Measuring the chapter's claims: judges score decoded images, so "it works" becomes a count.

nets, augment, judges   the judges' networks, their augmentation and their training
claims        the chapter's claims on faces counted (arithmetic, interpolation); curves: a path's shape
generators    the claim on digits counted: an AE is a poor generator, a VAE is not
lesson_check  the lesson's checks and their bars; survival: what a trip through the code keeps
verdicts      the one-line verdicts printed under the chapter's demos
"""
