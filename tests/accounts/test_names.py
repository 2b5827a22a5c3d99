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


def test_a_persons_sort_key_follows_their_name(db):
    from accounts.models import User

    user = User.objects.create_user("siobhan@example.org", first_name="Siobhán", last_name="O'Neill")
    assert User.objects.get(pk=user.pk).sort_key == "oneill siobhan"
    user.last_name = "de Souza"
    user.save(update_fields=["last_name"])
    assert User.objects.get(pk=user.pk).sort_key == "desouza siobhan"
