"""readable_json: the same value back, outer levels over lines, inner values on one line."""

import json

from etl.jsontext import readable_json

RUN = {
    "outcome": "published",
    "inputs": {"files": 2, "source_files": [{"path": "a/ü.txt", "sha256": "ab", "bytes": 3},
                                            {"path": "b.html", "sha256": "cd", "bytes": 4}]},
    "empty": {"list": [], "object": {}},
    "seconds": {"extract": 1.25},
}


def test_reads_back_as_the_same_value():
    for levels in range(5):
        assert json.loads(readable_json(RUN, levels)) == RUN


def test_one_input_file_a_line_at_three_levels():
    lines = readable_json(RUN, levels=3).splitlines()
    assert '   {"path": "a/ü.txt", "sha256": "ab", "bytes": 3},' in lines
    assert '   {"path": "b.html", "sha256": "cd", "bytes": 4}' in lines
    assert '  "list": [],' in lines and '  "object": {}' in lines
    assert lines[0] == "{" and lines[-1] == "}"


def test_no_levels_is_one_line_and_keys_keep_their_order():
    text = readable_json(RUN, levels=0)
    assert "\n" not in text
    assert list(json.loads(text)) == ["outcome", "inputs", "empty", "seconds"]
