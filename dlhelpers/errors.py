"""``UserError``: the base of every error that tells a reader what to do, not a bug.

A missing file, a folder laid out wrongly, too few faces, a model trained at another size: each is
raised as a subclass of ``UserError`` (and of the builtin it refines, e.g. ``FileNotFoundError``),
with one sentence saying what to change. Jupyter shows such an error as that one line, without a
traceback; ``python -m dlhelpers`` prints it as one line and exits with status 2. Every other
exception is a bug and shows its traceback. This module imports nothing, so every wing may use it.
"""


class UserError(Exception):
    """An error a reader fixes (a path, a folder, a setting, more faces), shown as one sentence:
    Jupyter displays ``<ErrorName>: <message>`` without a traceback. Subclass it together with
    the builtin it refines, e.g. ``class NoModelError(UserError, FileNotFoundError)``."""

    def __str__(self):
        # one argument: the message itself (KeyError would show its repr, in quotes)
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]
