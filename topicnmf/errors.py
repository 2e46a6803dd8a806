"""Exception and warning classes of topicnmf.

Importing this module loads nothing heavy, so the command line can catch
:class:`InputError` without loading scikit-learn. ``ConvergenceWarning`` is
scikit-learn's own class (so one warnings filter catches both libraries'); it is
imported from scikit-learn on first access.
"""

__all__ = ["ConvergenceWarning", "InputError"]


class InputError(ValueError):
    """Bad input from the user: a path, a corpus, a file or a parameter value.

    The message is one line that names the input and the remedy. The command
    line prints it without a traceback and exits with a non-zero code.
    """


def __getattr__(name):
    if name == "ConvergenceWarning":
        from sklearn.exceptions import ConvergenceWarning

        globals()["ConvergenceWarning"] = ConvergenceWarning
        return ConvergenceWarning
    raise AttributeError(f"module 'topicnmf.errors' has no attribute {name!r}")
