"""sim/files.py: every way opening an untrusted path can fail is one line naming it (`FileRefused`).

One test per kind of failure, on the functions every CLI path goes through
(`read_text`, `read_json`, `path_status`, `resolved`, `check_output`, `write_atomic`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import diplosim.files
from diplosim.files import (
    FileRefused,
    check_output,
    json_depth,
    path_status,
    read_bytes,
    read_json,
    read_text,
    resolved,
    write_atomic,
)

LIMIT = 1000


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(FileRefused) as info:
        call(*args, **kwargs)
    line = info.value.format()
    assert "\n" not in line
    return line


def test_a_missing_file(tmp_path):
    assert refusal(read_text, tmp_path / "none.yaml", LIMIT) == f"{tmp_path / 'none.yaml'}: file not found"


def test_a_directory(tmp_path):
    assert refusal(read_text, tmp_path, LIMIT, what="scenario file").endswith(": is a directory, not a scenario file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    done: list[str] = []
    reader = threading.Thread(target=lambda: done.append(refusal(read_text, tmp_path / "pipe", LIMIT)), daemon=True)
    reader.start()
    reader.join(timeout=20)  # generous: a reader that opened the pipe would wait for ever
    assert done and done[0].endswith(": is a named pipe (FIFO), not a regular file")


def test_a_fifo_swapped_in_after_the_check_is_opened_without_blocking(tmp_path, monkeypatch):
    """The file is checked, then opened non-blocking and checked again: a pipe put there in between is refused."""
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "plain").write_text("x")
    real_stat = os.stat
    monkeypatch.setattr(diplosim.files.os, "stat",
                        lambda p, *a, **k: real_stat(tmp_path / "plain") if Path(p).name == "pipe" else real_stat(p))
    assert refusal(read_text, tmp_path / "pipe", LIMIT).endswith(": is a named pipe (FIFO), not a regular file")


def test_a_link_to_a_device(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    assert refusal(read_text, tmp_path / "zero.yaml", LIMIT).endswith(": is a device, not a regular file")


def test_a_loop_of_symbolic_links(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert refusal(read_text, tmp_path / "a", LIMIT).endswith(": cannot read file (a loop of symbolic links)")
    assert refusal(resolved, tmp_path / "a").endswith(": cannot read file (a loop of symbolic links)")  # RuntimeError


def test_permission_denied_as_the_system_reports_it(tmp_path, monkeypatch):
    """Works as root too: the denial is the system's answer to the open, whoever asks."""
    (tmp_path / "secret").write_text("x")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(diplosim.files.os, "open", deny)
    assert refusal(read_text, tmp_path / "secret", LIMIT).endswith(": cannot read file (Permission denied)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000; the case above covers it as root")
def test_permission_denied_by_the_file_mode(tmp_path):
    (tmp_path / "secret").write_text("x")
    (tmp_path / "secret").chmod(0)
    assert refusal(read_text, tmp_path / "secret", LIMIT).endswith(": cannot read file (Permission denied)")


def test_a_name_too_long(tmp_path):
    path = tmp_path / ("n" * 300)
    assert refusal(read_text, path, LIMIT).endswith(": cannot read file (File name too long)")
    assert refusal(check_output, path, folder=True).endswith(": cannot write there (File name too long)")


def test_text_that_is_not_utf8(tmp_path):
    (tmp_path / "latin1").write_bytes(b"caf\xe9")
    (tmp_path / "utf16").write_bytes("x".encode("utf-16"))
    (tmp_path / "nul").write_bytes(b"a\x00b")
    assert refusal(read_text, tmp_path / "latin1", LIMIT).endswith(": file is not UTF-8 text (bad byte at offset 3)")
    assert refusal(read_text, tmp_path / "utf16", LIMIT).endswith(": file is UTF-16 text; save it as UTF-8")
    assert refusal(read_text, tmp_path / "nul", LIMIT).endswith(": file holds binary data (a NUL byte), not text")


def test_a_file_too_large_and_one_that_grows_after_the_check(tmp_path, monkeypatch):
    (tmp_path / "big").write_bytes(b"x" * (LIMIT + 1))
    assert refusal(read_bytes, tmp_path / "big", LIMIT).endswith(f": file is {LIMIT + 1} bytes; the limit is {LIMIT}")
    (tmp_path / "small").write_bytes(b"x")
    real_stat = os.stat
    monkeypatch.setattr(diplosim.files.os, "stat",
                        lambda p, *a, **k: real_stat(tmp_path / "small") if Path(p).name == "big" else real_stat(p))
    assert refusal(read_bytes, tmp_path / "big", LIMIT).endswith(f": file is larger than the limit of {LIMIT} bytes")


def test_a_byte_order_mark_is_dropped(tmp_path):
    (tmp_path / "bom").write_bytes(b"\xef\xbb\xbfname: x\n")
    assert read_text(tmp_path / "bom", LIMIT) == "name: x\n"


def test_json_nesting_nan_and_syntax(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "nan.json").write_text('{"x": NaN}')
    (tmp_path / "bad.json").write_text('{\n  "x": }')
    (tmp_path / "strings.json").write_text('{"a": "[[[[{{{{\\"]]]", "b": [[1]]}')
    assert refusal(read_json, tmp_path / "deep.json", 10**6, max_depth=8).endswith(
        ": JSON nested 100000 levels deep; the limit is 8")
    assert "the token NaN" in refusal(read_json, tmp_path / "nan.json", LIMIT, max_depth=8)
    assert refusal(read_json, tmp_path / "bad.json", LIMIT, max_depth=8) == \
        f"{tmp_path / 'bad.json'}:2:8: not valid JSON: Expecting value"
    assert json_depth((tmp_path / "strings.json").read_text()) == 3  # brackets inside strings do not count
    assert read_json(tmp_path / "strings.json", LIMIT, max_depth=3)["b"] == [[1]]


def test_output_targets(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_text("x")
    (tmp_path / "dangling").symlink_to("nowhere/at/all")
    check_output(tmp_path / "new", folder=True)  # nothing there: fine
    check_output(tmp_path / "file", file=True)
    check_output(tmp_path, folder=True, file=True)
    assert refusal(check_output, tmp_path / "pipe", folder=True, file=True).endswith(
        ": exists and is not a directory or a regular file (it is a named pipe (FIFO))")
    assert refusal(check_output, tmp_path / "file", folder=True).endswith(
        ": exists and is not a directory (it is a file)")
    assert refusal(check_output, tmp_path / "dangling", folder=True).endswith(": is a symbolic link to nothing")


def test_write_atomic_refuses_a_path_it_cannot_use_but_a_full_disk_stays_an_oserror(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    assert refusal(write_atomic, tmp_path / "file" / "out.json", "{}").endswith(
        "out.json: cannot write file (a file stands where a folder of its path should be)")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(diplosim.files.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(tmp_path / "x.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no temporary left


def test_path_status_says_nothing_is_there_and_refuses_the_rest(tmp_path):
    assert path_status(tmp_path / "none") is None
    assert path_status(tmp_path) is not None
    assert refusal(path_status, "a\x00b").endswith("cannot read file (the name holds a NUL character)")
    assert refusal(resolved, "a\x00b").endswith("cannot read file (the name holds a NUL character)")
