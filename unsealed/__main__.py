"""`python -m unsealed` runs the CLI."""

from unsealed.cli import main

main()
