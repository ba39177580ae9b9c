"""Uploaded files, kept between the preview and the confirmation.

An upload waits as ``MEDIA_ROOT/imports/<uuid>.csv`` (mode 0600) until it is confirmed, which
reads it back and checks it again; only its uploader's jobs (customers.importing.background)
read it. Files never
confirmed are removed once a day old (:func:`discard_stale_uploads`, which each upload runs).
"""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aftersales.errors import DomainError

# The worker reads an upload into memory to check it; the command line takes files of any size.
# A million rows of a typical dealer export are about 200 MB.
MAX_UPLOAD_BYTES = 256 * 1024 * 1024


def validate_upload_size(upload):
    """The size limit of an uploaded import file, for the upload form and the API alike."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)d MB. Split it into several imports.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )


def upload_dir():
    return Path(settings.MEDIA_ROOT) / "imports"


def store_upload(data):
    """Keep an uploaded file (bytes, or a Django UploadedFile written in chunks so a large one
    is never held in memory whole) under a random name until it is confirmed; returns the UUID."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4()
    path = directory / f"{token}.csv"
    path.touch(mode=0o600)
    with path.open("wb") as file:
        if isinstance(data, bytes):
            file.write(data)
        else:
            for chunk in data.chunks():
                file.write(chunk)
    return token


def read_upload(token):
    """The stored file's bytes; DomainError when it is gone (confirmed or cleaned up)."""
    try:
        return (upload_dir() / f"{uuid.UUID(str(token))}.csv").read_bytes()
    except (OSError, ValueError) as error:
        raise DomainError(
            _("The uploaded file is no longer available. Upload it again.")
        ) from error


def discard_upload(token):
    (upload_dir() / f"{uuid.UUID(str(token))}.csv").unlink(missing_ok=True)


def discard_stale_uploads(max_age_seconds=24 * 3600):
    """Remove uploads that were previewed but never confirmed."""
    directory = upload_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - max_age_seconds
    for path in directory.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
