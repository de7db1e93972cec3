"""A mail backend for tests that run a worker in another process.

Each message sent is appended to the file TEST_MAIL_LOG (one line: its Message-ID
and recipients), so the test can count e-mails across processes. With
TEST_MAIL_CRASH_AT=N the process dies when asked for its N-th message, before
writing it: a worker killed in the middle of a batch. With TEST_MAIL_DELAY=S it
waits S seconds before each message, so a test can kill it from outside
(SIGKILL) while it sends.
"""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend

_sent_here = 0


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        global _sent_here
        crash_at = int(os.environ.get("TEST_MAIL_CRASH_AT", "0"))
        delay = float(os.environ.get("TEST_MAIL_DELAY", "0"))
        for message in messages:
            time.sleep(delay)
            _sent_here += 1
            if crash_at and _sent_here >= crash_at:
                os._exit(1)  # no cleanup, no commit: like a killed process
            with open(os.environ["TEST_MAIL_LOG"], "a") as log:
                log.write(f"{message.extra_headers.get('Message-ID')} {message.to}\n")
        return len(messages)
