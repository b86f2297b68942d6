"""Domain errors: each carries the message the user sees."""


class InputError(Exception):
    """Raised for bad input: names the file, the column and the row where it can.

    The command line prints the message and exits with status 2, without a traceback.
    """
