"""``python -m topicnmf``: the command line."""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--version"]:  # answered without loading typer: the interpreter's start-up only
        import topicnmf

        print(f"topicnmf {topicnmf.__version__}")
    else:
        from topicnmf.cli import main

        main()
