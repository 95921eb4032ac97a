"""Reading a student's CV (PDF, DOCX, Markdown or plain text) into a StudentProfile, offline.

Every item keeps `source_text`, the exact span of the extracted text it came from, so later checks can hold
what an email says about the student against what the CV says. Nothing here logs: CV text is personal data.

readers.py reads the file formats (pdf_layout.py puts PDF columns in reading order); lines.py, blocks.py and
items.py find the sections, entries and items; profile.py assembles the profile; grounding.py tests whether
words are in the CV; refine.py is the optional LLM pass over the offline extraction.
"""

from assistant.cv.grounding import item_in_cv
from assistant.cv.profile import profile_from_interests, profile_from_text, read_cv
from assistant.cv.readers import MAX_CV_BYTES, MAX_CV_CHARS, SUPPORTED_SUFFIXES, extract_text

__all__ = [
    "MAX_CV_BYTES",
    "MAX_CV_CHARS",
    "SUPPORTED_SUFFIXES",
    "extract_text",
    "item_in_cv",
    "profile_from_interests",
    "profile_from_text",
    "read_cv",
]
