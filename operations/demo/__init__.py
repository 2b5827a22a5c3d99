"""The demo centre that `manage.py seed_demo` makes: its people, unit, portfolios and
moderation sample, made through the same services people use."""
