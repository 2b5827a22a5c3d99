"""The name a stored file is offered under for download: always with the extension of the
type its bytes were checked to be."""

import pytest

from common.downloads import safe_download_name


@pytest.mark.parametrize(
    ("stored_as", "content_type", "offered_as"),
    [
        ("plan.pdf", "application/pdf", "plan.pdf"),
        ("team-board.jpg", "image/jpeg", "team-board.jpg"),
        ("team-board.JPEG", "image/jpeg", "team-board.jpg"),
        ("team-board.png", "image/jpeg", "team-board.jpg"),
        ("hello.vbs", "text/plain", "hello.txt"),
        ("tool.js", "text/plain", "tool.txt"),
        ("x.bat.", "text/plain", "x.txt"),
        ("x.bat . ", "text/plain", "x.txt"),
        ("report.pdf.exe", "application/pdf", "report.pdf"),
        ("notes.txt.vbs", "text/plain", "notes.txt"),
        ("v1.2", "text/plain", "v1.2.txt"),
        (
            "Account",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Account.docx",
        ),
        (".bashrc", "text/plain", "bashrc.txt"),
        ("...", "text/plain", "file.txt"),
        ("odd.bin", "application/x-unknown", "odd.bin"),
    ],
)
def test_a_file_is_only_ever_offered_under_its_checked_types_extension(stored_as, content_type, offered_as):
    assert safe_download_name(stored_as, content_type) == offered_as
