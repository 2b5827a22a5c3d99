from accounts.names import person_sort_key

PEOPLE = [  # (first, last) in the order a person files them
    ("Fatima", "Ahmed"),
    ("Zoë", "Brontë"),
    ("Luiza", "de Souza"),
    ("Anna", "Иванова"),
    ("Gráinne", "Mac Giolla"),
    ("Björk", "Ólafsdóttir"),
    ("Siobhán", "O'Neill"),
    ("Sam", "Smith"),
    ("Ann", "Smithson"),
    ("Wei", "张"),
]


def test_names_sort_as_a_person_would_file_them():
    shuffled = PEOPLE[::-1][3:] + PEOPLE[::-1][:3]
    ordered = sorted(shuffled, key=lambda p: person_sort_key(first_name=p[0], last_name=p[1]))
    assert [last for _, last in ordered] == [last for _, last in PEOPLE]


def test_by_character_code_they_would_not():
    # What ORDER BY last_name did on SQLite: the reason for the stored key.
    assert sorted(last for _, last in PEOPLE) != [last for _, last in PEOPLE]
