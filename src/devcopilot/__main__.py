"""``python -m devcopilot`` runs the same CLI as the ``devcopilot`` console script."""

from devcopilot.cli.app import run

if __name__ == "__main__":
    run()
