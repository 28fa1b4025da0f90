"""Media in an S3-compatible bucket: django-storages' S3Storage, with boto3's timeouts
and retries given as plain options.

Wagtail deletes a file from storage in a background task, handed the storage in its
deconstructed form, which the task queue stores as JSON: a botocore Config among the
options is not JSON, and deleting an image or document failed (TypeError). Here the
options stay plain values and the Config is built from them.
"""

from botocore.config import Config
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage


@deconstructible
class MediaStorage(S3Storage):
    def __init__(self, *, connect_timeout, read_timeout, max_attempts, **options):
        retries = {"mode": "standard", "max_attempts": max_attempts}
        config = Config(connect_timeout=connect_timeout, read_timeout=read_timeout, retries=retries)
        super().__init__(client_config=config, **options)
