"""Private file storage: uploads that hold personal data (complaint attachments, mystery-shop
photos and receipts, training certificates) are never served as public media; the pages stream
them after a permission check (aftersales.views.private_file_response)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """The folder is read from the settings at each use, so that a changed PRIVATE_MEDIA_ROOT
    (tests, deployments) is honoured."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateStorage()
