"""Where the repository and the shared material beside it live, for tests."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KNEE_PACK = REPO / "seeds" / "knee"
SHARED = REPO.parent / "shared"
SOURCE_TEXTS = SHARED / "seeds"
CODES_REFERENCE = SHARED / "reference" / "codes.md"
