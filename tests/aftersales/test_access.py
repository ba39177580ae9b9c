import pytest

from aftersales.models import Branch


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_user", {"NORTH", "SOUTH"}),
        ("manager", {"NORTH"}),
        ("owner", {"NORTH"}),
        ("outsider", {"SOUTH"}),
        ("shopper", set()),
    ],
)
def test_branches_visible_to_each_persona(request, north, south, persona, expected):
    user = request.getfixturevalue(persona)
    visible = set(Branch.objects.visible_to(user).values_list("code", flat=True))
    assert visible == expected


def test_inactive_user_sees_nothing(owner):
    owner.is_active = False
    owner.save()
    assert not Branch.objects.visible_to(owner).exists()


def test_manager_of_two_branches_sees_both(manager, south):
    manager.branches.add(south)
    assert Branch.objects.visible_to(manager).count() == 2
