import sys

from preflight.retention.cli import main

sys.exit(main())
