from pathlib import Path

import pytest

from schema import export


def test_committed_sdl_matches_the_code(repo_root: Path) -> None:
    assert repo_root / "schema.graphql" == export.SDL_PATH
    diff = export.drift(export.SDL_PATH)
    assert not diff, f"schema.graphql differs from the code: run `make schema`.\n{diff}"


def test_check_fails_with_a_diff_until_the_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(export.sdl().replace("  unreadNotificationCount: Int!\n", ""))
    monkeypatch.setattr(export, "SDL_PATH", stale)

    assert export.main(["--check"]) == 1
    assert "+  unreadNotificationCount: Int!" in capsys.readouterr().out.splitlines()

    assert export.main([]) == 0
    assert export.main(["--check"]) == 0
    assert stale.read_text() == export.sdl()
