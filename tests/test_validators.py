import pytest

from linli.validators import is_valid_uscc, org_code_check_digit, uscc_check_digit

# Codes of registered companies as published on their business licences.
REAL_USCC = ["9144030071526726XG", "914403001922038216", "91330100799655058B", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_codes_are_valid(code):
    assert is_valid_uscc(code)
    assert uscc_check_digit(code[:17]) == code[17]
    # Characters 9–17 are a GB 11714 organisation code with its own check character.
    assert org_code_check_digit(code[8:16]) == code[16]


@pytest.mark.parametrize(
    "code",
    [
        "9144030071526726XH",  # wrong check character
        "9144030071526726X",  # 17 characters
        "9144030071526726xg",  # lower case
        "91440300715267I6XG",  # I is not in the alphabet
        "",
    ],
)
def test_invalid_codes(code):
    assert not is_valid_uscc(code)


def test_single_character_changes_are_caught():
    code = REAL_USCC[0]
    for position in range(17):
        replacement = "1" if code[position] != "1" else "2"
        assert not is_valid_uscc(code[:position] + replacement + code[position + 1 :])


def test_check_digit_rejects_bad_input():
    with pytest.raises(ValueError, match="expected 17 characters"):
        uscc_check_digit("123")
    with pytest.raises(ValueError, match="outside the GB 32100 alphabet"):
        uscc_check_digit("91440300715267O6X")
    with pytest.raises(ValueError):
        org_code_check_digit("1234567")
