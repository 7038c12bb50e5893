"""Administration commands that act on the whole database, run from the command line only.

`purge.py` hard-deletes one archived record (`flask --app tracker purge KIND ID`); `cli.py`
holds the commands and collects those of other modules of this package (see its docstring).
"""
