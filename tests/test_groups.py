"""Choosing the four groups of section 7.4.4 (``dlhelpers.data.groups``); the book's preset and saved
picks on the photos are tested in test_photos.py."""

import pytest
import torch

from dlhelpers.data import face_folder, groups


def test_trait_groups_from_labels():
    n = 40
    glasses = torch.tensor([i % 2 for i in range(n)])
    beard = torch.tensor([(i // 2) % 2 for i in range(n)])
    f = face_folder.FaceSet(
        images=torch.zeros(n, 3, 8, 8, dtype=torch.uint8),
        glasses=glasses,
        ids=list(range(n)),
        files=[f"x{i}.png" for i in range(n)],
        attributes={"beard": beard, "glasses": glasses},
    )
    chosen = groups.trait_groups(f, per_group=3, seed=1)
    assert set(chosen) == {"beard_glasses", "nobeard_glasses", "beard_noglasses", "nobeard_noglasses"}
    for name, idx in chosen.items():
        assert len(set(idx)) == 3
        assert all(bool(beard[i]) == (not name.startswith("no")) for i in idx)
        assert all(bool(glasses[i]) == name.endswith("_glasses") for i in idx)
    assert chosen == groups.trait_groups(f, per_group=3, seed=1)
    with pytest.raises(ValueError, match="only"):
        groups.trait_groups(f, per_group=50)
    f.attributes = None
    with pytest.raises(ValueError, match="gallery_picker"):
        groups.trait_groups(f)
