"""scripts/serve's supervisord event listener. supervisord restarts a process of Waymark's
that dies; one that dies at once, again and again (a port already taken, a database that
refuses its password), it gives up on (FATAL) and runs on without. Then this stops
supervisord, having written the process's name to the file named on its command line, so
that scripts/serve fails saying which, instead of running on half a Waymark."""

import os
import signal
import sys
from pathlib import Path

from supervisor import childutils


def main(marker: Path) -> None:
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        if headers["eventname"] == "PROCESS_STATE_FATAL":
            marker.write_text(childutils.get_headers(payload)["processname"])
            os.kill(os.getppid(), signal.SIGTERM)
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
