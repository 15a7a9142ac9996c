"""``python -m dlhelpers``: the command line in ``dlhelpers.tools.cli``."""

from dlhelpers.tools.cli import main

if __name__ == "__main__":
    main()
