"""`python -m sandbox.images [--cache-dir DIR] [--force]`: build the docker backend's judge
image (what `make images` runs). The builder is `sandbox.docker.images`."""

import sys

from sandbox.docker.images import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
