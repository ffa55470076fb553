"""An email backend for the kill -9 test: it writes files like Django's file backend but takes a fixed time per
message, as a real mail server does, so a run of 500 emails lasts long enough for three kills to land mid-run
whatever the speed of the machine."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.02")) * len(email_messages))
        return super().send_messages(email_messages)
