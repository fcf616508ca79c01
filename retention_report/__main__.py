import sys

from retention_report.command import main

sys.exit(main())
