"""What every flask command of the tracker shares."""

from __future__ import annotations

import click


class OneLineErrors(click.Command):
    """Usage errors (a missing option, a bad value, no such file) in one line on stderr, like
    every other failure of a command (DESIGN.md 4.1), instead of Click's usage block."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from None
