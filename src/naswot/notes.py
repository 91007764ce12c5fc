"""Notes the library gives about a run it adjusted (workers capped, a fallback taken): one line each.

They go to the ``naswot`` logger at WARNING level, so a Python caller sees them on stderr without any set-up
(logging's last-resort handler) and can silence or capture them as any log; the CLI prints them as
``note: ...`` lines.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("naswot")


def note(message: str) -> None:
    logger.warning(message)
