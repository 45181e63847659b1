"""Media in S3-compatible object storage (django-storages), served the same way as from the local
folder: the bucket stays private, photos and covers keep stable, cacheable URLs under MEDIA_URL
(rse.lib.files.media streams them), other files only ever leave through their permission views."""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class MediaS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        # Not a signed bucket link: one that changes on every page defeats the browser cache and
        # the cached post cards, and expires while they are still shown.
        return settings.MEDIA_URL + filepath_to_uri(name)
