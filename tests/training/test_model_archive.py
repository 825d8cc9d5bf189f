"""A `.keras` archive is checked before Keras opens it: zip bombs and odd archives refused."""

import zipfile
import zlib
from unittest import mock

import pytest

from cnnviz.training.model_archive import MAX_MEMBERS, check_model_archive

PIECE = 1 << 26  # 64 MB of zeros, deflated once


def zip_bomb(path, declared: int = 1 << 30) -> None:
    """Write a 1 MB `.keras` whose `config.json` really inflates to `declared` bytes of zeros.

    zipfile streams the zeros (and their CRC) as usual; only deflating them is short-cut: 64 MB
    of zeros deflated once, ended by a full flush so that the same block can follow itself,
    stands for each 64 MB written. Building it takes a second, not the minute of deflating 1 GB.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(PIECE)) + compressor.flush(zlib.Z_FULL_FLUSH)

    class Repeat:
        def compress(self, data):
            assert len(data) == PIECE
            return block

        def flush(self):
            return b"\x03\x00"  # an empty final block

    zeros = bytes(PIECE)
    fake = mock.patch.object(zipfile, "_get_compressor", lambda *args, **kwargs: Repeat())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", "{}")
        with fake, archive.open("config.json", "w", force_zip64=True) as member:
            for _ in range(declared // PIECE):
                member.write(zeros)
        archive.writestr("model.weights.h5", b"")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bomb.keras"
    zip_bomb(path)
    return path


def keras_like(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_the_bomb_is_a_small_file_that_really_unpacks_to_1_gb(bomb):
    assert bomb.stat().st_size < 1_100_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("config.json").file_size == 1 << 30
        with archive.open("config.json") as member:  # the first megabyte: zeros, as declared
            assert member.read(1 << 20) == bytes(1 << 20)


def test_a_zip_bomb_is_refused_before_any_member_is_read(bomb, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(ValueError, match=r"bomb\.keras's config\.json would unpack to 1\.1 GB"):
        check_model_archive(bomb)


def test_the_bundled_models_pass():
    from cnnviz.locations import BUNDLED_MODELS_DIR

    for path in sorted(BUNDLED_MODELS_DIR.glob("*.keras")):
        check_model_archive(path)


def test_a_total_far_beyond_the_file_is_refused(tmp_path):
    path = tmp_path / "deflated.keras"
    members = {"config.json": b"{}", "model.weights.h5": bytes(60_000_000)}
    keras_like(path, members, zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match=r"deflated\.keras \(.*\) would unpack to 60\.0 MB"):
        check_model_archive(path)


def test_an_honest_archive_is_accepted(tmp_path):
    path = tmp_path / "honest.keras"
    keras_like(path, {"metadata.json": b"{}", "config.json": b"{}", "model.weights.h5": b"w"})
    check_model_archive(path)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({f"assets/{n}": b"" for n in range(MAX_MEMBERS + 1)}, "65 members"),
        ({"../escape.json": b"{}"}, "a member outside the archive: '../escape.json'"),
        ({"/etc/passwd": b""}, "a member outside the archive"),
    ],
)
def test_odd_archives_are_refused(tmp_path, members, message):
    path = tmp_path / "odd.keras"
    keras_like(path, members)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_model_archive(path)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "pickle.keras"
    path.write_bytes(b"\x80\x04\x95 a pickle, not a zip")
    with pytest.raises(ValueError, match=r"pickle\.keras is not a Keras model \(not a zip"):
        check_model_archive(path)
