"""Exception and warning classes of topicnmf."""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConvergenceWarning", "InputError"]


class InputError(ValueError):
    """Bad input from the user: a path, a corpus, a file or an option value.

    The message is one line that names the input and the remedy. The command
    line prints it without a traceback and exits with a non-zero code.
    """
