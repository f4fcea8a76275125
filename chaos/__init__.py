"""The chaos run: `python -m chaos --help`."""
