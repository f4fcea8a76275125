"""The API's JSON parser: DRF's, refusing text that is not valid Unicode.

JSON may spell a lone UTF-16 surrogate ("\\ud800"); Python keeps it in the string, and it then
fails wherever the text is encoded (the database, the JSON answer, X). It is refused here, once,
as the malformed input it is (400), instead of in every field.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _valid_unicode(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_valid_unicode(k) and _valid_unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_valid_unicode(item) for item in value)
    return True


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not _valid_unicode(data):
            raise ParseError("JSON parse error - the body contains invalid Unicode (a lone surrogate).")
        return data
