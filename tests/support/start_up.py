"""What a fresh process holds once it has imported the service's modules: the libraries kept
out of the processes that never use them, against their memory bounds."""

import ast
import subprocess
import sys

# What the workers and the API import at start-up.
SERVICE_MODULES = ("server.runtime", "workers.actors", "server.graphql")


def loaded_at_start(watched: tuple[str, ...]) -> list[str]:
    """Which of the `watched` modules a fresh interpreter (this one may have loaded them) holds
    once it has imported SERVICE_MODULES."""
    code = (
        f"import sys; import {', '.join(SERVICE_MODULES)}; "
        f"print(sorted(m for m in {watched!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = ast.literal_eval(done.stdout.splitlines()[-1])
    return loaded
