"""``python -m topicnmf``: the command line."""

from topicnmf.cli import main

if __name__ == "__main__":
    main()
