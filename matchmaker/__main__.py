"""`python -m matchmaker` is the `matchmaker` command."""

from matchmaker.cli import cli

cli()
