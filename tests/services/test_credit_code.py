"""Unified social credit code checks (GB 32100-2015)."""

from matchmaker.services import credit_code


def test_weights_are_powers_of_three_mod_31():
    assert credit_code.WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert credit_code.WEIGHTS[-1] == 28


def test_check_character_worked_example():
    # 91350100M000100Y4: values 9,1,3,5,0,1,0,0,M=21,0,0,0,1,0,0,Y=30,4
    # sum of value*weight = 9*1+1*3+3*9+5*27+0+1*26+0+0+21*20+0+0+0+1*8+0+0+30*30+4*28 = 1640
    # 1640 mod 31 = 28, 31 - 28 = 3 -> "3"
    assert credit_code.check_character("91350100M000100Y4") == "3"
    assert credit_code.is_valid("91350100M000100Y43")


def test_check_value_zero_maps_to_character_zero():
    # find a 17-character prefix whose weighted sum is a multiple of 31: the check is "0", not "31"
    prefix = next(
        p for p in (f"9111000080210{n:04d}" for n in range(10000))
        if sum(credit_code.ALPHABET.index(c) * w for c, w in zip(p, credit_code.WEIGHTS)) % 31 == 0
    )
    assert credit_code.check_character(prefix) == "0"


def test_code_with_letter_check_character_is_valid():
    assert credit_code.is_valid("91110000802100433B")


def test_lowercase_and_spaces_are_normalised():
    assert credit_code.is_valid(" 91110000802100433b ")


def test_wrong_check_character_is_a_checksum_problem():
    assert credit_code.problem("91350100M000100Y44") == "checksum"


def test_length_and_alphabet_and_division_problems():
    assert credit_code.problem("91350100M000100Y4") == "length"
    assert credit_code.problem("91350100M000100I43") == "alphabet"  # I is not in the alphabet
    assert credit_code.problem("9135A100M000100Y4" + "3") == "division"
