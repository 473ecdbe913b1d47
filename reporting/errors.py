"""What error reports (AdminEmailHandler mails, DEBUG pages) show (settings.DEFAULT_EXCEPTION_REPORTER_FILTER)."""

from django.views.debug import SafeExceptionReporterFilter


class SecretHidingReporterFilter(SafeExceptionReporterFilter):
    """Django hides sensitive settings, request headers and @sensitive_* parameters; this also hides, in every frame
    of the traceback, a local variable named like a secret (secret, token, password, key, auth…, as Django matches
    setting names) and such keys inside a dict or list local (a form's cleaned_data), wherever the frame is."""

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
