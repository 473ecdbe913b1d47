"""Upload handling at the request level (settings.FILE_UPLOAD_HANDLERS)."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's spool-to-disk handler, keeping at most MAX_UPLOAD_MB + 1 byte of each file.

    A file cut here is over the limit, so apps.connectors.ingestion.store_upload (the only reader of uploads) refuses
    it with its usual message; the rest of a huge request is read and dropped instead of filling the disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = 0
        self.room = settings.MAX_UPLOAD_MB * 1024 * 1024 + 1

    def receive_data_chunk(self, raw_data, start):
        part = raw_data[: max(0, self.room - self.kept)]
        if part:
            self.file.write(part)
            self.kept += len(part)

    def file_complete(self, file_size):
        return super().file_complete(self.kept)
