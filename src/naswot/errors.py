"""The one exception type the command line turns into a one-line message."""


class NaswotError(Exception):
    """A problem with the user's input, stated with the fix.

    The message is shown to the user as a single line, so it should name what is wrong and what to
    do about it, e.g. ``"no data_batch_1 in DIR: pass data_root= pointing at cifar-10-batches-py"``.
    """
