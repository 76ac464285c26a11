"""Print the core's copy of the language list:
`python -m sandbox.languages > layers/codearena/languages.json`."""

import sys

from sandbox.languages import catalog_json

sys.stdout.write(catalog_json())
