"""``python -m config.devenv COMMAND``: read the command line and run one command."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence

from config import devenv
from config.devenv.commands import cmd_bench, cmd_run, cmd_services, cmd_test
from config.devenv.icons import cmd_icons
from config.devenv.output import DevenvError, say
from config.devenv.processes import catch_stop_signals, shield_clean_up
from config.devenv.translations import cmd_compile, cmd_messages
from config.devenv.vendor import cmd_vendor

COMMANDS: dict[str, Callable[[Sequence[str], contextlib.ExitStack], int]] = {
    "services": cmd_services,
    "run": cmd_run,
    "test": cmd_test,
    "bench": cmd_bench,
    "vendor": cmd_vendor,
    "icons": lambda args, stack: cmd_icons(args),
    "messages": lambda args, stack: cmd_messages(args),
    "compilemessages": lambda args, stack: cmd_compile(args),
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(devenv.__doc__)
        return 0 if argv else 2
    if argv[0] not in COMMANDS:
        say(f"unknown command {argv[0]!r}; one of: {', '.join(COMMANDS)} (--help says more)")
        return 2
    command, args = COMMANDS[argv[0]], argv[1:]
    catch_stop_signals()
    code = 1
    try:
        with contextlib.ExitStack() as stack:
            try:
                code = command(args, stack)
            except KeyboardInterrupt:
                say("interrupted; stopping")
                code = 130
            except DevenvError as error:
                say(str(error))
                code = error.exit_code
            finally:
                # Children and services stop as the stack unwinds; keep that uninterrupted.
                shield_clean_up()
    except DevenvError as error:
        say(str(error))
        code = code or error.exit_code
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
